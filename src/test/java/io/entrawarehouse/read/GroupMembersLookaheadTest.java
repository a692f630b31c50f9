package io.entrawarehouse.read;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.entrawarehouse.graph.GraphClient;
import io.entrawarehouse.graph.SimulatorClients;
import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.TenantScale;
import io.entrawarehouse.warehouse.Entities;
import io.entrawarehouse.warehouse.Entity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

/**
 * The group members reader keeps the next groups' first pages in flight, and that changes nothing
 * in what it returns, nor in which order.
 */
class GroupMembersLookaheadTest {

  private static List<String> readAll(ItemStreamReader<JsonNode> reader) throws Exception {
    reader.open(new ExecutionContext());
    List<String> members = new ArrayList<>();
    for (JsonNode m = reader.read(); m != null; m = reader.read()) {
      members.add(m.get(Entity.Parent.FIELD).asText() + "/" + m.get("id").asText());
    }
    return members;
  }

  @Test
  void theNextGroupsAreFetchedConcurrentlyAndTheMembersAreTheSame() throws Exception {
    // 12 groups of one page each; 200 ms per page keeps each request in flight long enough for
    // the next ones to connect and start, even on a loaded machine.
    SimulatorSettings settings =
        SimulatorSettings.builder()
            .scale(TenantScale.TINY)
            .throttling(false)
            .latency(Duration.ofMillis(200), Duration.ZERO)
            .build();
    List<String> oneAhead;
    try (GraphSimulator simulator = GraphSimulator.start(settings)) {
      GraphClient graph = SimulatorClients.client(simulator, 3, d -> {});
      oneAhead =
          readAll(GraphReaders.of(graph, Entities.GROUP_MEMBERS, "$select=id&$top=999", false, 1));
      // The current group and the next one's first page; one more at most, as the simulator counts
      // a request in flight until its thread is done sending, which on a loaded machine can be
      // after the client has read the answer and sent the next request.
      assertThat(simulator.stats().maxGraphRequestsInFlight()).isBetween(1, 3);
    }
    try (GraphSimulator simulator = GraphSimulator.start(settings)) {
      GraphClient graph = SimulatorClients.client(simulator, 3, d -> {});
      List<String> eightAhead =
          readAll(GraphReaders.of(graph, Entities.GROUP_MEMBERS, "$select=id&$top=999", false, 8));
      assertThat(simulator.stats().maxGraphRequestsInFlight()).isBetween(6, 9);
      assertThat(eightAhead).hasSize(120).doesNotHaveDuplicates().isEqualTo(oneAhead);
    }
  }
}
