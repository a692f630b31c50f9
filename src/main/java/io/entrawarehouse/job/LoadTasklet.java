package io.entrawarehouse.job;

import io.entrawarehouse.read.DeltaItemReader;
import io.entrawarehouse.warehouse.Entities;
import io.entrawarehouse.warehouse.Entity;
import io.entrawarehouse.warehouse.KillPoints;
import io.entrawarehouse.write.iceberg.IcebergLake;
import io.entrawarehouse.write.iceberg.Memberships;
import io.entrawarehouse.write.iceberg.Versions;
import io.entrawarehouse.write.parquet.ParquetPartWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/**
 * A table's {@code <entity>-load} step: the parts its read step staged, merged with what the lake
 * holds when they are a delta round's changes, its history's versions, then one Iceberg commit,
 * then the committed table applied to the run's DuckDB refresh. Idempotent: a commit found in the
 * table's history (by the load's unique id) is not made again, so a restart at any point commits
 * each table once.
 */
final class LoadTasklet implements Tasklet {

  /** The load step's execution context key: the rows it committed. */
  static final String ROWS_LOADED = "rows.loaded";

  private static final Logger log = LoggerFactory.getLogger(LoadTasklet.class);

  private final JobRepository repository;
  private final LoadStores stores;
  private final TablePlan plan;
  private final LoadRun run;

  LoadTasklet(JobRepository repository, LoadStores stores, TablePlan plan, LoadRun run) {
    this.repository = repository;
    this.stores = stores;
    this.plan = plan;
    this.run = run;
  }

  @Override
  public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) {
    Entity entity = plan.entity();
    KillPoints.reached("after-staging:" + entity.name());
    StepExecution self = chunkContext.getStepContext().getStepExecution();
    StepExecution read =
        repository.getLastStepExecution(self.getJobExecution().getJobInstance(), entity.name());
    if (read != null && read.getExecutionContext().containsKey(LoadOutcome.DENIED)) {
      log.info("{}: not committed, Graph denied it; the table is as it was", entity.name());
      return RepeatStatus.FINISHED;
    }
    IcebergLake lake = stores.lake();
    List<Path> parts = stores.staging().stagedParts(entity, run.id());
    ExecutionContext readContext = read.getExecutionContext();
    boolean changes = false;
    IcebergLake.Load load = entity.isLog() ? logLoad(readContext, lake) : run.load();
    if (readContext.containsKey(DeltaItemReader.MODE)) {
      parts = ParquetPartWriter.ofRound(parts, readContext.getInt(DeltaItemReader.ROUND, 0));
      changes =
          DeltaItemReader.Mode.CHANGES.name().equals(readContext.getString(DeltaItemReader.MODE));
      if (readContext.containsKey(DeltaItemReader.NEXT)) {
        load =
            load.with(
                Map.of(
                    IcebergLake.DELTA_LINK,
                    readContext.getString(DeltaItemReader.NEXT),
                    IcebergLake.DELTA_SELECT,
                    plan.deltaSelect()));
      }
    }
    long twice = 0;
    if (lake.committed(entity, load.uid()) == null) {
      Versions versions = new Versions(lake, stores.staging());
      Map<String, String> reasons = Map.of();
      if (changes) {
        Versions.Merged merged =
            versions.merge(entity, run.tenantId(), run.id(), parts, plan.rawJson());
        log.info(
            "{}: {} objects changed since the last load ({} removed)",
            entity.name(),
            merged.changed(),
            merged.removed().size());
        parts = List.of(merged.part());
        reasons = merged.removed();
        if (entity.readByParentsDelta()) {
          Memberships.Completed done =
              new Memberships(lake, versions, stores.staging())
                  .complete(
                      entity, run.tenantId(), run.id(), run.loadedAt(), merged.part(), reasons);
          log.info(
              "{}: {} memberships of members this load saw deleted left their groups, {}"
                  + " of restored members came back, {} renamed",
              entity.name(),
              done.removed().size() - reasons.size(),
              done.restored(),
              done.renamed());
          parts = List.of(done.part());
          reasons = done.removed();
        }
      } else {
        twice = stores.staging().deduplicate(entity, parts);
      }
      commitHistory(versions, parts, reasons, load);
    }
    IcebergLake.Commit commit = lake.commit(entity, load, parts);
    self.getExecutionContext().putLong(ROWS_LOADED, commit.rowsLoaded());
    if (stores.duckdb() != null) {
      for (Entity table : Entities.withHistories(List.of(entity))) {
        LakeToDuckDb.apply(stores, run.tenantId(), run.load(), run.session(stores), table);
      }
    }
    log.info(
        "{}: {} rows {} the lake (snapshot {}){}",
        entity.name(),
        commit.rowsLoaded(),
        commit.already() ? "were already committed to" : "committed to",
        commit.snapshotId(),
        twice > 0 ? ", " + twice + " rows read twice left out" : "");
    return RepeatStatus.FINISHED;
  }

  /** The versions of the table's history this load makes, committed once, before the table. */
  private void commitHistory(
      Versions versions, List<Path> parts, Map<String, String> reasons, IcebergLake.Load load) {
    Entity entity = plan.entity();
    Entity history = Entities.history(entity);
    if (history == null || stores.lake().committed(history, load.uid()) != null) {
      return;
    }
    Versions.History h =
        versions.history(entity, run.tenantId(), run.id(), run.loadedAt(), parts, reasons);
    if (h != null) {
      stores.lake().commit(history, run.load(), List.of(h.part()));
      log.info(
          "{}: {} created, {} updated, {} deleted since the last load",
          history.name(),
          h.created(),
          h.updated(),
          h.deleted());
    }
    KillPoints.reached("after-history:" + entity.name());
  }

  /**
   * A log's load: its window as its read step read it, and where the tenant's mark moves ({@link
   * LogWindow#markAfter}).
   */
  private IcebergLake.Load logLoad(ExecutionContext read, IcebergLake lake) {
    Entity entity = plan.entity();
    LogWindow window = plan.window();
    Instant mark = lake.logMark(entity, run.tenantId());
    return run.load(
        LogWindow.from(read),
        window.until(),
        window.markAfter(read, entity, mark, plan.filtered()));
  }
}
