package io.entrawarehouse.cli;

import io.entrawarehouse.config.EntraProperties;
import io.entrawarehouse.graph.GraphEndpoint;
import io.entrawarehouse.graph.TenantEndpoints;
import io.entrawarehouse.job.DirectoryLoadJob;
import io.entrawarehouse.job.DirectoryLoadLauncher;
import io.entrawarehouse.job.JobRepositoryConfiguration;
import io.entrawarehouse.job.LoadParameters;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileSystem;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.dao.DataAccessException;

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

  /**
   * The load completed but Graph denied some tables (a permission, a licence): left as they were.
   */
  static final int PARTIAL = 4;

  private LoadCommands() {}

  /** The worse of two exit codes: failed, bad input, busy, partial, ok. */
  static int worse(int a, int b) {
    List<Integer> order = List.of(OK, PARTIAL, BUSY, BAD_INPUT, FAILED);
    return order.indexOf(a) >= order.indexOf(b) ? a : b;
  }

  static Path warehouseDirectory() {
    String configured =
        System.getProperty("entra.warehouse.directory", System.getenv("ENTRA_WAREHOUSE_DIRECTORY"));
    return Path.of(configured == null || configured.isBlank() ? "warehouse" : configured)
        .toAbsolutePath();
  }

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
    return spring(err, false);
  }

  /**
   * The warehouse's settings, for a command that reads {@code entra.duckdb}; null, having said on
   * {@code err} what to run first, when no load has built it yet.
   */
  static EntraProperties.Warehouse builtWarehouse(String command, PrintWriter err) {
    EntraProperties.Warehouse warehouse;
    try (ConfigurableApplicationContext spring = spring(err)) {
      warehouse = spring.getBean(EntraProperties.class).warehouse();
    }
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
   * The Spring context; {@code run} says whether the command changes the warehouse, and so pushes
   * its meters to a Pushgateway when one is set ({@code query} and {@code status} push nothing:
   * they would replace a load's meters with their own).
   */
  static ConfigurableApplicationContext spring(PrintWriter err, boolean run) {
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
    try {
      Files.createDirectories(dir); // the job repository's file goes there
    } catch (IOException e) {
      throw unwritable(dir, e);
    }
    SpringApplication app = new SpringApplication(WarehouseApplication.class);
    Map<String, Object> defaults = new LinkedHashMap<>();
    defaults.put("spring.datasource.url", JobRepositoryConfiguration.defaultUrl(dir));
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
    try {
      return run
          ? app.run()
          : app.run("--management.prometheus.metrics.export.pushgateway.enabled=false");
    } catch (RuntimeException e) {
      throw startFailure(e, dir);
    }
  }

  /**
   * Why the Spring context could not start, in one line: a setting with a bad value (exit 2), or a
   * job repository that cannot be opened (exit 1), instead of the bean-creation chain.
   */
  static CommandException startFailure(RuntimeException e, Path warehouse) {
    String busy = repositoryBusy(e);
    if (busy != null) {
      return new CommandException(
          BUSY, "The command could not start: " + busy + " Nothing was loaded or changed.", e);
    }
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof IllegalArgumentException bad
          && bad.getMessage() != null
          && bad.getMessage().startsWith("entra.")) {
        return new CommandException(BAD_INPUT, bad.getMessage() + ".", e);
      }
      if (t instanceof BindException bind && bind.getProperty() != null) {
        Throwable root = bind;
        while (root.getCause() != null) {
          root = root.getCause();
        }
        return new CommandException(
            BAD_INPUT,
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
                System.getProperty(
                    "spring.datasource.url",
                    System.getenv()
                        .getOrDefault(
                            "SPRING_DATASOURCE_URL",
                            JobRepositoryConfiguration.defaultUrl(warehouse))));
        String what =
            withDiskSpace(
                sql.getMessage() == null
                    ? sql.toString()
                    : sql.getMessage().lines().findFirst().orElse(""),
                warehouse);
        boolean corrupt =
            what.contains("orrupt")
                || what.contains("malformed")
                || what.contains("not a database");
        return new CommandException(
            FAILED,
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
        FAILED, "The application could not start: " + DirectoryLoadJob.reason(e), e);
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
    String url =
        System.getProperty("spring.datasource.url", System.getenv("SPRING_DATASOURCE_URL"));
    return JobRepositoryConfiguration.withSqliteSettings(
        url == null ? JobRepositoryConfiguration.defaultUrl(warehouseDirectory()) : url);
  }

  private static String busyTimeout(String url) {
    Matcher m = Pattern.compile("[?&]busy_timeout=([0-9]+)").matcher(url);
    return m.find() ? Long.parseLong(m.group(1)) / 1000.0 + " s" : "not set";
  }

  /** What a command that changes the warehouse does with the launcher; returns an exit code. */
  interface WarehouseAction {
    int apply(DirectoryLoadLauncher launcher) throws Exception;
  }

  /**
   * Runs a command that changes the warehouse: holds the warehouse's lock (exit 3 when another run
   * holds it), starts the Spring context, and releases both afterwards.
   */
  static int holdingWarehouse(PrintWriter err, WarehouseAction action) throws Exception {
    WarehouseLock lock = lock(warehouseDirectory());
    if (lock == null) {
      return busy(err);
    }
    try (lock;
        ConfigurableApplicationContext spring = spring(err, true)) {
      int exit = FAILED;
      try {
        exit = action.apply(spring.getBean(DirectoryLoadLauncher.class));
        return exit;
      } finally {
        // Also after a failure: its meters say what it did before it stopped. Spring Boot pushes
        // them to the Pushgateway, when one is set, as the context closes.
        RunMetrics.finish(spring, exit, err);
      }
    }
  }

  /** The warehouse held by this process; closing it releases the lock and its file. */
  static final class WarehouseLock implements AutoCloseable {
    private final FileChannel channel;

    private WarehouseLock(FileChannel channel) {
      this.channel = channel;
    }

    @Override
    public void close() throws IOException {
      channel.close(); // releases the lock too
    }
  }

  /** Holds the warehouse for one run; null when another process holds it. */
  static WarehouseLock lock(Path dir) {
    FileChannel channel;
    try {
      Files.createDirectories(dir);
      channel =
          FileChannel.open(
              dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw unwritable(dir, e);
    }
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException heldByThisProcess) {
      lock = null;
    } catch (IOException e) {
      throw new CommandException(
          FAILED, "Cannot lock the warehouse " + dir + ": " + e.getMessage(), e);
    }
    if (lock == null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // Only a descriptor of ours to release.
      }
      return null;
    }
    return new WarehouseLock(channel);
  }

  /**
   * A failure's message, with the free space of the warehouse's disk when the failure is an I/O
   * error and that disk is nearly full: SQLite, for one, says only "disk I/O error".
   */
  static String withDiskSpace(String message, Path dir) {
    if (message.contains("No space left on device")
        || !(message.contains("I/O error")
            || message.contains("IOERR")
            || message.contains("SQLITE_FULL"))) {
      return message;
    }
    try {
      Path existing = dir;
      while (existing != null && !Files.exists(existing)) {
        existing = existing.getParent();
      }
      long free = existing == null ? -1 : Files.getFileStore(existing).getUsableSpace();
      if (free >= 0 && free < 16L * 1024 * 1024) {
        return message
            + " No space left on device: the file system of "
            + dir
            + " has "
            + free / 1024
            + " KB free.";
      }
    } catch (IOException cannotTell) {
      // The message stands as it is.
    }
    return message;
  }

  private static CommandException unwritable(Path dir, IOException e) {
    return new CommandException(
        FAILED,
        "Cannot write to the warehouse directory "
            + dir
            + " ("
            + (e.getMessage() == null ? e.toString() : e.getMessage())
            + "): give this user write access, free space there, or set"
            + " entra.warehouse.directory to another folder. Nothing was loaded or changed.",
        e);
  }

  /** What a command does with one tenant's connection; returns an exit code. */
  interface TenantAction {
    int apply(DirectoryLoadLauncher.Connection connection) throws Exception;
  }

  /** Removes a {@code key=true|false} flag from the launch; false when absent. */
  static boolean flag(Map<String, String> args, String key) {
    String value = args.remove(key);
    if (value == null || value.equalsIgnoreCase("false")) {
      return false;
    }
    if (value.equalsIgnoreCase("true")) {
      return true;
    }
    throw new IllegalArgumentException(key + " must be true or false, got '" + value + "'.");
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
      try (DirectoryLoadLauncher.Connection demo = DemoConnection.connect(launcher, say(out))) {
        return action.apply(demo);
      }
    }
    int worst = OK;
    for (GraphEndpoint endpoint : TenantEndpoints.select(configured, selection)) {
      say(out).accept(describe(endpoint));
      try (DirectoryLoadLauncher.Connection connection = launcher.connect(endpoint)) {
        worst = worse(worst, action.apply(connection));
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
      DirectoryLoadLauncher.Connection demo = DemoConnection.connect(launcher, say(out));
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

  private static Consumer<String> say(PrintWriter out) {
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
      Set<String> caughtUp = launcher.catchUp(done, launch);
      if (!caughtUp.isEmpty()) {
        out.println(
            "DuckDB took "
                + String.join(", ", caughtUp)
                + " from the lake: it did not hold load "
                + DirectoryLoadJob.loadId(done)
                + ", which had committed them (the load's process stopped first, or the file was"
                + " removed or replaced since).");
      }
      out.printf(
          "directory-load already COMPLETED for these parameters (load %d, finished %s):"
              + " nothing to do. To load again, add reload=true.%n",
          DirectoryLoadJob.loadId(done), LoadReport.utc(done.getEndTime()));
      DirectoryLoadJob.Refused refused = DirectoryLoadJob.refused(launcher.repository(), done);
      LoadReport.summary(launcher, launch, done, refused.tables(), out);
      return refused(launch, refused, err);
    }
    out.flush();
    long start = System.nanoTime();
    JobExecution execution;
    try {
      execution = launcher.run(connection, launch);
    } catch (Exception e) {
      String busy = repositoryBusy(e);
      if (busy != null) {
        err.println(
            "directory-load could not run: "
                + busy
                + " 'status' shows which tables this load finished (its COMPLETED load steps);"
                + " the others were not changed.");
        err.flush();
        return BUSY;
      }
      if (e instanceof IllegalArgumentException bad) {
        // A setting refused as the job started (the lake's catalog elsewhere): nothing ran.
        err.println("directory-load could not run: " + bad.getMessage());
        err.flush();
        return BAD_INPUT;
      }
      // The job could not start, or could not record its progress: a failed run.
      boolean repository = false;
      for (Throwable t = e; t != null && !repository; t = t.getCause()) {
        repository = t instanceof SQLException || t instanceof DataAccessException;
      }
      err.println(
          "directory-load could not run: "
              + (repository ? "the job repository (" + launcher.repositoryUrl() + ") failed: " : "")
              + withDiskSpace(DirectoryLoadJob.reason(e), warehouseDirectory())
              + (repository ? ". Free space or fix the database, then" : ". Fix that, then")
              + " run the same command again. 'status' shows which tables this load finished"
              + " (its COMPLETED load steps); the others were not changed.");
      err.flush();
      return FAILED;
    } finally {
      // Close Hadoop's cached file systems while logging still works (their shutdown hook would
      // log after Spring has stopped it).
      FileSystem.closeAll();
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    if (execution.getStatus() != BatchStatus.COMPLETED) {
      return LoadReport.failure(launcher, launch, execution, took, err);
    }
    DirectoryLoadJob.Refused refused = DirectoryLoadJob.refused(launcher.repository(), execution);
    out.printf(
        "directory-load %s in %.1f s (load %d, peak heap %d MB)%n",
        refused.isEmpty()
            ? "COMPLETED"
            : refused.tables().size() < launch.entities().size() ? "PARTIAL" : "FAILED",
        took.toMillis() / 1000.0,
        DirectoryLoadJob.loadId(execution),
        peakHeapBytes() / (1024 * 1024));
    LoadReport.summary(launcher, launch, execution, refused.tables(), out);
    report(launcher, out, err);
    return refused(launch, refused, err);
  }

  /** Writes the HTML report after a load; a report that cannot be written fails nothing. */
  private static void report(DirectoryLoadLauncher launcher, PrintWriter out, PrintWriter err) {
    Path duckdb = launcher.properties().warehouse().duckdbFile();
    if (!launcher.properties().warehouse().duckdb() || !Files.exists(duckdb)) {
      return;
    }
    try {
      out.println(
          "  Report:  " + Report.write(duckdb, launcher.properties().warehouse().duckdbMemory()));
    } catch (Exception e) {
      err.println(
          "warning: the report was not written ("
              + e.getMessage()
              + "); the load is complete. 'report' writes it again.");
    }
    out.flush();
    err.flush();
  }

  /**
   * Names each table Graph denied a completed load, and each loaded without its extra property,
   * with what to do; returns {@link #PARTIAL} when anything else loaded, {@link #FAILED} when Graph
   * denied every table of the launch, else {@link #OK}.
   */
  private static int refused(
      LoadParameters launch, DirectoryLoadJob.Refused refused, PrintWriter err) {
    if (refused.isEmpty()) {
      return OK;
    }
    Map<String, String> denied = refused.tables();
    boolean all = denied.size() >= launch.entities().size();
    if (!denied.isEmpty()) {
      err.println(
          all
              ? "directory-load FAILED: Graph denied every table of this launch, and none was"
                  + " changed:"
              : "directory-load PARTIAL: every other table loaded; these were left as they were,"
                  + " as Graph denied them or does not offer them in the tenant's cloud:");
      denied.forEach((table, why) -> err.println("  " + table + ": " + why));
      err.println(
          "Grant or license what is named (and admin consent), then load "
              + (all ? "again" : "them")
              + " with reload=true"
              + (all ? "." : ", or leave them out of entities=."));
    }
    if (!refused.extras().isEmpty()) {
      err.println("directory-load PARTIAL: these tables loaded without a property Graph refused:");
      refused.extras().forEach((table, why) -> err.println("  " + table + ": " + why));
    }
    err.flush();
    return all ? FAILED : PARTIAL;
  }

  /** The sum of the heap pools' peak usage: an upper bound of the peak heap. */
  static long peakHeapBytes() {
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    return peak;
  }

  /** The launch parameters, with {@code @file} launches expanded ({@link LaunchFiles}). */
  static Map<String, String> keyValues(List<String> args) {
    Map<String, String> map = new LinkedHashMap<>();
    for (String arg : LaunchFiles.expand(args)) {
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

  /**
   * Each tenant's newest execution, when it neither completed nor was abandoned: what {@code
   * restart} resumes and {@code abandon} gives up on.
   */
  static List<JobExecution> unfinished(DirectoryLoadLauncher launcher) {
    return newest(launcher).stream()
        .filter(
            e -> e.getStatus() != BatchStatus.COMPLETED && e.getStatus() != BatchStatus.ABANDONED)
        .toList();
  }

  /** Each tenant's newest execution. */
  static List<JobExecution> newest(DirectoryLoadLauncher launcher) {
    Map<String, JobExecution> newest = new LinkedHashMap<>();
    for (JobExecution e : recentExecutions(launcher, 200)) {
      newest.putIfAbsent(LoadParameters.of(e.getJobParameters()).tenantId(), e);
    }
    return List.copyOf(newest.values());
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
}
