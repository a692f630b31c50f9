package io.entrawarehouse.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.entrawarehouse.graph.GraphBudget.Cost;
import io.entrawarehouse.graph.GraphBudget.Kind;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** The pacing arithmetic, on a test clock that moves only when the budget sleeps. */
class GraphBudgetTest {

  private static final String GRAPH = "https://graph.microsoft.com/v1.0";

  private final AtomicLong clock = new AtomicLong();

  private GraphBudget budget(int units, int reports, double share) {
    return new GraphBudget(
        units,
        reports,
        Duration.ofSeconds(10),
        share,
        clock::get,
        d -> clock.addAndGet(d.toNanos()));
  }

  private double seconds() {
    return clock.get() / 1e9;
  }

  @Test
  void requestsCostWhatMicrosoftsTableSays() {
    assertThat(GraphBudget.cost(GRAPH + "/users?$top=999")).isEqualTo(new Cost(Kind.DIRECTORY, 2));
    assertThat(GraphBudget.cost(GRAPH + "/users?$select=id,displayName&$top=999"))
        .isEqualTo(new Cost(Kind.DIRECTORY, 1));
    assertThat(GraphBudget.cost(GRAPH + "/groups/abc/members?%24select=id"))
        .isEqualTo(new Cost(Kind.DIRECTORY, 2));
    assertThat(GraphBudget.cost(GRAPH + "/groups/abc/transitiveMembers"))
        .isEqualTo(new Cost(Kind.DIRECTORY, 5));
    assertThat(GraphBudget.cost(GRAPH + "/subscribedSkus")).isEqualTo(new Cost(Kind.DIRECTORY, 3));
    assertThat(GraphBudget.cost(GRAPH + "/devices?$select=id&$expand=registeredOwners"))
        .isEqualTo(new Cost(Kind.DIRECTORY, 1));
    assertThat(GraphBudget.cost(GRAPH + "/servicePrincipals?$select=id"))
        .isEqualTo(new Cost(Kind.DIRECTORY, 1));
    assertThat(GraphBudget.cost(GRAPH + "/auditLogs/signIns?$top=1000"))
        .isEqualTo(new Cost(Kind.REPORTS, 1));
    assertThat(GraphBudget.cost(GRAPH + "/reports/authenticationMethods/userRegistrationDetails"))
        .isEqualTo(new Cost(Kind.REPORTS, 1));
  }

  @Test
  void directoryRequestsDrawTheBucketThenWaitForItsRefill() throws Exception {
    GraphBudget b = budget(100, 5, 1.0);
    for (int i = 0; i < 150; i++) {
      b.acquire(new Cost(Kind.DIRECTORY, 2));
    }
    // 300 units: the full bucket's 100 less its reserve of 5 at once, 205 more at 10 units a
    // second.
    assertThat(seconds()).isCloseTo(20.5, Offset.offset(0.01));
  }

  @Test
  void reportsGoFiveAWindow() throws Exception {
    GraphBudget b = budget(100, 5, 1.0);
    for (int i = 0; i < 12; i++) {
      GraphBudget.Permit p = b.acquire(new Cost(Kind.REPORTS, 1));
      clock.addAndGet(100_000_000L); // each answer takes 0.1 s
      b.answered(p);
    }
    // Request 6 goes a window after request 1's answer (0.1 s), at 10.1 s; request 11 a window
    // after request 6's answer (10.2 s), at 20.2 s; request 12 a window after request 7's (10.3 s),
    // at 20.3 s, answered at 20.4 s.
    assertThat(seconds()).isCloseTo(20.4, Offset.offset(0.01));
  }

  @Test
  void aThrottledDirectoryRequestWaitsRetryAfterAndStepsDownATier() throws Exception {
    GraphBudget b = budget(0, 5, 1.0);
    assertThat(b.capacity()).isEqualTo(8_000);
    b.throttled(new Cost(Kind.DIRECTORY, 1), Duration.ofSeconds(3));
    assertThat(b.capacity()).isEqualTo(5_000);
    b.acquire(new Cost(Kind.DIRECTORY, 1));
    assertThat(seconds()).isCloseTo(3.0, Offset.offset(0.01));
    b.throttled(new Cost(Kind.DIRECTORY, 1), null);
    b.throttled(new Cost(Kind.DIRECTORY, 1), null);
    assertThat(b.capacity()).as("never below the smallest tier").isEqualTo(3_500);
    // A throttled report pauses reports only.
    b.throttled(new Cost(Kind.REPORTS, 1), Duration.ofSeconds(7));
    long before = clock.get();
    b.answered(b.acquire(new Cost(Kind.REPORTS, 1)));
    assertThat((clock.get() - before) / 1e9).isCloseTo(7.0, Offset.offset(0.01));
  }

  @Test
  void theUsedShareGraphReportsTakesTheBucketDown() throws Exception {
    GraphBudget b = budget(1_000, 5, 1.0);
    b.used(0.90); // Graph counts 90% used: 100 units left, whatever this process drew
    for (int i = 0; i < 50; i++) {
      b.acquire(new Cost(Kind.DIRECTORY, 1)); // 50 of them, above the reserve of 50
    }
    assertThat(seconds()).isCloseTo(0.0, Offset.offset(1e-6));
    b.acquire(new Cost(Kind.DIRECTORY, 100));
    // 100 more above the reserve: 100 units at 100 a second.
    assertThat(seconds()).isCloseTo(1.0, Offset.offset(0.01));
  }

  @Test
  void aShareLeavesTheRestOfEachBudgetToOthers() throws Exception {
    GraphBudget b = budget(0, 5, 0.5);
    assertThat(b.capacity()).isEqualTo(4_000);
    for (int i = 0; i < 3; i++) {
      b.answered(b.acquire(new Cost(Kind.REPORTS, 1)));
    }
    assertThat(seconds()).as("2 reports a window").isCloseTo(10.0, Offset.offset(0.01));
    assertThatThrownBy(() -> budget(0, 5, 1.5))
        .hasMessageContaining("entra.graph.budget-share must be above 0 and at most 1");
  }
}
