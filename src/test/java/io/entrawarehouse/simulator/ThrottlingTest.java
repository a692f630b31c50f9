package io.entrawarehouse.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Resource-unit and reports throttling, their headers, and the request log that counts them. */
class ThrottlingTest {

  private static GraphSimulator start(SimulatorSettings.Builder b) {
    return GraphSimulator.start(b.scale(TenantScale.TINY).build());
  }

  @Test
  void theDocumentedLimitDependsOnTenantSize() {
    assertThat(Throttler.resourceUnitsFor(49)).isEqualTo(3_500);
    assertThat(Throttler.resourceUnitsFor(500)).isEqualTo(5_000);
    assertThat(Throttler.resourceUnitsFor(501)).isEqualTo(8_000);
  }

  @Test
  void theBucketRefillsInProportionToElapsedTime() {
    Throttler throttler = new Throttler(1.0, 8_000, 5);
    int admitted = 0;
    while (throttler.admit("app", false, 2, 0).admitted()) {
      admitted++;
    }
    assertThat(admitted).isEqualTo(4_000);

    // Half a window later, half the units are back.
    int afterHalfWindow = 0;
    while (throttler.admit("app", false, 2, 5_000_000_000L).admitted()) {
      afterHalfWindow++;
    }
    assertThat(afterHalfWindow).isEqualTo(2_000);
    Throttler.Decision refused = throttler.admit("app", false, 2, 5_000_000_000L);
    assertThat(refused.retryAfterSeconds()).isEqualTo(1);
    // Another app has its own bucket.
    assertThat(throttler.admit("other-app", false, 2, 5_000_000_000L).admitted()).isTrue();
  }

  @Test
  void exceedingResourceUnitsGets429WithGraphsHeaders() throws Exception {
    // A 1,000 s window: the bucket does not noticeably refill while the test runs.
    try (GraphSimulator sim =
        start(SimulatorSettings.builder().resourceUnitsPerWindow(20).timeScale(100))) {
      SimHttp http = new SimHttp(sim);
      SimHttp.Reply last = null;
      for (int i = 0; i < 10; i++) {
        last = http.get("/users?$top=1");
        assertThat(last.status()).isEqualTo(200);
        assertThat(last.header("x-ms-resource-unit")).isEqualTo("2");
      }
      assertThat(last.header("x-ms-throttle-limit-percentage")).isEqualTo("1.00");

      SimHttp.Reply throttled = http.get("/users?$top=1");

      assertThat(throttled.status()).isEqualTo(429);
      assertThat(throttled.errorCode()).isEqualTo("TooManyRequests");
      assertThat(Long.parseLong(throttled.header("Retry-After"))).isBetween(1L, 100L);
      assertThat(throttled.header("x-ms-throttle-scope")).startsWith("Tenant_Application/");
      assertThat(throttled.header("x-ms-throttle-information"))
          .isEqualTo("ResourceUnitLimitExceeded");
      RequestLog.Snapshot stats = sim.stats();
      assertThat(stats.throttled()).containsEntry("users", 1L);
      assertThat(stats.resourceUnits()).isEqualTo(20);
      assertThat(stats.requests("users")).isEqualTo(11);
    }
  }

  @Test
  void selectLowersTheCostByOne() throws Exception {
    try (GraphSimulator sim =
        start(SimulatorSettings.builder().resourceUnitsPerWindow(20).timeScale(100))) {
      SimHttp http = new SimHttp(sim);
      for (int i = 0; i < 20; i++) {
        SimHttp.Reply reply = http.get("/users?$top=1&$select=id");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.header("x-ms-resource-unit")).isEqualTo("1");
      }
      assertThat(http.get("/users?$top=1&$select=id").status()).isEqualTo(429);
    }
  }

  @Test
  void reportsAreLimitedToFiveRequestsPerWindow() throws Exception {
    try (GraphSimulator sim = start(SimulatorSettings.builder())) {
      SimHttp http = new SimHttp(sim);
      for (int i = 0; i < 5; i++) {
        assertThat(http.get("/auditLogs/signIns?$top=1").status()).isEqualTo(200);
      }
      SimHttp.Reply sixth = http.get("/auditLogs/directoryAudits?$top=1");
      assertThat(sixth.status()).isEqualTo(429);
      assertThat(sixth.header("x-ms-throttle-information"))
          .isEqualTo("ReportsRequestLimitExceeded");
      // Directory calls draw on a different budget.
      assertThat(http.get("/users?$top=1").status()).isEqualTo(200);
    }
  }

  @Test
  void aConfiguredShareOf429sComesWithoutRetryAfter() throws Exception {
    try (GraphSimulator sim =
        start(
            SimulatorSettings.builder().reportsPerWindow(1).throttleWithoutRetryAfterRatio(1.0))) {
      SimHttp http = new SimHttp(sim);
      assertThat(http.get("/auditLogs/signIns?$top=1").status()).isEqualTo(200);
      SimHttp.Reply throttled = http.get("/auditLogs/signIns?$top=1");
      assertThat(throttled.status()).isEqualTo(429);
      assertThat(throttled.header("Retry-After")).isNull();
      assertThat(sim.stats().throttledWithoutRetryAfter()).isEqualTo(1);
    }
  }

  @Test
  void theTimeScaleShrinksTheWindow() throws Exception {
    // 0.02 x 10 s = a 200 ms window, on a test clock.
    MutableClock clock = new MutableClock(Instant.now());
    try (GraphSimulator sim =
        start(SimulatorSettings.builder().reportsPerWindow(2).timeScale(0.02).clock(clock))) {
      SimHttp http = new SimHttp(sim);
      assertThat(http.get("/auditLogs/signIns?$top=1").status()).isEqualTo(200);
      assertThat(http.get("/auditLogs/signIns?$top=1").status()).isEqualTo(200);
      clock.advance(Duration.ofMillis(150));
      assertThat(http.get("/auditLogs/signIns?$top=1").status()).isEqualTo(429);
      clock.advance(Duration.ofMillis(60));
      assertThat(http.get("/auditLogs/signIns?$top=1").status()).isEqualTo(200);
    }
  }
}
