package io.entrawarehouse.cli;

import io.entrawarehouse.config.EntraProperties;
import io.entrawarehouse.graph.Credential;
import io.entrawarehouse.graph.GraphEndpoint;
import io.entrawarehouse.job.DirectoryLoadLauncher;
import io.entrawarehouse.job.DirectoryLoadLauncher.Connection;
import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.TenantScale;
import java.util.function.Consumer;

/**
 * The built-in demo tenant, served in-process by the simulator. Only the commands know of it: to
 * the job it is one more tenant, whose URLs and trust are all that differ from a real one.
 */
public final class DemoConnection {

  private DemoConnection() {}

  /** The demo tenant as an endpoint: its URLs and trust are all that differ from a real one. */
  public static GraphEndpoint endpoint(GraphSimulator demo) {
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

  /**
   * Starts the demo tenant at the configured scale and port and connects to it, saying so in one
   * line. Closing the connection stops the simulator.
   */
  public static Connection connect(DirectoryLoadLauncher launcher, Consumer<String> say) {
    EntraProperties.Demo settings = launcher.properties().demo();
    GraphSimulator demo =
        GraphSimulator.start(
            SimulatorSettings.builder()
                .scale(TenantScale.preset(settings.scale()))
                .port(settings.port())
                .day(settings.day())
                .build());
    say.accept(
        "No tenant configured (AZURE_TENANT_ID): loading the built-in demo tenant '"
            + settings.scale()
            + "'"
            + (settings.day() == 0 ? "" : ", day " + settings.day())
            + " served by the simulator at "
            + demo.graphBaseUrl());
    try {
      return launcher.connectDirect(endpoint(demo), demo);
    } catch (RuntimeException e) {
      demo.close();
      throw e;
    }
  }
}
