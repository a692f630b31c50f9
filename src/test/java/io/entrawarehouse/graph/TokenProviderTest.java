package io.entrawarehouse.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.MutableClock;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.TenantScale;
import java.time.Duration;
import java.time.Instant;
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
    MutableClock clock = new MutableClock(Instant.now());
    try (GraphSimulator sim =
        GraphSimulator.start(
            SimulatorSettings.builder()
                .scale(TenantScale.TINY)
                .tokenLifetime(Duration.ofSeconds(100))
                .clock(clock)
                .build())) {
      TokenProvider tokens = provider(sim, SimulatorSettings.DEMO_CLIENT_SECRET).withClock(clock);
      String first = tokens.token();
      assertThat(tokens.token()).isEqualTo(first);
      clock.advance(Duration.ofSeconds(80));
      assertThat(tokens.token()).as("20 s to go").isEqualTo(first);
      assertThat(sim.stats().tokensIssued()).isEqualTo(1);
      // 100 s lifetime: renewed once less than a tenth is left (MSAL dates the expiry by the
      // machine's clock when the token arrives: the margin absorbs a slow machine's delay).
      clock.advance(Duration.ofSeconds(15));
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
