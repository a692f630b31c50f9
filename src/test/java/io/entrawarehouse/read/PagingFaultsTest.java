package io.entrawarehouse.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.entrawarehouse.graph.GraphClient;
import io.entrawarehouse.graph.GraphException;
import io.entrawarehouse.graph.Reading;
import io.entrawarehouse.graph.SimulatorClients;
import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.TenantScale;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.springframework.batch.infrastructure.item.ExecutionContext;

/**
 * Paging as real Graph breaks it: a nextLink that leads back to a page already read (a cycle), a
 * page token Graph no longer finds, and a link off the configured Graph. Each read either ends with
 * every item of the collection, or fails with a message that says what happened, never loops.
 */
class PagingFaultsTest {

  private static final String USERS = "/users?$select=id&$top=100";

  private static GraphSimulator start(String fault) {
    return GraphSimulator.start(
        SimulatorSettings.builder()
            .scale(TenantScale.SMALL)
            .throttling(false)
            .fault(fault)
            .build());
  }

  /** Every id the reader returns, as a set (a restart reads some twice; the load dedups). */
  private static TreeSet<String> read(GraphClient graph, GraphSimulator sim) throws Exception {
    GraphCollectionItemReader reader =
        new GraphCollectionItemReader(graph, "users", Reading.of("users"), graph.url(USERS), false);
    reader.open(new ExecutionContext());
    TreeSet<String> ids = new TreeSet<>();
    for (JsonNode item = reader.read(); item != null; item = reader.read()) {
      ids.add(item.get("id").asText());
    }
    return ids;
  }

  private static TreeSet<String> truth(GraphSimulator sim) {
    TreeSet<String> ids = new TreeSet<>();
    for (int u = 0; u < sim.tenant().scale().users(); u++) {
      ids.add((String) sim.tenant().people().user(u).get("id"));
    }
    return ids;
  }

  @Test
  void aCycleOnceIsReadAgainFromTheFirstPageAndEndsWhole() throws Exception {
    try (GraphSimulator sim = start("cycle:users:nth=4")) {
      GraphClient graph = SimulatorClients.client(sim, 3, d -> {});
      assertThat(read(graph, sim)).isEqualTo(truth(sim));
    }
  }

  @Test
  void aCycleThatPersistsFailsTheReadInsteadOfLooping() {
    try (GraphSimulator sim = start("cycle:users:rate=1")) {
      GraphClient graph = SimulatorClients.client(sim, 3, d -> {});
      assertThatThrownBy(() -> read(graph, sim))
          .isInstanceOf(GraphException.class)
          .hasMessageContaining("Graph's paging of users loops")
          .hasMessageContaining("again after reading from the first page");
      assertThat(sim.stats().requests("users")).as("two passes, not forever").isLessThan(10);
    }
  }

  @Test
  void aPageTokenGraphNoLongerFindsRestartsFromTheFirstPage() throws Exception {
    try (GraphSimulator sim = start("page-token:users:nth=3")) {
      GraphClient graph = SimulatorClients.client(sim, 3, d -> {});
      assertThat(read(graph, sim)).isEqualTo(truth(sim));
    }
  }

  @Test
  void aPageTokenErrorThatPersistsFailsAfterThreeRestarts() {
    try (GraphSimulator sim = start("page-token:users:rate=1")) {
      GraphClient graph = SimulatorClients.client(sim, 3, d -> {});
      assertThatThrownBy(() -> read(graph, sim))
          .isInstanceOf(GraphException.ExpiredLink.class)
          .hasMessageContaining("DirectoryPageTokenNotFoundException")
          .hasMessageContaining("Read again from the first page 3 times, it still failed");
      assertThat(sim.stats().requests("users")).isEqualTo(8); // 4 first pages, 4 refused
    }
  }

  /** Every sign-in id a reader of {@code firstLink} returns. */
  private static TreeSet<String> signIns(GraphClient graph, String firstLink) throws Exception {
    GraphCollectionItemReader reader =
        new GraphCollectionItemReader(graph, "sign_ins", Reading.of("sign-ins"), firstLink, false);
    reader.open(new ExecutionContext());
    TreeSet<String> ids = new TreeSet<>();
    for (JsonNode item = reader.read(); item != null; item = reader.read()) {
      ids.add(item.get("id").asText());
    }
    return ids;
  }

  @Test
  void aReportPageThatTimesOutIsAskedAgainAtHalfTheSize() throws Exception {
    // Pages of more than 250 are held for 2 min; the client waits 2 s for a report page.
    // 600 sign-ins: three pages of 250, as the reports budget paces them (5 per 10 s).
    try (GraphSimulator sim =
        GraphSimulator.start(
            SimulatorSettings.builder()
                .scale(TenantScale.SMALL.with(-1, -1, -1, -1, -1, 600))
                .throttling(false)
                .fault("slow:signIns:rate=1")
                .build())) {
      GraphClient graph = SimulatorClients.client(sim, 3, d -> {}, Duration.ofSeconds(2));
      // Every sign-in the tenant has (the query has no window), as the simulator generates them.
      TreeSet<String> expected = new TreeSet<>();
      for (int i = 0; i < sim.tenant().scale().signIns(); i++) {
        expected.add((String) sim.tenant().logs().signIn(i).get("id"));
      }
      assertThat(expected).hasSizeGreaterThan(250);

      assertThat(signIns(graph, graph.url("/auditLogs/signIns?$top=1000"))).isEqualTo(expected);
      // 1,000 and 500 timed out; 250 answered, and the next query (another slice) starts there.
      assertThat(graph.pageSizes().current("sign-ins")).isEqualTo(250);
      long before = sim.stats().requests("signIns");
      assertThat(signIns(graph, graph.url("/auditLogs/signIns?$top=1000"))).isEqualTo(expected);
      assertThat(sim.stats().requests("signIns") - before)
          .as("no page of 1,000 asked again: one request per 250")
          .isEqualTo((expected.size() + 249) / 250L);
    }
  }

  @Test
  void aLinkOffTheConfiguredGraphIsNeverSentTheToken() {
    try (GraphSimulator sim = start("503:users:nth=1000")) {
      GraphClient graph = SimulatorClients.client(sim, 3, d -> {});
      List<String> refused = new ArrayList<>();
      for (String url :
          List.of(
              "https://graph.example.invalid/v1.0/users",
              graph.url("/users").replace("https://", "http://"),
              graph.url("/users").replaceFirst(":[0-9]+/", ":1/"))) {
        assertThatThrownBy(() -> graph.page(Reading.of("users"), url, false))
            .isInstanceOf(GraphException.class)
            .hasMessageContaining("Refusing to read users from")
            .hasMessageContaining("Nothing was sent");
        refused.add(url);
      }
      assertThat(refused).hasSize(3);
      assertThat(sim.stats().requests("users")).isZero();
    }
  }
}
