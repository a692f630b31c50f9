package io.entrawarehouse.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.TenantScale;
import io.entrawarehouse.warehouse.Entities;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one retry loop: what it retries, how long it waits, what it never retries. */
class GraphClientRetryTest {

  private static GraphClient client(GraphSimulator sim, int attempts, List<Duration> waits) {
    return SimulatorClients.client(sim, attempts, waits::add);
  }

  private static GraphSimulator start(String... faults) {
    SimulatorSettings.Builder b =
        SimulatorSettings.builder().scale(TenantScale.TINY).throttling(false);
    for (String f : faults) {
      b.fault(f);
    }
    return GraphSimulator.start(b.build());
  }

  @Test
  void retryAfterIsReadInSecondsAndAsAnHttpDate() {
    assertThat(GraphClient.retryAfter("7")).isEqualTo(Duration.ofSeconds(7));
    String in30s =
        DateTimeFormatter.RFC_1123_DATE_TIME.format(
            ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(30));
    assertThat(GraphClient.retryAfter(in30s))
        .isBetween(Duration.ofSeconds(28), Duration.ofSeconds(30));
    assertThat(GraphClient.retryAfter(null)).isNull();
    assertThat(GraphClient.retryAfter("soon")).isNull();
  }

  @Test
  void throttlingAndServerErrorsAreRetriedHonouringRetryAfter() {
    try (GraphSimulator sim =
        start(
            "429:users:nth=1",
            "503+retry-after:users:nth=2",
            "504:users:nth=3",
            "reset:users:nth=4",
            "truncate:users:nth=5")) {
      List<Duration> waits = new ArrayList<>();
      GraphPage page =
          client(sim, 8, waits)
              .page(Reading.of("users"), sim.graphBaseUrl() + "/users?$top=5", false);
      assertThat(page.items()).hasSize(5);
      assertThat(waits).hasSize(5);
      assertThat(waits.get(0)).isEqualTo(Duration.ofSeconds(1));
      assertThat(waits.get(1)).isEqualTo(Duration.ofSeconds(1));
      // No Retry-After: exponential backoff with jitter, within [cap/2, cap].
      assertThat(waits.get(2)).isBetween(Duration.ofMillis(2000), Duration.ofMillis(4000));
      assertThat(waits.get(3)).isBetween(Duration.ofMillis(4000), Duration.ofMillis(8000));
      assertThat(waits.get(4)).isBetween(Duration.ofMillis(4000), Duration.ofMillis(8000));
    }
  }

  @Test
  void retriesEndAndQueryOrAuthErrorsAreNeverRetried() {
    try (GraphSimulator sim = start("503:users:rate=1")) {
      List<Duration> waits = new ArrayList<>();
      assertThatThrownBy(
              () ->
                  client(sim, 3, waits)
                      .page(Reading.of("users"), sim.graphBaseUrl() + "/users", false))
          .isInstanceOf(GraphException.Unavailable.class)
          .hasMessageContaining("503");
      assertThat(waits).hasSize(2);
    }
    try (GraphSimulator sim =
        GraphSimulator.start(
            SimulatorSettings.builder()
                .scale(TenantScale.TINY)
                .deny("Device.Read.All")
                .deny("Directory.Read.All")
                .build())) {
      List<Duration> waits = new ArrayList<>();
      GraphClient client = client(sim, 5, waits);
      assertThatThrownBy(
              () -> client.page(Entities.DEVICES.reading(), sim.graphBaseUrl() + "/devices", false))
          .isInstanceOf(GraphException.Auth.class)
          .hasMessageContaining("Device.Read.All")
          .hasMessageContaining("admin consent");
      assertThatThrownBy(
              () ->
                  client.page(Reading.of("users"), sim.graphBaseUrl() + "/users?$top=5000", false))
          .isInstanceOf(GraphException.Query.class)
          .hasMessageContaining("Invalid page size");
      assertThat(waits).isEmpty();
    }
  }
}
