package io.entrawarehouse.cli;

import io.entrawarehouse.WarehouseApplication;
import io.entrawarehouse.graph.GraphEndpoint;
import io.entrawarehouse.graph.TenantEndpoints;
import io.entrawarehouse.job.DirectoryLoadJob;
import io.entrawarehouse.job.DirectoryLoadLauncher;
import io.entrawarehouse.job.LoadParameters;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * What {@code run}, {@code restart} and {@code status} share: the Spring context, the lock, the
 * summary.
 */
final class LoadCommands {

  /** Exit codes. */
  static final int OK = 0;

  static final int FAILED = 1;
  static final int BAD_INPUT = 2;
  static final int BUSY = 3;

  private LoadCommands() {}

  static Path warehouseDirectory() {
    String configured =
        System.getProperty("entra.warehouse.directory", System.getenv("ENTRA_WAREHOUSE_DIRECTORY"));
    return Path.of(configured == null || configured.isBlank() ? "warehouse" : configured)
        .toAbsolutePath();
  }

  /**
   * Properties that hold a secret: given as -D they are readable by anyone who can list processes.
   */
  private static final java.util.regex.Pattern SECRET_PROPERTY =
      java.util.regex.Pattern.compile(
          "(?i)entra\\.tenants?\\..*(client-?secret|certificate-?password|password)$");

  /**
   * The Spring context of the load commands. Warns on {@code err} about each secret given on the
   * command line.
   */
  static ConfigurableApplicationContext spring(PrintWriter err) {
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
    Path dir = warehouseDirectory();
    SpringApplication app = new SpringApplication(WarehouseApplication.class);
    Map<String, Object> defaults = new LinkedHashMap<>();
    defaults.put(
        "spring.datasource.url",
        "jdbc:h2:file:" + dir.resolve("job-repository") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0");
    defaults.put("spring.datasource.username", "sa");
    defaults.put("entra.warehouse.directory", dir.toString());
    // The standard Azure variables, at the lowest precedence: entra.* settings override them.
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
    app.setDefaultProperties(defaults);
    return app.run();
  }

  /** Holds the warehouse for one run; null when another process holds it. */
  static FileLock lock(Path dir) throws IOException {
    Files.createDirectories(dir);
    FileChannel channel =
        FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (java.nio.channels.OverlappingFileLockException heldByThisProcess) {
      lock = null;
    }
    if (lock == null) {
      channel.close();
    }
    return lock;
  }

  /** What a command does with one tenant's connection; returns an exit code. */
  interface TenantAction {
    int apply(DirectoryLoadLauncher.Connection connection) throws Exception;
  }

  /** Removes and returns the launch's tenant selection ({@code tenant=<name>|all}). */
  static String tenantSelection(Map<String, String> args) {
    return args.remove("tenant");
  }

  /**
   * Runs {@code action} for each tenant the selection names (all configured tenants by default),
   * one connection at a time, or for the demo tenant when none is configured. Returns the worst
   * exit code.
   */
  static int forEachTenant(
      DirectoryLoadLauncher launcher, String selection, PrintWriter out, TenantAction action)
      throws Exception {
    List<GraphEndpoint> configured = launcher.tenants();
    if (configured.isEmpty()
        && (selection == null || selection.equals("all") || selection.equals("demo"))) {
      try (DirectoryLoadLauncher.Connection demo = launcher.connectDemo(say(out))) {
        return action.apply(demo);
      }
    }
    int worst = OK;
    for (GraphEndpoint endpoint : TenantEndpoints.select(configured, selection)) {
      say(out).accept(describe(endpoint));
      try (DirectoryLoadLauncher.Connection connection = launcher.connect(endpoint)) {
        worst = Math.max(worst, action.apply(connection));
      }
    }
    return worst;
  }

  /**
   * Connects to the tenant with this id (a restart's), the demo tenant, or null if not configured.
   */
  static DirectoryLoadLauncher.Connection connectTo(
      DirectoryLoadLauncher launcher, String tenantId, PrintWriter out) {
    List<GraphEndpoint> configured = launcher.tenants();
    if (configured.isEmpty()) {
      DirectoryLoadLauncher.Connection demo = launcher.connectDemo(say(out));
      if (demo.tenantId().equals(tenantId)) {
        return demo;
      }
      demo.close();
      return null;
    }
    for (GraphEndpoint endpoint : configured) {
      if (endpoint.tenantId().equalsIgnoreCase(tenantId)) {
        say(out).accept(describe(endpoint));
        return launcher.connect(endpoint);
      }
    }
    return null;
  }

  private static String describe(GraphEndpoint endpoint) {
    return "Tenant "
        + endpoint.name()
        + " ("
        + endpoint.tenantId()
        + "): "
        + endpoint.graphBaseUrl()
        + " with "
        + endpoint.credential().describe();
  }

  private static java.util.function.Consumer<String> say(PrintWriter out) {
    return line -> {
      out.println(line);
      out.flush();
    };
  }

  /** Says the warehouse is held by another run; returns {@link #BUSY}. */
  static int busy(PrintWriter err) {
    err.println(
        "Another run holds the warehouse "
            + warehouseDirectory()
            + " (lock file .lock). Wait for it to finish, then try again.");
    err.flush();
    return BUSY;
  }

  /** Runs a launch and prints its summary; returns the exit code. */
  static int runAndReport(
      DirectoryLoadLauncher launcher,
      LoadParameters launch,
      DirectoryLoadLauncher.Connection connection,
      PrintWriter out,
      PrintWriter err)
      throws Exception {
    out.println("directory-load: " + launch.describe());
    JobExecution done = launcher.completed(launch);
    if (done != null) {
      out.printf(
          "directory-load already COMPLETED for these parameters (load %d, finished %s):"
              + " nothing to do. To load again, change run.date or the window (since/until).%n",
          done.getJobInstanceId(),
          done.getEndTime() == null
              ? "?"
              : done.getEndTime()
                  .atZone(java.time.ZoneId.systemDefault())
                  .toOffsetDateTime()
                  .truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
      return summary(launcher, done, out);
    }
    out.flush();
    long start = System.nanoTime();
    JobExecution execution;
    try {
      execution = launcher.run(connection, launch);
    } finally {
      // Close Hadoop's cached file systems while logging still works (their shutdown hook would
      // log after Spring has stopped it).
      org.apache.hadoop.fs.FileSystem.closeAll();
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    if (execution.getStatus() != BatchStatus.COMPLETED) {
      err.println(
          "directory-load "
              + execution.getStatus()
              + " after "
              + took.toSeconds()
              + " s (execution "
              + execution.getId()
              + "):");
      for (Throwable t : execution.getAllFailureExceptions()) {
        err.println("  " + rootMessage(t));
      }
      err.println(
          "Nothing already loaded was changed. Fix the cause and run the same command again, or 'restart', to resume from the last committed chunk.");
      err.flush();
      return FAILED;
    }
    out.printf(
        "directory-load COMPLETED in %.1f s (load %d, peak heap %d MB)%n",
        took.toMillis() / 1000.0, execution.getJobInstanceId(), peakHeapBytes() / (1024 * 1024));
    return summary(launcher, execution, out);
  }

  /** Rows per table of a completed load, and where the files are. */
  private static int summary(
      DirectoryLoadLauncher launcher, JobExecution execution, PrintWriter out) throws SQLException {
    int tables = 0;
    if (java.nio.file.Files.exists(launcher.duckdb().file())) {
      out.printf("  %-18s %12s%n", "table", "rows");
      try (Connection c = launcher.duckdb().connect();
          Statement s = c.createStatement();
          ResultSet r =
              s.executeQuery(
                  "SELECT table_name, row_count FROM _loads WHERE load_id = "
                      + execution.getJobInstanceId()
                      + " ORDER BY table_name")) {
        for (; r.next(); tables++) {
          out.printf("  %-18s %12d%n", r.getString(1), r.getLong(2));
        }
      } catch (SQLException noLoadsTable) {
        // A DuckDB file created since the load, without its record: said below.
      }
    }
    if (tables == 0) {
      out.println(
          "  The DuckDB file holds no record of load "
              + execution.getJobInstanceId()
              + ": it was removed or replaced since. To load again, change run.date or the"
              + " window (since/until).");
    }
    out.println("  DuckDB:  " + launcher.duckdb().file().toAbsolutePath());
    out.println("  Parquet: " + launcher.properties().warehouse().lake());
    out.flush();
    return OK;
  }

  /** The sum of the heap pools' peak usage: an upper bound of the peak heap. */
  static long peakHeapBytes() {
    long peak = 0;
    for (java.lang.management.MemoryPoolMXBean pool :
        java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == java.lang.management.MemoryType.HEAP) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    return peak;
  }

  static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null
        && root.getCause() != root
        && !(root instanceof io.entrawarehouse.graph.GraphException)) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.toString() : root.getMessage();
  }

  static Map<String, String> keyValues(List<String> args) {
    Map<String, String> map = new LinkedHashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("Parameters are key=value, got '" + arg + "'.");
      }
      map.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    return map;
  }

  static LocalDate today() {
    return LocalDate.now(ZoneOffset.UTC);
  }

  /** The most recent executions, newest first. */
  static List<JobExecution> recentExecutions(DirectoryLoadLauncher launcher, int count) {
    List<JobExecution> executions = new ArrayList<>();
    for (JobInstance instance :
        launcher.repository().getJobInstances(DirectoryLoadJob.NAME, 0, count)) {
      executions.addAll(launcher.repository().getJobExecutions(instance));
    }
    executions.sort(Comparator.comparing(JobExecution::getId).reversed());
    return executions.size() > count ? executions.subList(0, count) : executions;
  }

  static void printExecution(JobExecution e, PrintWriter out) {
    out.printf(
        "execution %d (load %d) %s, started %s, ended %s%n    %s%n",
        e.getId(),
        e.getJobInstanceId(),
        e.getStatus(),
        e.getStartTime(),
        e.getEndTime(),
        e.getJobParameters().parameters().stream()
            .sorted(Comparator.comparing(p -> p.name()))
            .map(p -> p.name() + "=" + p.value())
            .toList());
    List<StepExecution> steps = new ArrayList<>(e.getStepExecutions());
    steps.sort(Comparator.comparing(StepExecution::getId));
    for (StepExecution s : steps) {
      out.printf(
          "    %-22s %-9s read %8d  written %8d  skipped %5d  commits %6d%n",
          s.getStepName(),
          s.getStatus(),
          s.getReadCount(),
          s.getWriteCount(),
          s.getSkipCount(),
          s.getCommitCount());
    }
  }
}
