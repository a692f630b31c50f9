package io.entrawarehouse.cli;

import io.entrawarehouse.config.EntraProperties;
import io.entrawarehouse.job.JobRepositoryConfiguration;
import io.entrawarehouse.job.LoadOutcome;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.SimpleCommandLinePropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * The Spring context of a command that uses the job repository: started with the warehouse's
 * settings, refused with a message that names the fix when it cannot start.
 */
final class SpringBootstrap {

  private SpringBootstrap() {}

  /**
   * Properties that hold a secret: given as -D they are readable by anyone who can list processes.
   */
  private static final Pattern SECRET_PROPERTY =
      Pattern.compile("(?i)entra\\.tenants?\\..*(client-?secret|certificate-?password|password)$");

  /**
   * The Spring context of the load commands. Warns on {@code err} about each secret given on the
   * command line.
   */
  static ConfigurableApplicationContext spring(PrintWriter err) {
    return spring(err, false, Map.of());
  }

  /**
   * The warehouse's settings, for a command that reads {@code entra.duckdb}; null, having said on
   * {@code err} what to run first, when no load has built it yet.
   */
  static EntraProperties.Warehouse builtWarehouse(String command, PrintWriter err) {
    EntraProperties.Warehouse warehouse = properties(err).warehouse();
    if (Files.exists(warehouse.duckdbFile())) {
      return warehouse;
    }
    err.println(
        command
            + ": there is no warehouse at "
            + warehouse.duckdbFile()
            + " yet: run a load first ('run'), or 'refresh' to build it from the lake.");
    err.flush();
    return null;
  }

  /**
   * The product's settings as the Spring context would bind them (the same sources, in the same
   * order: the run's settings, system properties, the environment, application.yml and the files
   * Spring Boot's {@code spring.config.*} name, then the defaults), without starting one: the
   * read-only commands ({@code query}, {@code report}, {@code status}) need only these, and the
   * context costs them seconds of CPU.
   */
  static EntraProperties properties(PrintWriter err) {
    return bind(err, b -> b.bindOrCreate("entra", EntraProperties.class));
  }

  /** {@code binding} of the settings {@link #properties} reads, refused as a context would be. */
  static <T> T bind(PrintWriter err, Function<Binder, T> binding) {
    Path dir = WarehouseLocation.directory();
    try {
      StandardEnvironment environment = new StandardEnvironment();
      MutablePropertySources sources = environment.getPropertySources();
      sources.addFirst(new SimpleCommandLinePropertySource(arguments(err, Map.of(), false)));
      sources.addLast(new MapPropertySource("defaultProperties", defaults(dir)));
      ConfigDataEnvironmentPostProcessor.applyTo(environment);
      return binding.apply(Binder.get(environment));
    } catch (RuntimeException e) {
      throw startFailure(e, dir);
    }
  }

  /**
   * The Spring context; {@code run} says whether the command changes the warehouse, and so pushes
   * its meters to a Pushgateway when one is set ({@code check} pushes nothing: it would replace a
   * load's meters with its own).
   */
  static ConfigurableApplicationContext spring(
      PrintWriter err, boolean run, Map<String, String> labels) {
    Path dir = WarehouseLocation.directory();
    try {
      Files.createDirectories(dir); // the job repository's file goes there
    } catch (IOException e) {
      throw WarehouseHold.unwritable(dir, e);
    }
    SpringApplication app = new SpringApplication(WarehouseApplication.class);
    app.setDefaultProperties(defaults(dir));
    try {
      return app.run(arguments(err, labels, run));
    } catch (RuntimeException e) {
      throw startFailure(e, dir);
    }
  }

  /**
   * The lowest-precedence settings: the warehouse's directory and job repository, and the standard
   * Azure variables, which entra.* settings override.
   */
  private static Map<String, Object> defaults(Path dir) {
    Map<String, Object> defaults = new LinkedHashMap<>();
    defaults.put("spring.datasource.url", JobRepositoryConfiguration.defaultUrl(dir));
    defaults.put("entra.warehouse.directory", dir.toString());
    Map<String, String> azure =
        Map.of(
            "AZURE_TENANT_ID", "entra.tenant.id",
            "AZURE_CLIENT_ID", "entra.tenant.client-id",
            "AZURE_CLIENT_SECRET", "entra.tenant.client-secret",
            "AZURE_CLIENT_CERTIFICATE_PATH", "entra.tenant.client-certificate-path",
            "AZURE_CLIENT_CERTIFICATE_PASSWORD", "entra.tenant.client-certificate-password",
            "AZURE_USERNAME", "entra.tenant.username",
            "AZURE_PASSWORD", "entra.tenant.password",
            "AZURE_AUTHORITY_HOST", "entra.tenant.authority-host");
    azure.forEach(
        (variable, property) -> {
          String value = System.getenv(variable);
          if (value != null && !value.isBlank()) {
            defaults.put(property, value);
          }
        });
    return defaults;
  }

  /**
   * The run's own settings as Spring's command-line arguments, above every other source. Warns on
   * {@code err} about each secret given as a system property.
   */
  private static String[] arguments(PrintWriter err, Map<String, String> labels, boolean run) {
    for (String key : System.getProperties().stringPropertyNames()) {
      if (SECRET_PROPERTY.matcher(key).find()) {
        err.println(
            "warning: "
                + key
                + " was given on the command line, where any user of this machine can read it in"
                + " the process list; pass it in the environment (AZURE_CLIENT_SECRET,"
                + " AZURE_CLIENT_CERTIFICATE_PASSWORD, AZURE_PASSWORD), a secret file"
                + " (client-secret-file) or a configuration file instead.");
        err.flush();
      }
    }
    Map<String, String> settings = new LinkedHashMap<>(labels);
    settings.putAll(RunSettings.current());
    if (!run) {
      settings.put("management.prometheus.metrics.export.pushgateway.enabled", "false");
    }
    List<String> args = new ArrayList<>();
    settings.forEach((key, value) -> args.add("--" + key + "=" + value));
    return args.toArray(new String[0]);
  }

  /**
   * Why the Spring context could not start, in one line: a setting with a bad value (exit 2), or a
   * job repository that cannot be opened (exit 1), instead of the bean-creation chain.
   */
  static CommandException startFailure(RuntimeException e, Path warehouse) {
    String busy = repositoryBusy(e);
    if (busy != null) {
      return new CommandException(
          LoadCommands.BUSY,
          "The command could not start: " + busy + " Nothing was loaded or changed.",
          e);
    }
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof IllegalArgumentException bad
          && bad.getMessage() != null
          && bad.getMessage().startsWith("entra.")) {
        return new CommandException(LoadCommands.BAD_INPUT, bad.getMessage() + ".", e);
      }
      if (t instanceof BindException bind && bind.getProperty() != null) {
        Throwable root = bind;
        while (root.getCause() != null) {
          root = root.getCause();
        }
        return new CommandException(
            LoadCommands.BAD_INPUT,
            "The setting "
                + bind.getProperty().getName()
                + "="
                + bind.getProperty().getValue()
                + " is not a valid "
                + bind.getTarget().getType()
                + " ("
                + root.getMessage()
                + ").",
            e);
      }
      if (t instanceof SQLException sql) {
        String url =
            JobRepositoryConfiguration.printable(
                Objects.requireNonNullElse(
                    RunSettings.get("spring.datasource.url", "SPRING_DATASOURCE_URL"),
                    JobRepositoryConfiguration.defaultUrl(warehouse)));
        String what =
            WarehouseHold.withDiskSpace(
                sql.getMessage() == null
                    ? sql.toString()
                    : sql.getMessage().lines().findFirst().orElse(""),
                warehouse);
        boolean corrupt =
            what.contains("orrupt")
                || what.contains("malformed")
                || what.contains("not a database");
        return new CommandException(
            LoadCommands.FAILED,
            "The job repository ("
                + url
                + ") cannot be opened: "
                + what
                + (what.endsWith(".") ? "" : ".")
                + (corrupt
                    ? " Restore the file from a backup, or move it aside to start a new job"
                        + " repository: the warehouse's tables stay, but the load history and"
                        + " the resume points of unfinished loads are lost."
                    : " Check spring.datasource.url, its credentials, and that the database is up"
                        + " and has space.")
                + " Nothing was loaded or changed.",
            e);
      }
    }
    return new CommandException(
        LoadCommands.FAILED, "The application could not start: " + LoadOutcome.reason(e), e);
  }

  /**
   * Why {@code e} is the job repository held by another process for longer than it waits (SQLite's
   * SQLITE_BUSY or SQLITE_LOCKED after its busy_timeout; PostgreSQL's lock_not_available), in a
   * sentence that names the repository and what to do; null when it is not.
   */
  static String repositoryBusy(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLException sql) {
        String message = String.valueOf(sql.getMessage());
        boolean sqlite = message.contains("SQLITE_BUSY") || message.contains("SQLITE_LOCKED");
        if (sqlite || "55P03".equals(sql.getSQLState())) {
          String url = repositoryUrl();
          return "the job repository "
              + JobRepositoryConfiguration.printable(url)
              + " is held by another process ("
              + message.lines().findFirst().orElse("")
              + ")"
              + (sqlite ? ", for longer than its busy_timeout (" + busyTimeout(url) + ")" : "")
              + ": another run, restart or abandon on it, or a tool with a transaction open on"
              + " it. Let it finish or close it, then run the same command again.";
        }
      }
    }
    return null;
  }

  /** The job repository's URL as configured, or the default one of the warehouse. */
  private static String repositoryUrl() {
    String url = RunSettings.get("spring.datasource.url", "SPRING_DATASOURCE_URL");
    return JobRepositoryConfiguration.withSqliteSettings(
        url == null ? JobRepositoryConfiguration.defaultUrl(WarehouseLocation.directory()) : url);
  }

  private static String busyTimeout(String url) {
    Matcher m = Pattern.compile("[?&]busy_timeout=([0-9]+)").matcher(url);
    return m.find() ? Long.parseLong(m.group(1)) / 1000.0 + " s" : "not set";
  }
}
