package io.entrawarehouse.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.TenantScale;
import io.entrawarehouse.warehouse.Entities;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.step.StepExecution;

/**
 * A backfill's log window (over a week) is cut into slices of whole UTC days holding at least four
 * pages each, read side by side; a night's or a first load's window, or one that fits in a page, is
 * read whole.
 */
class LogSlicesTest {

  @TempDir Path dir;

  @Test
  void aWeekOfSignInsIsReadAsDailySlicesAndLoadsEveryEventOnce() throws Exception {
    try (LoadHarness h =
        new LoadHarness(
            SimulatorSettings.builder()
                .scale(TenantScale.SMALL.with(-1, -1, -1, -1, -1, 35_000))
                .logSpan(Duration.ofDays(14))
                .throttling(false)
                .build(),
            dir,
            // Unpaced: the simulator does not throttle, and 14 slices paced to Graph's 5 report
            // requests per 10 s would wait 30 s.
            Map.of("entra.graph.pacing", "false"))) {
      Instant now = h.simulator.tenant().now();
      JobExecution run =
          h.run(
              Map.of(
                  "entities", "directory_audits,sign_ins",
                  "since", now.minus(Duration.ofDays(14)).toString(),
                  "until", now.toString()));
      assertThat(run.getStatus()).isEqualTo(BatchStatus.COMPLETED);
      h.assertMatchesGroundTruth(List.of(Entities.SIGN_INS, Entities.DIRECTORY_AUDITS));
      List<StepExecution> slices =
          run.getStepExecutions().stream()
              .filter(s -> s.getStepName().startsWith("sign_ins-slice:"))
              .toList();
      // A backfill of 35,000 sign-ins over 14 days, 1,000 a page: 2.5 pages a day, so slices of
      // two days (at least four pages a slice; the window starts at midnight).
      assertThat(slices).hasSize(7);
      assertThat(slices).allMatch(s -> s.getStatus() == BatchStatus.COMPLETED);
      assertThat(slices.stream().mapToLong(StepExecution::getWriteCount).sum()).isEqualTo(35_000);
      StepExecution log =
          run.getStepExecutions().stream()
              .filter(s -> s.getStepName().equals("sign_ins"))
              .findFirst()
              .orElseThrow();
      assertThat(log.getWriteCount()).as("the log's step sums its slices").isEqualTo(35_000);
      // 1,000 directory audits in two weeks: one page, read whole.
      assertThat(run.getStepExecutions())
          .filteredOn(s -> s.getStepName().startsWith("directory_audits-slice:"))
          .hasSize(1);
      // A first load's window (a week) is read whole, without a first look.
      JobExecution night =
          h.run(
              Map.of(
                  "entities", "sign_ins",
                  "since", now.minus(Duration.ofDays(7)).toString(),
                  "until", now.toString()));
      assertThat(night.getStatus()).isEqualTo(BatchStatus.COMPLETED);
      assertThat(night.getStepExecutions())
          .filteredOn(s -> s.getStepName().startsWith("sign_ins-slice:"))
          .hasSize(1);
      h.assertMatchesGroundTruth(List.of(Entities.SIGN_INS));
    }
  }
}
