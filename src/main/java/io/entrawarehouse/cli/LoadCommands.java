package io.entrawarehouse.cli;

import io.entrawarehouse.job.DirectoryLoadJob;
import io.entrawarehouse.job.DirectoryLoadLauncher;
import io.entrawarehouse.job.LoadOutcome;
import io.entrawarehouse.job.LoadParameters;
import io.entrawarehouse.warehouse.Entities;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.apache.hadoop.fs.FileSystem;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.dao.DataAccessException;

/**
 * What {@code run}, {@code restart} and {@code status} share: the exit codes, the launch's
 * arguments, and a load run to its summary. The Spring context is {@link SpringBootstrap}'s, the
 * lock {@link WarehouseHold}'s, the tenants {@link Tenants}'.
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
      LoadOutcome.Refused refused = LoadOutcome.refused(launcher.repository(), done);
      LoadReport.summary(launcher, launch, done, refused.tables(), out);
      return refused(launch, refused, err);
    }
    List<String> refusedQueries = QueryProbe.refused(connection.graph(), launch);
    if (!refusedQueries.isEmpty()) {
      JobExecution earlier =
          launcher
              .repository()
              .getLastJobExecution(DirectoryLoadJob.NAME, launch.toJobParameters());
      err.println(
          "directory-load did not start: "
              + String.join(" ", refusedQueries)
              + " Nothing was changed: no table was read or written. Correct the parameter and run"
              + " again."
              + (earlier == null
                  ? ""
                  : " The earlier failed load of these parameters stays as it was; 'abandon' gives"
                      + " it up."));
      err.flush();
      return BAD_INPUT;
    }
    out.flush();
    long start = System.nanoTime();
    JobExecution execution;
    try {
      execution = launcher.run(connection, launch);
    } catch (Exception e) {
      String busy = SpringBootstrap.repositoryBusy(e);
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
              + WarehouseHold.withDiskSpace(LoadOutcome.reason(e), WarehouseLocation.directory())
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
    LoadOutcome.Refused refused = LoadOutcome.refused(launcher.repository(), execution);
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
  private static int refused(LoadParameters launch, LoadOutcome.Refused refused, PrintWriter err) {
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
    for (JobExecution e : recentExecutions(launcher.repository(), 200)) {
      newest.putIfAbsent(LoadParameters.of(e.getJobParameters()).tenantId(), e);
    }
    return List.copyOf(newest.values());
  }

  /** The refusal of a table name the warehouse does not have, with the names it has. */
  static String unknownTable(String name) {
    return "no table '" + name + "'; the tables: " + String.join(", ", Entities.tables().keySet());
  }

  /** The most recent executions, newest first. */
  static List<JobExecution> recentExecutions(JobRepository repository, int count) {
    List<JobExecution> executions = new ArrayList<>();
    for (JobInstance instance : repository.getJobInstances(DirectoryLoadJob.NAME, 0, count)) {
      executions.addAll(repository.getJobExecutions(instance));
    }
    executions.sort(Comparator.comparing(JobExecution::getId).reversed());
    return executions.size() > count ? executions.subList(0, count) : executions;
  }
}
