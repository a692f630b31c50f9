package io.entrawarehouse;

import io.entrawarehouse.bench.CrawlCommand;
import io.entrawarehouse.bench.ParseCommand;
import io.entrawarehouse.cli.AbandonCommand;
import io.entrawarehouse.cli.BoundedJvm;
import io.entrawarehouse.cli.CheckCommand;
import io.entrawarehouse.cli.CommandException;
import io.entrawarehouse.cli.DescribeCommand;
import io.entrawarehouse.cli.Jit;
import io.entrawarehouse.cli.LakeFilesCommand;
import io.entrawarehouse.cli.QueryCommand;
import io.entrawarehouse.cli.RefreshCommand;
import io.entrawarehouse.cli.ReportCommand;
import io.entrawarehouse.cli.RestartCommand;
import io.entrawarehouse.cli.RunCommand;
import io.entrawarehouse.cli.RunSettings;
import io.entrawarehouse.cli.SimulatorCommand;
import io.entrawarehouse.cli.StatusCommand;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IExecutionStrategy;
import picocli.CommandLine.IVersionProvider;

/** The command line: {@code java -jar entra-warehouse.jar <command> [options]}. */
@Command(
    name = "entra-warehouse",
    mixinStandardHelpOptions = true,
    versionProvider = EntraWarehouse.Version.class,
    description = "Loads a Microsoft Entra ID tenant into Parquet files and DuckDB tables.")
public final class EntraWarehouse implements Runnable {

  /**
   * The sub-commands by name, in the order the usage lists them. Picocli reflects over every
   * command it is given, and the types their methods name, as it builds the model: a process builds
   * only the one it runs ({@link #main}), which keeps {@code query} and {@code --version} a
   * fraction of a second of CPU.
   */
  private static final Map<String, Class<?>> COMMANDS = commands();

  private static Map<String, Class<?>> commands() {
    Map<String, Class<?>> commands = new LinkedHashMap<>();
    commands.put("run", RunCommand.class);
    commands.put("check", CheckCommand.class);
    commands.put("restart", RestartCommand.class);
    commands.put("abandon", AbandonCommand.class);
    commands.put("refresh", RefreshCommand.class);
    commands.put("status", StatusCommand.class);
    commands.put("query", QueryCommand.class);
    commands.put("describe", DescribeCommand.class);
    commands.put("lake-files", LakeFilesCommand.class);
    commands.put("report", ReportCommand.class);
    commands.put("simulator", SimulatorCommand.class);
    commands.put("bench-crawl", CrawlCommand.class);
    commands.put("bench-parse", ParseCommand.class);
    return Collections.unmodifiableMap(commands);
  }

  public static void main(String[] args) {
    BoundedJvm.replaceIfUnbounded(args); // a load with no heap bound: a JVM the product sizes
    String first = args.length > 0 ? args[0] : "";
    String named =
        COMMANDS.containsKey(first) || first.equals("-V") || first.equals("--version")
            ? first
            : null;
    if (named != null && SHORT_LIVED.contains(named)) {
      Jit.interpretAndC1Only();
    }
    System.exit(commandLine(Map.of(), named).execute(args));
  }

  /** The commands that end within a second or two, where C2's compilations would not pay. */
  private static final Set<String> SHORT_LIVED =
      Set.of("query", "status", "report", "describe", "-V", "--version");

  /** The command line with its sub-commands; errors print one line, not a stack trace. */
  public static CommandLine commandLine() {
    return commandLine(Map.of());
  }

  /**
   * The command line, each run of it with these settings ({@link RunSettings}: property names to
   * values, as {@code -D} would give them, for that run only).
   */
  public static CommandLine commandLine(Map<String, String> settings) {
    return commandLine(settings, null);
  }

  /** The command line with one sub-command, or with all of them when {@code only} is null. */
  private static CommandLine commandLine(Map<String, String> settings, String only) {
    CommandLine cli = new CommandLine(new EntraWarehouse());
    COMMANDS.forEach(
        (name, command) -> {
          if (only == null || only.equals(name)) {
            cli.addSubcommand(name, command);
          }
        });
    if (!settings.isEmpty()) {
      IExecutionStrategy strategy = cli.getExecutionStrategy();
      cli.setExecutionStrategy(
          parseResult -> RunSettings.with(settings, () -> strategy.execute(parseResult)));
    }
    // @file launches are expanded by the load commands, which look beside the jar too and say
    // which paths they tried; picocli would pass a missing file on as a literal argument.
    cli.setExpandAtFiles(false);
    // The failure's message is made with the run's settings too (it names the repository's URL).
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) ->
            RunSettings.with(
                settings,
                () -> {
                  CommandException failure = CommandException.of(e);
                  commandLine.getErr().println("error: " + failure.getMessage());
                  commandLine.getErr().flush();
                  return failure.exitCode();
                }));
    return cli;
  }

  /** {@code --version}: the version and commit the build wrote (pom.xml, maven-antrun-plugin). */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties build = new Properties();
      try (InputStream in = EntraWarehouse.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          build.load(in);
        }
      }
      return new String[] {
        "entra-warehouse "
            + build.getProperty("version", "unknown")
            + " (commit "
            + build.getProperty("commit", "unknown")
            + ", Java "
            + Runtime.version()
            + ")"
      };
    }
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
