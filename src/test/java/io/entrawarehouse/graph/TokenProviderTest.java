package io.entrawarehouse.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.TenantScale;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TokenProviderTest {

  private static TokenProvider provider(GraphSimulator sim, String secret) {
    return new TokenProvider(
        sim.authority().toString(),
        sim.tenantId(),
        new Credential.ClientSecret(sim.clientId(), secret),
        sim.scope(),
        sim.clientSslContext().getSocketFactory(),
        null,
        Duration.ofSeconds(10));
  }

  @Test
  void theTokenIsReusedAndRenewedBeforeItExpires() throws Exception {
    try (GraphSimulator sim =
        GraphSimulator.start(
            SimulatorSettings.builder()
                .scale(TenantScale.TINY)
                .tokenLifetime(Duration.ofSeconds(3))
                .build())) {
      TokenProvider tokens = provider(sim, SimulatorSettings.DEMO_CLIENT_SECRET);
      String first = tokens.token();
      assertThat(tokens.token()).isEqualTo(first);
      assertThat(sim.stats().tokensIssued()).isEqualTo(1);
      // 3 s lifetime: renewed once less than 0.3 s is left, before the simulator would refuse it.
      Thread.sleep(2_800);
      String renewed = tokens.token();
      assertThat(renewed).isNotEqualTo(first);
      assertThat(sim.stats().tokensIssued()).isEqualTo(2);
    }
  }

  @Test
  void credentialErrorsSayWhatToFixWithoutTheSecret() {
    try (GraphSimulator sim =
        GraphSimulator.start(
            SimulatorSettings.builder()
                .scale(TenantScale.TINY)
                .clientSecretExpired(true)
                .build())) {
      assertThatThrownBy(() -> provider(sim, SimulatorSettings.DEMO_CLIENT_SECRET).token())
          .isInstanceOf(GraphException.Auth.class)
          .hasMessageContaining("AADSTS7000222")
          .hasMessageContaining("expired")
          .hasMessageNotContaining(SimulatorSettings.DEMO_CLIENT_SECRET);
      assertThatThrownBy(() -> provider(sim, "not-the-secret").token())
          .hasMessageContaining("AADSTS7000215")
          .hasMessageNotContaining("not-the-secret");
    }
  }
}
