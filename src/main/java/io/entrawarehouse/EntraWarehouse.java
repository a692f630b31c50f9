package io.entrawarehouse;

import io.entrawarehouse.bench.CrawlCommand;
import io.entrawarehouse.bench.ParseCommand;
import io.entrawarehouse.cli.AbandonCommand;
import io.entrawarehouse.cli.BoundedJvm;
import io.entrawarehouse.cli.CheckCommand;
import io.entrawarehouse.cli.CommandException;
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
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IExecutionStrategy;
import picocli.CommandLine.IVersionProvider;

/** The command line: {@code java -jar entra-warehouse.jar <command> [options]}. */
@Command(
    name = "entra-warehouse",
    mixinStandardHelpOptions = true,
    subcommands = {
      RunCommand.class,
      CheckCommand.class,
      RestartCommand.class,
      AbandonCommand.class,
      RefreshCommand.class,
      StatusCommand.class,
      QueryCommand.class,
      ReportCommand.class,
      SimulatorCommand.class,
      CrawlCommand.class,
      ParseCommand.class
    },
    versionProvider = EntraWarehouse.Version.class,
    description = "Loads a Microsoft Entra ID tenant into Parquet files and DuckDB tables.")
public final class EntraWarehouse implements Runnable {

  public static void main(String[] args) {
    BoundedJvm.replaceIfUnbounded(args); // a load with no heap bound: a JVM the product sizes
    System.exit(commandLine().execute(args));
  }

  /** The command line with its sub-commands; errors print one line, not a stack trace. */
  public static CommandLine commandLine() {
    return commandLine(Map.of());
  }

  /**
   * The command line, each run of it with these settings ({@link RunSettings}: property names to
   * values, as {@code -D} would give them, for that run only).
   */
  public static CommandLine commandLine(Map<String, String> settings) {
    CommandLine cli = new CommandLine(new EntraWarehouse());
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
