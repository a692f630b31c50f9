package io.entrawarehouse.cli;

import io.entrawarehouse.job.DirectoryLoadJob;
import io.entrawarehouse.job.DirectoryLoadLauncher;
import io.entrawarehouse.job.LoadOutcome;
import io.entrawarehouse.job.LoadParameters;
import io.entrawarehouse.job.RejectedItems;
import io.entrawarehouse.read.PerParentItemReader;
import io.entrawarehouse.warehouse.Entities;
import io.entrawarehouse.warehouse.Entity;
import io.entrawarehouse.write.duckdb.DuckDbLoader;
import io.entrawarehouse.write.iceberg.IcebergLake;
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
import java.util.TreeMap;
import org.apache.iceberg.Snapshot;
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

  /** The lake's commit of a load to each table of the launch that has one, by table name. */
  private static Map<String, Snapshot> commits(
      DirectoryLoadLauncher launcher, LoadParameters launch, JobExecution execution) {
    Map<String, Snapshot> commits = new TreeMap<>();
    if (!execution.getExecutionContext().containsKey(DirectoryLoadJob.LOAD_UID)) {
      return commits;
    }
    String uid = execution.getExecutionContext().getString(DirectoryLoadJob.LOAD_UID);
    try (IcebergLake lake = launcher.lake()) {
      for (Entity entity : launch.entities()) {
        Snapshot s = lake.committed(entity, uid);
        if (s != null) {
          commits.put(entity.name(), s);
        }
      }
    }
    return commits;
  }

  /**
   * What the load changed in the tables that keep history. After a read of the whole directory
   * ({@code directory=full}, the reconciliation launch), that is what the delta loads before it had
   * not seen: memberships added, removed and renamed, sign-in activity that delta cannot select.
   */
  private static void changes(
      DirectoryLoadLauncher launcher, LoadParameters launch, long loadId, PrintWriter out)
      throws SQLException {
    List<String> histories = new ArrayList<>();
    for (Entity entity : launch.entities()) {
      Entity history = Entities.history(entity);
      if (history != null) {
        histories.add(history.name());
      }
    }
    Map<String, long[]> counts =
        launcher.duckdb().historyCounts(loadId, launch.tenantId(), histories);
    if (counts.values().stream().allMatch(c -> c[0] + c[1] + c[2] == 0)) {
      if (launch.fullDirectory() && !counts.isEmpty()) {
        out.println(
            "  Read in full, nothing differed from what the loads before it had loaded: nothing"
                + " to repair.");
      }
      return;
    }
    out.println(
        launch.fullDirectory()
            ? "  Read in full, this load changed (what delta loads before it had not seen, repaired):"
            : "  This load changed:");
    counts.forEach(
        (table, c) -> {
          if (c[0] + c[1] + c[2] > 0) {
            String name = table.substring(0, table.length() - "_history".length());
            // A row of a per-parent table is a pair: what changes in it is the member's name.
            boolean members = Entities.ALL.get(name).parent() != null;
            out.printf(
                "    %-25s %d added, %d removed, %d %s%n",
                name, c[0], c[2], c[1], members ? "renamed" : "changed");
          }
        });
  }

  /**
   * Rows per table of a completed load, skips and where they are, and where the data is.
   *
   * @param denied the tables Graph denied the load ({@link LoadOutcome#refused}), shown so
   */
  static void summary(
      DirectoryLoadLauncher launcher,
      LoadParameters launch,
      JobExecution execution,
      Map<String, String> denied,
      PrintWriter out)
      throws SQLException {
    long loadId = DirectoryLoadJob.loadId(execution);
    boolean duckdb = launcher.properties().warehouse().duckdb();
    Map<String, DuckDbLoader.Loaded> loads =
        duckdb ? launcher.duckdb().loads(loadId, launch.tenantId()) : Map.of();
    // The lake's commit summaries are read only for what DuckDB does not record (lake-only mode).
    boolean allInDuckDb = launch.entities().stream().allMatch(e -> loads.containsKey(e.name()));
    Map<String, Snapshot> commits = allInDuckDb ? Map.of() : commits(launcher, launch, execution);
    List<StepExecution> steps = steps(launcher, execution);
    if (duckdb && loads.isEmpty()) {
      out.println(
          "  The DuckDB file holds no record of load "
              + loadId
              + ": it was removed or replaced since ('refresh' builds it from the lake). To load"
              + " again, add reload=true.");
    }
    out.printf("  %-27s %12s %12s %8s%n", "table", "loaded", "in table", "skipped");
    long skippedInAll = 0;
    for (Entity entity : launch.entities()) {
      DuckDbLoader.Loaded loaded = loads.get(entity.name());
      Snapshot commit = commits.get(entity.name());
      String rows =
          denied.containsKey(entity.name())
              ? "denied"
              : loaded != null && loaded.rowsLoaded() >= 0
                  ? Long.toString(loaded.rowsLoaded())
                  : commit != null && commit.summary().containsKey(IcebergLake.ROWS_LOADED)
                      ? commit.summary().get(IcebergLake.ROWS_LOADED)
                      : "?";
      long skipped = skipped(steps, entity);
      skippedInAll += skipped;
      out.printf(
          "  %-27s %12s %12s %8d%n",
          entity.name(), rows, loaded == null ? "-" : Long.toString(loaded.tableRows()), skipped);
    }
    for (Entity entity : launch.entities()) {
      if (entity.parent() == null) {
        continue;
      }
      long gone =
          steps.stream()
              .filter(s -> s.getStepName().equals(entity.name()))
              .mapToLong(
                  s -> s.getExecutionContext().getInt(PerParentItemReader.goneKey(entity), 0))
              .sum();
      if (gone > 0) {
        out.printf(
            "  %s: %d %s deleted while the load read them (404), left out (a WARN line each,"
                + " above)%n",
            entity.name(), gone, entity.parent().path().substring(1));
      }
    }
    if (duckdb) {
      changes(launcher, launch, loadId, out);
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
    out.println(
        "  DuckDB:  "
            + (duckdb
                ? launcher.duckdb().file().toAbsolutePath()
                : "not refreshed (entra.warehouse.duckdb=false; 'refresh' builds it)"));
    out.println(
        "  Lake:    "
            + launcher.properties().warehouse().lake()
            + " (Iceberg tables "
            + IcebergLake.NAMESPACE
            + ".<table>, catalog '"
            + IcebergLake.CATALOG
            + "' in the job repository)");
    out.flush();
  }

  /**
   * The failure of a load, and exactly which tables it changed: a table's load step commits it to
   * the lake in one commit; when the job ends, DuckDB takes every table the load committed.
   *
   * @return the exit code: {@link LoadCommands#BUSY} when DuckDB was held by another writer
   */
  static int failure(
      DirectoryLoadLauncher launcher,
      LoadParameters launch,
      JobExecution execution,
      Duration took,
      PrintWriter err) {
    long loadId = DirectoryLoadJob.loadId(execution);
    err.println(
        "directory-load "
            + execution.getStatus()
            + " after "
            + took.toSeconds()
            + " s (execution "
            + execution.getId()
            + ", load "
            + loadId
            + "):");
    boolean busy = false;
    for (Throwable t : execution.getAllFailureExceptions()) {
      busy |= t instanceof DuckDbLoader.Busy;
      err.println(
          "  "
              + WarehouseHold.withDiskSpace(
                  LoadOutcome.reason(t), launcher.properties().warehouse().directory()));
    }
    boolean duckdb = launcher.properties().warehouse().duckdb();
    Map<String, DuckDbLoader.Loaded> inDuckDb = Map.of();
    Map<String, Snapshot> inLake = Map.of();
    String unknown = null;
    try {
      inLake = commits(launcher, launch, execution);
      // A busy DuckDB file was not touched: the refresh waits before it changes anything.
      if (duckdb && !busy) {
        inDuckDb = launcher.duckdb().loads(loadId, launch.tenantId());
      }
    } catch (SQLException | RuntimeException e) {
      unknown = LoadOutcome.reason(e);
    }
    List<StepExecution> steps = steps(launcher, execution);
    List<String> now = new ArrayList<>();
    List<String> earlier = new ArrayList<>();
    List<String> lakeOnly = new ArrayList<>();
    List<String> untouched = new ArrayList<>();
    for (Entity entity : launch.entities()) {
      String table = entity.name();
      if (!inLake.containsKey(table)) {
        untouched.add(table);
      } else if (duckdb && !inDuckDb.containsKey(table)) {
        lakeOnly.add(table);
      } else {
        boolean byEarlier =
            steps.stream()
                .anyMatch(
                    s ->
                        s.getStepName().equals(table + "-load")
                            && s.getStatus() == BatchStatus.COMPLETED
                            && s.getJobExecutionId() != execution.getId());
        (byEarlier ? earlier : now).add(table);
      }
    }
    String where = duckdb ? "the lake and DuckDB" : "the lake";
    if (!now.isEmpty()) {
      err.println(
          "Changed by this run: "
              + String.join(", ", now)
              + " ("
              + where
              + (duckdb ? " hold" : " holds")
              + " this load).");
    }
    if (!earlier.isEmpty()) {
      err.println(
          "Changed by an earlier attempt of this load: "
              + String.join(", ", earlier)
              + " ("
              + where
              + ").");
    }
    if (!lakeOnly.isEmpty()) {
      err.println(
          "Committed to the lake, not yet to DuckDB: "
              + String.join(", ", lakeOnly)
              + " (DuckDB still holds the previous load; it takes this one when the load"
              + " resumes).");
    }
    if (!untouched.isEmpty()) {
      err.println(
          "Not changed: "
              + String.join(", ", untouched)
              + (unknown == null
                  ? " (they hold what they held before this run)."
                  : " as far as the job repository tells; the stores could not be read to confirm"
                      + " it ("
                      + unknown
                      + ")."));
    }
    err.println(
        "Fix the cause and run the same command again, or 'restart', to resume from the last"
            + " committed chunk; 'abandon' gives up on this load.");
    err.flush();
    return busy ? LoadCommands.BUSY : LoadCommands.FAILED;
  }

  /** One execution for {@code status}: parameters, times in UTC, failure cause, steps. */
  static void execution(JobExecution e, PrintWriter out) {
    out.printf(
        "execution %d (load %d) %s, started %s, ended %s%n    %s%n",
        e.getId(),
        DirectoryLoadJob.loadId(e),
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
