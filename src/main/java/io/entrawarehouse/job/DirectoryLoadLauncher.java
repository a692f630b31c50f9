package io.entrawarehouse.job;

import io.entrawarehouse.config.EntraProperties;
import io.entrawarehouse.graph.Credential;
import io.entrawarehouse.graph.GraphClient;
import io.entrawarehouse.graph.GraphEndpoint;
import io.entrawarehouse.graph.TenantEndpoints;
import io.entrawarehouse.observe.Progress;
import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.TenantScale;
import io.entrawarehouse.write.duckdb.DuckDbLoader;
import io.entrawarehouse.write.iceberg.IcebergLake;
import io.entrawarehouse.write.parquet.Staging;
import java.util.List;
import java.util.function.Consumer;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.stereotype.Component;

/**
 * Builds and launches {@code directory-load} for a tenant: the configured one, or the built-in demo
 * tenant (the simulator, in-process on a fixed loopback port) when none is configured.
 */
@Component
public class DirectoryLoadLauncher {

  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(DirectoryLoadLauncher.class);

  private final EntraProperties properties;
  private final JobRepository repository;
  private final JobOperator operator;

  private final String repositoryUrl;
  private final org.springframework.core.env.Environment environment;
  private final org.springframework.jdbc.core.JdbcTemplate jdbc;

  public DirectoryLoadLauncher(
      EntraProperties properties,
      JobRepository repository,
      JobOperator operator,
      org.springframework.core.env.Environment environment,
      org.springframework.jdbc.core.JdbcTemplate jdbc) {
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
   * A connection to a tenant: its id, a Graph client, and the demo simulator when one was started.
   */
  public record Connection(String tenantId, GraphClient graph, GraphSimulator demo)
      implements AutoCloseable {
    /** The token source of this connection's client. */
    public io.entrawarehouse.graph.TokenProvider tokens() {
      return graph.tokens();
    }

    @Override
    public void close() {
      if (demo != null) {
        demo.close();
      }
    }
  }

  /** The demo tenant as an endpoint: its URLs and trust are all that differ from a real one. */
  public static GraphEndpoint demoEndpoint(GraphSimulator demo) {
    return new GraphEndpoint(
        "demo",
        demo.tenantId(),
        new Credential.ClientSecret(demo.clientId(), SimulatorSettings.DEMO_CLIENT_SECRET),
        demo.authority().toString(),
        demo.graphBaseUrl().toString(),
        demo.scope(),
        demo.clientSslContext(),
        demo.clientTrustManager());
  }

  /** The configured tenants; empty when none is (the demo tenant is then loaded). */
  public List<GraphEndpoint> tenants() {
    return TenantEndpoints.resolve(properties);
  }

  /** Connects to a configured tenant. */
  public Connection connect(GraphEndpoint endpoint) {
    return new Connection(endpoint.tenantId(), endpoint.client(properties.graph(), SLEEP), null);
  }

  /** Starts the built-in demo tenant in-process and connects to it, saying so in one line. */
  public Connection connectDemo(Consumer<String> say) {
    GraphSimulator demo =
        GraphSimulator.start(
            SimulatorSettings.builder()
                .scale(TenantScale.preset(properties.demo().scale()))
                .port(properties.demo().port())
                .build());
    say.accept(
        "No tenant configured (AZURE_TENANT_ID): loading the built-in demo tenant '"
            + properties.demo().scale()
            + "' served by the simulator at "
            + demo.graphBaseUrl());
    GraphEndpoint endpoint = demoEndpoint(demo);
    return new Connection(
        endpoint.tenantId(), endpoint.client(properties.graph().direct(), SLEEP), demo);
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
    java.nio.file.Path dir = properties.warehouse().directory();
    IcebergLake lake = lake();
    return new LoadStores(
        new Staging(dir.resolve("staging"), Staging.configuration(), lake::parquetSchema)
            .withBucketRows(properties.warehouse().bucketRows()),
        lake,
        properties.warehouse().duckdb() ? duckdb() : null,
        rejectedDirectory(),
        new LoadIds(jdbc),
        dir.resolve(".lake-fetch"));
  }

  /** Where loads keep the items they skipped as malformed ({@link RejectedItems}). */
  public java.nio.file.Path rejectedDirectory() {
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
        for (io.entrawarehouse.warehouse.Entity e : LakeToDuckDb.withHistories(launch.entities())) {
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
  public java.util.Set<String> catchUp(JobExecution completed, LoadParameters launch) {
    long loadId = DirectoryLoadJob.loadId(completed);
    java.util.Set<String> taken = java.util.Set.of();
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
    new Staging(properties.warehouse().directory().resolve("staging"), Staging.configuration())
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
          DirectoryLoadJob.build(
              repository,
              connection.graph(),
              stores,
              launch,
              properties.warehouse().chunkSize(),
              properties.graph().concurrency());
      if (job instanceof org.springframework.batch.core.job.AbstractJob steps) {
        steps.registerJobExecutionListener(
            new Progress(
                properties.warehouse().progress(),
                properties.warehouse().progressInterval(),
                System.out));
      }
      return operator.start(job, launch.toJobParameters());
    }
  }
}
