package io.entrawarehouse.job;

import io.entrawarehouse.config.EntraProperties;
import io.entrawarehouse.graph.Credential;
import io.entrawarehouse.graph.GraphClient;
import io.entrawarehouse.graph.GraphEndpoint;
import io.entrawarehouse.graph.TenantEndpoints;
import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.TenantScale;
import io.entrawarehouse.write.duckdb.DuckDbLoader;
import io.entrawarehouse.write.parquet.Lake;
import java.util.List;
import java.util.function.Consumer;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * Builds and launches {@code directory-load} for a tenant: the configured one, or the built-in demo
 * tenant (the simulator, in-process on a fixed loopback port) when none is configured.
 */
@Component
public class DirectoryLoadLauncher {

  private final EntraProperties properties;
  private final JobRepository repository;
  private final JobOperator operator;
  private final PlatformTransactionManager transactions;

  public DirectoryLoadLauncher(
      EntraProperties properties,
      JobRepository repository,
      JobOperator operator,
      PlatformTransactionManager transactions) {
    this.properties = properties;
    this.repository = repository;
    this.operator = operator;
    this.transactions = transactions;
  }

  public EntraProperties properties() {
    return properties;
  }

  public JobRepository repository() {
    return repository;
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

  public Lake lake() {
    return new Lake(
        properties.warehouse().directory().resolve("staging"), properties.warehouse().lake());
  }

  public DuckDbLoader duckdb() {
    return new DuckDbLoader(properties.warehouse().duckdbFile());
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
    JobExecution last =
        repository.getLastJobExecution(DirectoryLoadJob.NAME, launch.toJobParameters());
    if (last != null && last.getStatus().isRunning()) {
      operator.recover(last);
    }
    try (Lake lake = lake()) {
      Job job =
          DirectoryLoadJob.build(
              repository,
              transactions,
              connection.graph(),
              lake,
              duckdb(),
              launch,
              properties.warehouse().chunkSize(),
              properties.graph().concurrency());
      return operator.start(job, launch.toJobParameters());
    }
  }
}
