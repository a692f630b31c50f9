package io.entrawarehouse.graph;

import io.entrawarehouse.cli.DemoConnection;
import io.entrawarehouse.config.EntraProperties;
import io.entrawarehouse.simulator.GraphSimulator;
import java.time.Duration;

/** A Graph client for a test simulator, built the way the product builds one. */
public final class SimulatorClients {
  private SimulatorClients() {}

  public static GraphClient client(GraphSimulator sim, int attempts, GraphClient.Sleeper sleeper) {
    return client(sim, attempts, sleeper, Duration.ofSeconds(90));
  }

  /** With {@code reports} as entra.graph.reports-timeout. */
  public static GraphClient client(
      GraphSimulator sim, int attempts, GraphClient.Sleeper sleeper, Duration reports) {
    EntraProperties.Graph settings =
        new EntraProperties.Graph(
                null, Duration.ofSeconds(10), null, attempts, Duration.ofSeconds(8), 8)
            .withReportsTimeout(reports);
    return DemoConnection.endpoint(sim).client(settings, sleeper);
  }
}
