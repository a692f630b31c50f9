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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

/**
 * A delta round read in part, saved, closed and resumed from the saved context goes on with the
 * next item: inside a page, and inside one group's members@delta.
 */
class DeltaItemReaderTest {

  static GraphSimulator simulator;
  static GraphClient graph;

  @BeforeAll
  static void start() {
    simulator =
        GraphSimulator.start(
            SimulatorSettings.builder()
                .scale(TenantScale.SMALL)
                .changeRate(0.05)
                .throttling(false)
                .build());
    graph = SimulatorClients.client(simulator, 3, d -> {});
  }

  @AfterAll
  static void stop() {
    simulator.close();
  }

  private static String key(JsonNode item) {
    return item.path(Entity.Parent.FIELD).asText("")
        + "/"
        + item.path("id").asText("")
        + (item.has("@removed") ? "/removed" : "");
  }

  private static DeltaItemReader reader(Entity entity, String select, String link) {
    ItemStreamReader<JsonNode> never =
        new ItemStreamReader<>() {
          @Override
          public JsonNode read() {
            throw new AssertionError("a changes round never lists");
          }
        };
    return new DeltaItemReader(graph, entity, select, () -> link, () -> never);
  }

  private static List<String> read(DeltaItemReader reader, int n) throws Exception {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      JsonNode item = reader.read();
      if (item == null) {
        break;
      }
      keys.add(key(item));
    }
    return keys;
  }

  @Test
  void aRoundResumesInsideAPageAndInsideAGroupsMembers() throws Exception {
    simulator.day(0);
    for (Entity entity : List.of(Entities.USERS, Entities.GROUP_MEMBERS)) {
      String select = entity == Entities.USERS ? "id,displayName,jobTitle,department" : "members";
      String link =
          graph
              .page(
                  entity.reading(),
                  graph.url(entity.delta().path() + "?$deltatoken=latest&$select=" + select),
                  false)
              .deltaLink();
      assertThat(link).contains("$deltatoken=");
      simulator.day(1);
      DeltaItemReader whole = reader(entity, select, link);
      ExecutionContext first = new ExecutionContext();
      whole.open(first);
      List<String> all = read(whole, Integer.MAX_VALUE);
      whole.update(first);
      assertThat(all).as(entity.name()).hasSizeGreaterThan(20);
      assertThat(whole.mode()).isEqualTo(DeltaItemReader.Mode.CHANGES);
      assertThat(first.getString(DeltaItemReader.NEXT)).contains("$deltatoken=");

      for (int at : new int[] {7, all.size() / 2, all.size() - 3}) {
        DeltaItemReader part = reader(entity, select, link);
        ExecutionContext context = new ExecutionContext();
        part.open(context);
        List<String> before = read(part, at);
        part.update(context);
        part.close();
        DeltaItemReader resumed = reader(entity, select, null);
        resumed.open(context);
        List<String> after = read(resumed, Integer.MAX_VALUE);
        List<String> joined = new ArrayList<>(before);
        joined.addAll(after);
        assertThat(joined).as(entity.name() + " resumed after " + at).isEqualTo(all);
      }
      simulator.day(0);
    }
  }
}
