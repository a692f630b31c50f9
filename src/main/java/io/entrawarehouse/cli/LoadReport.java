package io.entrawarehouse.cli;

import io.entrawarehouse.job.DirectoryLoadJob;
import io.entrawarehouse.job.DirectoryLoadLauncher;
import io.entrawarehouse.job.LoadParameters;
import io.entrawarehouse.job.RejectedItems;
import io.entrawarehouse.warehouse.Entity;
import io.entrawarehouse.write.duckdb.DuckDbLoader;
import java.io.PrintWriter;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.step.StepExecution;

/**
 * What the load commands print about a load: the summary of a completed one, exactly which tables a
 * failed one changed, and the executions {@code status} lists. Reads the job repository and
 * DuckDB's {@code _loads}; changes nothing.
 */
final class LoadReport {

  private LoadReport() {}

  /** A job repository time (the JVM's zone) in UTC, to the second: {@code 2026-11-29T22:17:00Z}. */
  static String utc(LocalDateTime time) {
    return time == null
        ? "-"
        : time.atZone(ZoneId.systemDefault())
            .withZoneSameInstant(ZoneOffset.UTC)
            .toInstant()
            .truncatedTo(ChronoUnit.SECONDS)
            .toString();
  }

  /** Every step execution of the load (all its executions), oldest first. */
  private static List<StepExecution> steps(DirectoryLoadLauncher launcher, JobExecution execution) {
    List<StepExecution> steps = new ArrayList<>();
    for (JobExecution e : launcher.repository().getJobExecutions(execution.getJobInstance())) {
      steps.addAll(e.getStepExecutions());
    }
    steps.sort(Comparator.comparing(StepExecution::getId));
    return steps;
  }

  /** Items skipped as malformed while reading one table, over all executions of the load. */
  private static long skipped(List<StepExecution> steps, Entity entity) {
    return steps.stream()
        .filter(s -> s.getStepName().equals(entity.name()))
        .mapToLong(StepExecution::getSkipCount)
        .sum();
  }

  /** Rows per table of a completed load, skips and where they are, and where the files are. */
  static void summary(
      DirectoryLoadLauncher launcher,
      LoadParameters launch,
      JobExecution execution,
      PrintWriter out)
      throws SQLException {
    long loadId = execution.getJobInstanceId();
    Map<String, DuckDbLoader.Loaded> loads = launcher.duckdb().loads(loadId, launch.tenantId());
    List<StepExecution> steps = steps(launcher, execution);
    if (loads.isEmpty()) {
      out.println(
          "  The DuckDB file holds no record of load "
              + loadId
              + ": it was removed or replaced since. To load again, add reload=true.");
    } else {
      out.printf("  %-18s %12s %12s %8s%n", "table", "loaded", "in table", "skipped");
      long skippedInAll = 0;
      for (Entity entity : launch.entities()) {
        DuckDbLoader.Loaded loaded = loads.get(entity.name());
        long skipped = skipped(steps, entity);
        skippedInAll += skipped;
        out.printf(
            "  %-18s %12s %12s %8d%n",
            entity.name(),
            loaded == null || loaded.rowsLoaded() < 0 ? "?" : Long.toString(loaded.rowsLoaded()),
            loaded == null ? "?" : Long.toString(loaded.tableRows()),
            skipped);
      }
      if (skippedInAll > 0) {
        out.println(
            "  "
                + skippedInAll
                + " malformed items were skipped (a WARN line each, above): they are kept, with"
                + " the reason, in "
                + RejectedItems.file(launcher.rejectedDirectory(), loadId, launch.entities().get(0))
                    .getParent()
                + "/<table>.jsonl");
      }
    }
    out.println("  DuckDB:  " + launcher.duckdb().file().toAbsolutePath());
    out.println("  Parquet: " + launcher.properties().warehouse().lake());
    out.flush();
  }

  /**
   * The failure of a load, and exactly which tables it changed: a table's load step replaces the
   * tenant's rows in DuckDB in one transaction (recorded in {@code _loads}), then publishes them to
   * the lake.
   */
  static void failure(
      DirectoryLoadLauncher launcher,
      LoadParameters launch,
      JobExecution execution,
      Duration took,
      PrintWriter err) {
    err.println(
        "directory-load "
            + execution.getStatus()
            + " after "
            + took.toSeconds()
            + " s (execution "
            + execution.getId()
            + ", load "
            + execution.getJobInstanceId()
            + "):");
    for (Throwable t : execution.getAllFailureExceptions()) {
      err.println(
          "  "
              + LoadCommands.withDiskSpace(
                  DirectoryLoadJob.reason(t), launcher.properties().warehouse().directory()));
    }
    Map<String, DuckDbLoader.Loaded> inDuckDb;
    String duckDbUnknown = null;
    try {
      inDuckDb = launcher.duckdb().loads(execution.getJobInstanceId(), launch.tenantId());
    } catch (SQLException | RuntimeException e) {
      inDuckDb = Map.of();
      duckDbUnknown = DirectoryLoadJob.reason(e);
    }
    List<StepExecution> steps = steps(launcher, execution);
    List<String> now = new ArrayList<>();
    List<String> earlier = new ArrayList<>();
    List<String> untouched = new ArrayList<>();
    List<String> halfway = new ArrayList<>();
    for (Entity entity : launch.entities()) {
      String loadStep = entity.name() + "-load";
      StepExecution done =
          steps.stream()
              .filter(
                  s -> s.getStepName().equals(loadStep) && s.getStatus() == BatchStatus.COMPLETED)
              .findFirst()
              .orElse(null);
      if (done != null) {
        (done.getJobExecutionId() == execution.getId() ? now : earlier).add(entity.name());
      } else if (inDuckDb.containsKey(entity.name())) {
        halfway.add(entity.name());
      } else {
        untouched.add(entity.name());
      }
    }
    if (!now.isEmpty()) {
      err.println(
          "Changed by this run: "
              + String.join(", ", now)
              + " (DuckDB and the lake now hold this load's rows).");
    }
    if (!earlier.isEmpty()) {
      err.println(
          "Changed by an earlier attempt of this load: " + String.join(", ", earlier) + ".");
    }
    for (String table : halfway) {
      err.println(
          "Changed in DuckDB only: "
              + table
              + " (DuckDB holds this load's rows; publishing them to the lake did not finish).");
    }
    if (!untouched.isEmpty()) {
      err.println(
          "Not changed: "
              + String.join(", ", untouched)
              + (duckDbUnknown == null
                  ? " (they hold what they held before this run)."
                  : " in the job repository's view; DuckDB could not be read to confirm it ("
                      + duckDbUnknown
                      + ")."));
    }
    err.println(
        "Fix the cause and run the same command again, or 'restart', to resume from the last"
            + " committed chunk; 'abandon' gives up on this load.");
    err.flush();
  }

  /** One execution for {@code status}: parameters, times in UTC, failure cause, steps. */
  static void execution(JobExecution e, PrintWriter out) {
    out.printf(
        "execution %d (load %d) %s, started %s, ended %s%n    %s%n",
        e.getId(),
        e.getJobInstanceId(),
        e.getStatus(),
        utc(e.getStartTime()),
        utc(e.getEndTime()),
        e.getJobParameters().parameters().stream()
            .sorted(Comparator.comparing(p -> p.name()))
            .map(p -> p.name() + "=" + p.value())
            .toList());
    String failure = failure(e);
    if (failure != null) {
      out.println("    failed: " + failure);
    }
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

  /**
   * The first line of an execution's failure: the cause the job recorded, else the first line of
   * its or a failed step's exit description; null when it did not fail.
   */
  static String failure(JobExecution e) {
    if (e.getStatus() != BatchStatus.FAILED && e.getStatus() != BatchStatus.ABANDONED) {
      return null;
    }
    if (e.getExecutionContext().containsKey(DirectoryLoadJob.FAILURE)) {
      return e.getExecutionContext().getString(DirectoryLoadJob.FAILURE);
    }
    List<String> descriptions = new ArrayList<>();
    e.getStepExecutions().stream()
        .filter(s -> s.getStatus() == BatchStatus.FAILED)
        .forEach(s -> descriptions.add(s.getExitStatus().getExitDescription()));
    descriptions.add(e.getExitStatus().getExitDescription());
    return descriptions.stream()
        .filter(d -> d != null && !d.isBlank())
        .map(d -> d.lines().findFirst().orElse(d))
        .findFirst()
        .orElse(e.getStatus() == BatchStatus.FAILED ? "(no cause recorded)" : null);
  }
}
