package io.entrawarehouse.job;

import io.entrawarehouse.config.EntraProperties;
import io.entrawarehouse.graph.GraphClient;
import io.entrawarehouse.graph.GraphEndpoint;
import io.entrawarehouse.graph.TenantEndpoints;
import io.entrawarehouse.graph.TokenProvider;
import io.entrawarehouse.observe.Progress;
import io.entrawarehouse.warehouse.Entities;
import io.entrawarehouse.warehouse.Entity;
import io.entrawarehouse.write.duckdb.DuckDbLoader;
import io.entrawarehouse.write.iceberg.IcebergLake;
import io.entrawarehouse.write.parquet.ParquetFiles;
import io.entrawarehouse.write.parquet.Staging;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.AbstractJob;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Builds and launches {@code directory-load} for a tenant: the configured one, or the built-in demo
 * tenant (the simulator, in-process on a fixed loopback port) when none is configured.
 */
@Component
public class DirectoryLoadLauncher {

  private static final Logger log = LoggerFactory.getLogger(DirectoryLoadLauncher.class);

  private final EntraProperties properties;
  private final JobRepository repository;
  private final JobOperator operator;

  private final String repositoryUrl;
  private final Environment environment;
  private final JdbcTemplate jdbc;

  public DirectoryLoadLauncher(
      EntraProperties properties,
      JobRepository repository,
      JobOperator operator,
      Environment environment,
      JdbcTemplate jdbc) {
    this.environment = environment;
    this.jdbc = jdbc;
    this.repositoryUrl =
        JobRepositoryConfiguration.printable(environment.getProperty("spring.datasource.url"));
    this.properties = properties;
    this.repository = repository;
    this.operator = operator;
  }

  public EntraProperties properties() {
    return properties;
  }

  public JobRepository repository() {
    return repository;
  }

  /** The job repository's URL, without parameters that may hold a secret. */
  public String repositoryUrl() {
    return repositoryUrl;
  }

  /**
   * A connection to a tenant: its id, a Graph client, and what closes with it (the demo tenant's
   * simulator, when one was started for it; null otherwise).
   */
  public record Connection(String tenantId, GraphClient graph, AutoCloseable closeWith)
      implements AutoCloseable {
    /** The token source of this connection's client. */
    public TokenProvider tokens() {
      return graph.tokens();
    }

    @Override
    public void close() {
      if (closeWith != null) {
        try {
          closeWith.close();
        } catch (Exception e) {
          throw new IllegalStateException("Closing the connection to " + tenantId + " failed", e);
        }
      }
    }
  }

  /** The configured tenants; empty when none is (the demo tenant is then loaded). */
  public List<GraphEndpoint> tenants() {
    return TenantEndpoints.resolve(properties);
  }

  /** Connects to a configured tenant. */
  public Connection connect(GraphEndpoint endpoint) {
    return new Connection(endpoint.tenantId(), endpoint.client(properties.graph(), SLEEP), null);
  }

  /**
   * Connects to an endpoint on loopback (the demo tenant), bypassing the configured proxy; {@code
   * closeWith} closes with the connection.
   */
  public Connection connectDirect(GraphEndpoint endpoint, AutoCloseable closeWith) {
    return new Connection(
        endpoint.tenantId(), endpoint.client(properties.graph().direct(), SLEEP), closeWith);
  }

  private static final GraphClient.Sleeper SLEEP = d -> Thread.sleep(d.toMillis());

  /**
   * The lake, through the catalog in the job repository's database; refused when the catalog's
   * tables live elsewhere ({@link IcebergLake#requireOwnTables}). Close it after use.
   */
  public IcebergLake lake() {
    IcebergLake lake = openLake();
    try {
      lake.requireOwnTables();
      return lake;
    } catch (RuntimeException e) {
      lake.close();
      throw e;
    }
  }

  private IcebergLake openLake() {
    return new IcebergLake(
            properties.warehouse().lake(),
            JobRepositoryConfiguration.withSqliteSettings(
                environment.getProperty("spring.datasource.url")),
            environment.getProperty("spring.datasource.username"),
            environment.getProperty("spring.datasource.password"),
            properties.warehouse().snapshotRetention(),
            properties.warehouse().hadoop())
        .withBucketRows(properties.warehouse().bucketRows());
  }

  /** Where a load writes, for one run. Close it after use. */
  public LoadStores stores() {
    Path dir = properties.warehouse().directory();
    IcebergLake lake = lake();
    return new LoadStores(
        new Staging(dir.resolve("staging"), ParquetFiles.configuration(), lake::parquetSchema)
            .withBucketRows(properties.warehouse().bucketRows()),
        lake,
        properties.warehouse().duckdb() ? duckdb() : null,
        rejectedDirectory(),
        new LoadIds(jdbc),
        dir.resolve(".lake-fetch"));
  }

  /** Where loads keep the items they skipped as malformed ({@link RejectedItems}). */
  public Path rejectedDirectory() {
    return properties.warehouse().directory().resolve("rejected");
  }

  public DuckDbLoader duckdb() {
    return new DuckDbLoader(
        properties.warehouse().duckdbFile(),
        properties.warehouse().duckdbWait(),
        properties.warehouse().duckdbMemory() == null
            ? DuckDbLoader.DEFAULT_MEMORY
            : properties.warehouse().duckdbMemory());
  }

  /**
   * The attempt of a launch to run now: the newest one; the next one when the newest was abandoned,
   * or completed and {@code reload} asks to load again. A failed or interrupted newest attempt is
   * kept, so running it resumes it.
   */
  public LoadParameters attemptToRun(LoadParameters launch, boolean reload) {
    for (int n = 1; ; n++) {
      LoadParameters attempt = launch.withAttempt(n);
      JobExecution last =
          repository.getLastJobExecution(DirectoryLoadJob.NAME, attempt.toJobParameters());
      if (last == null) {
        return attempt; // never ran, or never started (run() clears such an instance)
      }
      LoadParameters next = launch.withAttempt(n + 1);
      if (repository.getJobInstance(DirectoryLoadJob.NAME, next.toJobParameters()) != null) {
        continue;
      }
      BatchStatus status = last.getStatus();
      return status == BatchStatus.ABANDONED || (status == BatchStatus.COMPLETED && reload)
          ? next
          : attempt;
    }
  }

  /**
   * Gives up on an execution that did not complete: it is marked ABANDONED, so {@code restart}
   * passes it over and the next run of its parameters starts a new load ({@link #attemptToRun}).
   * Its staged parts, and the lake files it copied but never committed, are deleted; the tables it
   * finished keep its rows. The caller holds the warehouse lock, so an execution still shown as
   * running was left by a dead process and is marked failed first.
   */
  public JobExecution abandon(JobExecution execution) throws Exception {
    JobExecution stopped =
        execution.getStatus().isRunning() ? operator.recover(execution) : execution;
    JobExecution abandoned = operator.abandon(stopped);
    LoadParameters launch = LoadParameters.of(stopped.getJobParameters());
    if (stopped.getExecutionContext().containsKey(DirectoryLoadJob.LOAD_UID)) {
      String uid = stopped.getExecutionContext().getString(DirectoryLoadJob.LOAD_UID);
      try (IcebergLake lake = lake()) {
        for (Entity e : Entities.withHistories(launch.entities())) {
          lake.removeUncommitted(e, uid);
        }
      }
    }
    // What it did commit is the lake's current state: DuckDB takes it (a log's window is not read
    // again by the next cursor load), and its staging goes.
    catchUp(stopped, launch);
    return abandoned;
  }

  /**
   * Finishes what a completed load's end left undone when the process died there (the job
   * repository records the load as completed before its end runs): DuckDB takes the tables the load
   * committed and does not record yet, and the load's staging goes.
   *
   * @return the tables DuckDB took now (empty when it was up to date)
   */
  public Set<String> catchUp(JobExecution completed, LoadParameters launch) {
    long loadId = DirectoryLoadJob.loadId(completed);
    Set<String> taken = Set.of();
    if (properties.warehouse().duckdb()
        && completed.getExecutionContext().containsKey(DirectoryLoadJob.LOAD_UID)) {
      try (LoadStores stores = stores()) {
        taken =
            LakeToDuckDb.refresh(
                stores,
                launch,
                new IcebergLake.Load(
                    loadId,
                    completed.getExecutionContext().getString(DirectoryLoadJob.LOAD_UID),
                    launch.tenantId(),
                    launch.runDate(),
                    null,
                    null));
      }
    }
    new Staging(properties.warehouse().directory().resolve("staging"), ParquetFiles.configuration())
        .discard(loadId);
    return taken;
  }

  /**
   * The execution that already completed this launch, or null. Parameters identify a load, so a
   * completed one is not run again: the same nightly launch twice in a day is a no-op.
   */
  public JobExecution completed(LoadParameters launch) {
    JobExecution last =
        repository.getLastJobExecution(DirectoryLoadJob.NAME, launch.toJobParameters());
    return last != null && last.getStatus() == BatchStatus.COMPLETED ? last : null;
  }

  /**
   * Runs the load to its end: a restart when the same launch failed or was killed before. The
   * caller holds the warehouse lock, so an execution the repository still shows as running was left
   * by a dead process; it is marked failed first so it can be restarted.
   */
  public JobExecution run(Connection connection, LoadParameters launch) throws Exception {
    JobInstance instance =
        repository.getJobInstance(DirectoryLoadJob.NAME, launch.toJobParameters());
    if (instance != null) {
      JobExecution last = repository.getLastJobExecution(instance);
      if (last == null) {
        // The instance was created but its first execution never recorded (the process was
        // killed in between, or the job repository failed): nothing ran, and Spring Batch
        // refuses to start such an instance. Removing it lets this launch start afresh.
        log.warn(
            "Load {} was created but never started (the job repository failed or the process"
                + " stopped); starting the launch afresh",
            instance.getInstanceId());
        repository.deleteJobInstance(instance);
      } else if (last.getStatus().isRunning()) {
        operator.recover(last);
      }
    }
    try (LoadStores stores = stores()) {
      Job job =
          new DirectoryLoadJob(
                  repository,
                  connection.graph(),
                  stores,
                  properties.warehouse().chunkSize(),
                  properties.graph().concurrency())
              .build(launch);
      if (job instanceof AbstractJob steps) {
        steps.registerJobExecutionListener(
            new Progress(
                properties.warehouse().progress(),
                step -> Entities.ALL.containsKey(step) ? Entities.ALL.get(step).what() : step,
                properties.warehouse().progressInterval(),
                System.out));
      }
      return operator.start(job, launch.toJobParameters());
    }
  }
}
