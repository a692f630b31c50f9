package io.entrawarehouse.job;

import io.entrawarehouse.warehouse.Entities;
import io.entrawarehouse.warehouse.KillPoints;
import io.entrawarehouse.write.duckdb.DuckDbLoader;
import io.entrawarehouse.write.duckdb.DuckDbRefresh;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.infrastructure.item.ExecutionContext;

/**
 * The start and end of a load's execution. At the start, the load's id and unique id (the first
 * execution's, kept in the job's context across restarts) and its time. At the end, completed or
 * not, the run's DuckDB refresh is swapped in (or, when no table committed in this execution, what
 * DuckDB lacks of the lake is applied); a completed load discards its staging and says what Graph
 * refused; a failed one records its cause in one line.
 */
final class LoadListener implements JobExecutionListener {

  private final JobRepository repository;
  private final LoadStores stores;
  private final LoadParameters launch;
  private final LoadRun run;

  LoadListener(JobRepository repository, LoadStores stores, LoadParameters launch, LoadRun run) {
    this.repository = repository;
    this.stores = stores;
    this.launch = launch;
    this.run = run;
  }

  @Override
  public void beforeJob(JobExecution execution) {
    DuckDbLoader.preload();
    ExecutionContext ec = execution.getExecutionContext();
    if (!ec.containsKey(DirectoryLoadJob.LOAD_ID)) {
      // A restart carries the first execution's context: one id per load.
      ec.putLong(
          DirectoryLoadJob.LOAD_ID,
          stores
              .loadIds()
              .next(
                  launch.tenantId(),
                  execution.getJobInstance().getInstanceId(),
                  stores.lake().maxLoadId(List.copyOf(Entities.ALL.values()))));
      ec.putString(DirectoryLoadJob.LOAD_UID, UUID.randomUUID().toString());
      repository.updateExecutionContext(execution);
    }
    // The first execution's creation time: the same on every restart of this load.
    Instant first =
        repository.getJobExecutions(execution.getJobInstance()).stream()
            .map(JobExecution::getCreateTime)
            .min(Comparator.naturalOrder())
            .orElse(execution.getCreateTime())
            .toInstant(ZoneOffset.UTC);
    run.begin(ec.getLong(DirectoryLoadJob.LOAD_ID), ec.getString(DirectoryLoadJob.LOAD_UID), first);
  }

  @Override
  public void afterJob(JobExecution execution) {
    boolean busy =
        execution.getAllFailureExceptions().stream().anyMatch(DuckDbLoader.Busy.class::isInstance);
    if (stores.duckdb() != null && !busy) {
      try (DuckDbRefresh session = run.takeSession()) {
        KillPoints.reached("before-duckdb");
        if (session == null) {
          // No table committed in this execution (a restart of a load whose commits all came
          // earlier, or a failure before any): what is missing, if anything.
          LakeToDuckDb.refresh(stores, launch, run.load());
        } else {
          LakeToDuckDb.applyCommitted(stores, launch, run.load(), session, launch.entities());
          session.finish();
        }
        KillPoints.reached("after-duckdb");
      } catch (RuntimeException e) {
        // The lake holds what was committed; DuckDB takes it when the load resumes.
        execution.setStatus(BatchStatus.FAILED);
        execution.setExitStatus(ExitStatus.FAILED.addExitDescription(e));
        execution.addFailureException(e);
      }
    }
    if (execution.getStatus() == BatchStatus.COMPLETED) {
      stores.staging().discard(run.id());
      LoadOutcome.conclude(repository, execution);
      return;
    }
    // The first failure's cause, one line, for 'status' (the exit description holds a whole
    // stack trace).
    execution.getAllFailureExceptions().stream()
        .findFirst()
        .ifPresent(
            failure -> {
              execution
                  .getExecutionContext()
                  .putString(DirectoryLoadJob.FAILURE, LoadOutcome.reason(failure));
              repository.updateExecutionContext(execution);
            });
  }
}
