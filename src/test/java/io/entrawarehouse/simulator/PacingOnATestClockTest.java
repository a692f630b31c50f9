package io.entrawarehouse.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrawarehouse.graph.GraphBudget;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The product's pacing ({@link GraphBudget}) against the simulator's throttling ({@link Throttler})
 * on one test clock: every request of a mixed load, directory pages at their documented costs and
 * report pages, is admitted when paced, across a hundred windows; unpaced, the same sequence is
 * throttled. No wall clock: the budget's waits advance the test clock, and so does each answer's
 * latency.
 */
class PacingOnATestClockTest {

  private static final Duration WINDOW = Duration.ofSeconds(10);

  /** A night's mix: users and group pages, member pages, sign-in and audit pages. */
  private static final List<String> LOAD =
      List.of(
          "https://graph.microsoft.com/v1.0/users?$select=id,displayName&$top=999",
          "https://graph.microsoft.com/v1.0/groups/g1/members?$top=999",
          "https://graph.microsoft.com/v1.0/groups/g2/members?$top=999",
          "https://graph.microsoft.com/v1.0/auditLogs/signIns?$top=1000",
          "https://graph.microsoft.com/v1.0/devices?$top=999",
          "https://graph.microsoft.com/v1.0/auditLogs/directoryAudits?$top=1000");

  /** Sends the load {@code rounds} times; returns how many requests the throttler refused. */
  private static int refused(boolean paced, int rounds) throws Exception {
    long[] now = {0};
    GraphBudget budget =
        new GraphBudget(
            paced ? 60 : 0, paced ? 1 : 0, WINDOW, 1.0, () -> now[0], d -> now[0] += d.toNanos());
    Throttler graph = new Throttler(1.0, 60, 1);
    int refused = 0;
    for (int r = 0; r < rounds; r++) {
      for (String url : LOAD) {
        GraphBudget.Cost cost = GraphBudget.cost(url);
        GraphBudget.Permit permit = budget.acquire(cost);
        boolean reports = cost.kind() == GraphBudget.Kind.REPORTS;
        if (!graph.admit("tenant/app", reports, cost.units(), now[0]).admitted()) {
          refused++;
        }
        now[0] += Duration.ofMillis(120).toNanos(); // the page's latency
        budget.answered(permit);
      }
    }
    return refused;
  }

  @Test
  void pacedToTheBudgetsEveryRequestIsAdmitted() throws Exception {
    assertThat(refused(true, 100)).isZero();
  }

  @Test
  void unpacedTheSameRequestsAreThrottled() throws Exception {
    assertThat(refused(false, 100)).isGreaterThan(100);
  }
}
