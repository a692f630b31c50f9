package io.entrawarehouse.graph;

import io.entrawarehouse.config.EntraProperties;
import io.entrawarehouse.job.DirectoryLoadLauncher;
import io.entrawarehouse.simulator.GraphSimulator;
import java.time.Duration;

/** A Graph client for a test simulator, built the way the product builds one. */
public final class SimulatorClients {
  private SimulatorClients() {}

  public static GraphClient client(GraphSimulator sim, int attempts, GraphClient.Sleeper sleeper) {
    EntraProperties.Graph settings =
        new EntraProperties.Graph(
            null, Duration.ofSeconds(10), null, attempts, Duration.ofSeconds(8), 8);
    return DirectoryLoadLauncher.demoEndpoint(sim).client(settings, sleeper);
  }
}
