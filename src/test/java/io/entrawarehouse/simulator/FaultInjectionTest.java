package io.entrawarehouse.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Faults by schedule and by rate, and injected latency. */
class FaultInjectionTest {

  private static GraphSimulator start(String... faults) {
    SimulatorSettings.Builder b =
        SimulatorSettings.builder().scale(TenantScale.TINY).throttling(false);
    for (String fault : faults) {
      b.fault(fault);
    }
    return GraphSimulator.start(b.build());
  }

  @Test
  void aScheduledFaultHitsTheNthPageOnceAndTheRetrySucceeds() throws Exception {
    try (GraphSimulator sim = start("503:users:nth=2")) {
      SimHttp http = new SimHttp(sim);
      SimHttp.Reply first = http.get("/users?$top=10");
      String next = first.json().get("@odata.nextLink").asText();

      SimHttp.Reply failed = http.get(next);
      assertThat(failed.status()).isEqualTo(503);
      assertThat(failed.errorCode()).isEqualTo("serviceNotAvailable");
      assertThat(failed.header("Retry-After")).isNull();

      SimHttp.Reply retried = http.get(next);
      assertThat(retried.status()).isEqualTo(200);
      assertThat(retried.value()).hasSize(10);
      assertThat(retried.value().get(0).get("id").asText())
          .isNotEqualTo(first.value().get(0).get("id").asText());
      assertThat(sim.stats().faults()).containsEntry("503", 1L);
    }
  }

  @Test
  void statusFaultsComeWithAndWithoutRetryAfter() throws Exception {
    try (GraphSimulator sim =
        start(
            "503+retry-after:users:nth=1",
            "504:devices:nth=1",
            "504+retry-after:devices:nth=2",
            "429:groups:nth=1",
            "429-no-retry-after:groups:nth=2")) {
      SimHttp http = new SimHttp(sim);
      SimHttp.Reply r503 = http.get("/users");
      assertThat(r503.status()).isEqualTo(503);
      assertThat(r503.header("Retry-After")).isEqualTo("1");
      SimHttp.Reply r504 = http.get("/devices");
      assertThat(r504.status()).isEqualTo(504);
      assertThat(r504.header("Retry-After")).isNull();
      assertThat(http.get("/devices").header("Retry-After")).isEqualTo("1");
      SimHttp.Reply r429 = http.get("/groups");
      assertThat(r429.status()).isEqualTo(429);
      assertThat(r429.header("Retry-After")).isEqualTo("1");
      SimHttp.Reply r429bare = http.get("/groups");
      assertThat(r429bare.status()).isEqualTo(429);
      assertThat(r429bare.header("Retry-After")).isNull();
      assertThat(http.get("/groups").status()).isEqualTo(200);
    }
  }

  @Test
  void aResetDropsTheConnectionWithoutAnAnswer() throws Exception {
    // Every attempt is reset: java.net.http retries a GET once on its own, so a single reset
    // would be hidden from the caller.
    try (GraphSimulator sim = start("reset:users:rate=1")) {
      SimHttp http = new SimHttp(sim);
      http.token();
      assertThatThrownBy(() -> http.get("/users")).isInstanceOf(IOException.class);
      assertThat(sim.stats().faults().get("reset")).isGreaterThanOrEqualTo(1L);
      assertThat(http.get("/devices").status()).isEqualTo(200);
    }
  }

  @Test
  void aTruncatedBodyEndsBeforeItsContentLength() throws Exception {
    try (GraphSimulator sim = start("truncate:users:nth=1")) {
      SimHttp http = new SimHttp(sim);
      http.token();
      assertThatThrownBy(() -> http.get("/users")).isInstanceOf(IOException.class);
      assertThat(http.get("/users").status()).isEqualTo(200);
    }
  }

  @Test
  void aMalformedItemSitsInAnOtherwiseGoodPage() throws Exception {
    try (GraphSimulator sim = start("malformed:users:nth=1")) {
      SimHttp http = new SimHttp(sim);
      List<JsonNode> users =
          http.get("/users?$select=id,accountEnabled,createdDateTime&$top=5").value();
      assertThat(users).hasSize(5);
      assertThat(users.get(0).get("accountEnabled").asText()).isEqualTo("not-a-boolean");
      assertThat(users.get(0).get("createdDateTime").asText()).isEqualTo("not-a-date");
      assertThat(users.get(0).get("id").asText()).hasSize(36);
      for (JsonNode good : users.subList(1, 5)) {
        assertThat(good.get("accountEnabled").isBoolean()).isTrue();
        assertThat(good.get("createdDateTime").asText()).endsWith("Z");
      }
    }
  }

  @Test
  void faultsByRateFollowTheRate() throws Exception {
    try (GraphSimulator sim = start("503:devices:rate=0.3")) {
      SimHttp http = new SimHttp(sim);
      int failures = 0;
      for (int i = 0; i < 200; i++) {
        if (http.get("/devices?$top=1").status() == 503) {
          failures++;
        }
      }
      assertThat(failures).isBetween(40, 80);
      assertThat(http.get("/users?$top=1").status()).isEqualTo(200);
    }
  }

  @Test
  void latencyIsAddedPerPageAndPerItem() throws Exception {
    try (GraphSimulator sim =
        GraphSimulator.start(
            SimulatorSettings.builder()
                .scale(TenantScale.TINY)
                .throttling(false)
                .latency(Duration.ofMillis(150), Duration.ofMillis(5))
                .build())) {
      SimHttp http = new SimHttp(sim);
      http.token();
      long start = System.nanoTime();
      assertThat(http.get("/users?$top=20").status()).isEqualTo(200);
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .isGreaterThanOrEqualTo(Duration.ofMillis(250));
    }
  }

  @Test
  void badFaultSpecsNameWhatIsWrong() {
    assertThatThrownBy(() -> FaultRule.parse("502:users:nth=1"))
        .hasMessageContaining("unknown fault kind '502'");
    assertThatThrownBy(() -> FaultRule.parse("503:users"))
        .hasMessageContaining("KIND:ENDPOINT:nth=N");
    assertThatThrownBy(() -> FaultRule.parse("503:users:rate=2")).hasMessageContaining("at most 1");
    assertThat(FaultRule.parse("reset:*:rate=0.5").appliesTo("signIns")).isTrue();
  }
}
