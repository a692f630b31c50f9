package io.entrawarehouse.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrawarehouse.simulator.DemoTenant;
import io.entrawarehouse.simulator.MutableClock;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.TenantScale;
import io.entrawarehouse.warehouse.Entities;
import io.entrawarehouse.write.iceberg.IcebergLake;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.step.StepExecution;

/**
 * Logs by cursor: a load without {@code since} reads each log from where the lake's last load of it
 * ended, less {@link LoadParameters#LOG_OVERLAP}; the mark moves with the rows, and only when a
 * window read every event from it on.
 */
class LogCursorTest {

  @TempDir Path dir;

  private static SimulatorSettings settings() {
    return SimulatorSettings.builder().scale(TenantScale.SMALL).throttling(false).build();
  }

  /** How many sign-ins the tenant has in [from, until), and the filtered ones' count. */
  private static long signIns(DemoTenant tenant, Instant from, Instant until, boolean failedOnly) {
    long n = 0;
    for (int i = 0; i < tenant.scale().signIns(); i++) {
      Map<String, Object> s = tenant.logs().signIn(i);
      Instant t = OffsetDateTime.parse((String) s.get("createdDateTime")).toInstant();
      int error = (int) ((Map<?, ?>) s.get("status")).get("errorCode");
      if (!t.isBefore(from) && t.isBefore(until) && (!failedOnly || error != 0)) {
        n++;
      }
    }
    return n;
  }

  private static long read(JobExecution e, String step) {
    return e.getStepExecutions().stream()
        .filter(s -> s.getStepName().equals(step))
        .mapToLong(StepExecution::getReadCount)
        .sum();
  }

  private static Instant mark(LoadHarness h) {
    try (IcebergLake lake = h.launcher.lake()) {
      return lake.logMark(Entities.SIGN_INS, h.simulator.tenant().tenantId());
    }
  }

  @Test
  void eachNightReadsFromTheMarkLessTheOverlapAndTheMarkMovesOnlyAfterAWholeWindow()
      throws Exception {
    try (LoadHarness h = new LoadHarness(settings(), dir, Map.of())) {
      DemoTenant tenant = h.simulator.tenant();
      Instant now = tenant.now();
      Instant oldest = tenant.oldestLog();
      Duration overlap = LogWindow.LOG_OVERLAP;

      // First night: no mark, so the 7 days before until.
      Instant first = now.minus(Duration.ofDays(3));
      JobExecution one = h.run(Map.of("entities", "sign_ins", "until", first.toString()));
      assertThat(one.getStatus()).isEqualTo(BatchStatus.COMPLETED);
      assertThat(read(one, "sign_ins")).isEqualTo(signIns(tenant, oldest, first, false));
      assertThat(mark(h)).isEqualTo(first);

      // Next night: from the mark less the overlap, nothing before it read again.
      Instant second = now.minus(Duration.ofDays(1));
      JobExecution two = h.run(Map.of("entities", "sign_ins", "until", second.toString()));
      assertThat(two.getStatus()).isEqualTo(BatchStatus.COMPLETED);
      assertThat(read(two, "sign_ins"))
          .as("the window [mark - overlap, until)")
          .isEqualTo(signIns(tenant, first.minus(overlap), second, false));
      assertThat(mark(h)).isEqualTo(second);
      assertThat(h.ids(Entities.SIGN_INS, true))
          .as("every event before the mark, once")
          .doesNotHaveDuplicates()
          .hasSize((int) signIns(tenant, oldest, second, false));

      // A filtered night reads only some events: the mark stays.
      Instant third = now.minus(Duration.ofHours(12));
      JobExecution filtered =
          h.run(
              Map.of(
                  "entities",
                  "sign_ins",
                  "until",
                  third.toString(),
                  "filter.sign_ins",
                  "status/errorCode ne 0"));
      assertThat(filtered.getStatus()).isEqualTo(BatchStatus.COMPLETED);
      assertThat(read(filtered, "sign_ins"))
          .isEqualTo(signIns(tenant, second.minus(overlap), third, true));
      assertThat(mark(h)).isEqualTo(second);

      // An explicit window that starts after the mark leaves a gap: the mark stays.
      JobExecution gap =
          h.run(
              Map.of(
                  "entities",
                  "sign_ins",
                  "since",
                  third.toString(),
                  "until",
                  now.minus(Duration.ofHours(6)).toString()));
      assertThat(gap.getStatus()).isEqualTo(BatchStatus.COMPLETED);
      assertThat(mark(h)).isEqualTo(second);

      // The next cursor night fills the gap: every event up to now, once.
      JobExecution last = h.run(Map.of("entities", "sign_ins", "until", now.toString()));
      assertThat(last.getStatus()).isEqualTo(BatchStatus.COMPLETED);
      assertThat(read(last, "sign_ins"))
          .isEqualTo(signIns(tenant, second.minus(overlap), now, false));
      assertThat(mark(h)).isEqualTo(now);
      h.assertMatchesGroundTruth(List.of(Entities.SIGN_INS));
    }
  }

  /**
   * A launch whose {@code until} is later than its own run (end of today, at any hour) moves the
   * mark only to when its read began: the events created after it, which the simulator shows once
   * its clock reaches them, are read by the next cursor load. Real time, not a test clock, because
   * the mark is when the read really began; with a mark at {@code until}, the next load would start
   * at end of today less the overlap and miss them (unless this runs after 21:30 UTC).
   */
  @Test
  void anUntilAheadOfTheRunMovesTheMarkOnlyToWhenTheReadBegan() throws Exception {
    Instant started = Instant.now();
    Instant endOfToday =
        LocalDate.now(ZoneOffset.UTC).plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    Instant later = started.plus(Duration.ofMinutes(30));
    Instant newest = later.isBefore(endOfToday) ? later : endOfToday.minusSeconds(60);
    MutableClock clock = new MutableClock(started);
    try (LoadHarness h =
        new LoadHarness(
            settings().toBuilder().tenantNow(newest).clock(clock).build(), dir, Map.of())) {
      DemoTenant tenant = h.simulator.tenant();
      Instant from = endOfToday.minus(Duration.ofDays(7));
      Map<String, String> ahead = Map.of("entities", "sign_ins", "until", endOfToday.toString());

      JobExecution one = h.run(ahead);
      Instant ended = Instant.now();
      assertThat(one.getStatus()).isEqualTo(BatchStatus.COMPLETED);
      assertThat(read(one, "sign_ins"))
          .as("the events that had happened by then")
          .isEqualTo(signIns(tenant, from, started.plusNanos(1), false));
      Instant mark = mark(h);
      assertThat(mark)
          .as("when the read began (whole seconds), not until")
          .isBetween(started.truncatedTo(ChronoUnit.SECONDS), ended);

      // Events are created after the first load: Graph shows them now.
      clock.advance(Duration.between(started, newest));
      assertThat(signIns(tenant, started.plusNanos(1), newest.plusNanos(1), false)).isPositive();
      JobExecution two = h.run(ahead, true);
      assertThat(two.getStatus()).isEqualTo(BatchStatus.COMPLETED);
      assertThat(read(two, "sign_ins"))
          .isEqualTo(
              signIns(tenant, mark.minus(LogWindow.LOG_OVERLAP), newest.plusNanos(1), false));
      assertThat(h.ids(Entities.SIGN_INS, true))
          .as("every event since the first load's window began, once")
          .doesNotHaveDuplicates()
          .hasSize((int) signIns(tenant, from, newest.plusNanos(1), false));
    }
  }

  @Test
  void aRestartReadsTheWindowItsFirstExecutionChoseThoughTheMarkMovedMeanwhile() throws Exception {
    try (LoadHarness h =
        new LoadHarness(
            settings().toBuilder().fault("503:signIns:nth=2").build(),
            dir,
            Map.of("entra.graph.max-attempts", "1", "entra.warehouse.chunk-size", "500"))) {
      DemoTenant tenant = h.simulator.tenant();
      Instant now = tenant.now();
      Map<String, String> night = new HashMap<>(Map.of("entities", "sign_ins"));
      night.put("until", now.minus(Duration.ofDays(1)).toString());

      JobExecution failed = h.run(night);
      assertThat(failed.getStatus()).isEqualTo(BatchStatus.FAILED);
      Instant chosen = now.minus(Duration.ofDays(8));
      StepExecution step =
          failed.getStepExecutions().stream()
              .filter(s -> s.getStepName().equals("sign_ins"))
              .findFirst()
              .orElseThrow();
      assertThat(step.getExecutionContext().getString(LogWindow.WINDOW_FROM))
          .isEqualTo(chosen.toString());

      // Another launch commits meanwhile and moves the mark.
      JobExecution other =
          h.run(Map.of("entities", "sign_ins", "until", now.minus(Duration.ofDays(2)).toString()));
      assertThat(other.getStatus()).isEqualTo(BatchStatus.COMPLETED);
      assertThat(mark(h)).isEqualTo(now.minus(Duration.ofDays(2)));

      JobExecution resumed = h.run(night);
      assertThat(resumed.getStatus()).isEqualTo(BatchStatus.COMPLETED);
      assertThat(resumed.getJobInstanceId()).isEqualTo(failed.getJobInstanceId());
      StepExecution again =
          resumed.getStepExecutions().stream()
              .filter(s -> s.getStepName().equals("sign_ins"))
              .findFirst()
              .orElseThrow();
      assertThat(again.getExecutionContext().getString(LogWindow.WINDOW_FROM))
          .as("the first execution's window, not the moved mark's")
          .isEqualTo(chosen.toString());
      assertThat(mark(h)).isEqualTo(now.minus(Duration.ofDays(1)));
      assertThat(h.ids(Entities.SIGN_INS, true))
          .doesNotHaveDuplicates()
          .hasSize((int) signIns(tenant, tenant.oldestLog(), now.minus(Duration.ofDays(1)), false));
    }
  }
}
