package io.entrawarehouse.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.TenantScale;
import io.entrawarehouse.warehouse.Entities;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.batch.core.BatchStatus;

/**
 * A load against a simulator that throttles as Graph documents, its windows twenty times shorter
 * and its budgets small (60 resource units and one report request a window), so the load spans
 * dozens of windows: paced or not, it completes equal to the tenant, and unpaced it draws a storm
 * of 429s. How many 429s a paced load draws depends on when requests arrive, which a busy machine
 * moves; {@link io.entrawarehouse.simulator.PacingOnATestClockTest} counts them exactly (none) on a
 * test clock.
 */
class PacingTest {

  @TempDir Path dir;

  private static SimulatorSettings throttling() {
    return SimulatorSettings.builder()
        .scale(TenantScale.SMALL)
        .throttling(true)
        .timeScale(0.05)
        .resourceUnitsPerWindow(60)
        .reportsPerWindow(1)
        .throttleWithoutRetryAfterRatio(0)
        .build();
  }

  private static final Map<String, String> LOAD =
      Map.of("entities", "users,groups,group_members,devices,sign_ins,directory_audits");

  @Test
  void pacedToTheBudgetsALoadSpansManyWindowsAndEndsEqualToTheTenant() throws Exception {
    try (LoadHarness h =
        new LoadHarness(
            throttling(),
            dir,
            Map.of(
                "entra.graph.budget-window", "500ms",
                "entra.graph.resource-units", "60",
                "entra.graph.report-requests", "1"))) {
      assertThat(h.run(LOAD).getStatus()).isEqualTo(BatchStatus.COMPLETED);
      var stats = h.simulator.stats();
      assertThat(stats.requests("signIns"))
          .as("several windows' reports")
          .isGreaterThanOrEqualTo(5);
      assertThat(stats.resourceUnits()).as("many windows' budgets").isGreaterThan(300);
      h.assertMatchesGroundTruth(
          List.of(Entities.USERS, Entities.GROUP_MEMBERS, Entities.SIGN_INS));
    }
  }

  @Test
  void unpacedTheSameLoadDrawsAStormOf429s() throws Exception {
    try (LoadHarness h =
        new LoadHarness(throttling(), dir, Map.of("entra.graph.pacing", "false"))) {
      assertThat(h.run(LOAD).getStatus()).isEqualTo(BatchStatus.COMPLETED);
      assertThat(h.simulator.stats().totalThrottled()).as("429s served").isGreaterThanOrEqualTo(10);
      h.assertMatchesGroundTruth(
          List.of(Entities.USERS, Entities.GROUP_MEMBERS, Entities.SIGN_INS));
    }
  }
}
