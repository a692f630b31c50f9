package io.entrawarehouse.read;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.entrawarehouse.graph.GraphClient;
import io.entrawarehouse.graph.Reading;
import io.entrawarehouse.graph.SimulatorClients;
import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.MutableClock;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.TenantScale;
import io.entrawarehouse.warehouse.Entities;
import io.entrawarehouse.warehouse.Entity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemReader;
import org.springframework.batch.infrastructure.item.ItemStream;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

/** Read some items, update, close, reopen with the saved context: the next item follows on. */
class ReaderRestartTest {

  static GraphSimulator simulator;
  static GraphClient graph;

  @BeforeAll
  static void start() {
    simulator =
        GraphSimulator.start(
            SimulatorSettings.builder().scale(TenantScale.SMALL).throttling(false).build());
    graph = SimulatorClients.client(simulator, 3, d -> {});
  }

  @AfterAll
  static void stop() {
    simulator.close();
  }

  private static List<String> ids(ItemReader<JsonNode> reader, int n) throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(reader.read().get("id").asText());
    }
    return ids;
  }

  private static List<String> readAll(ItemReader<JsonNode> reader, Function<JsonNode, String> key)
      throws Exception {
    List<String> ids = new ArrayList<>();
    for (JsonNode item = reader.read(); item != null; item = reader.read()) {
      ids.add(key.apply(item));
    }
    return ids;
  }

  @Test
  void theCollectionReaderResumesInsideAPage() throws Exception {
    String first = graph.url("/users?$select=id&$top=100");
    List<String> all =
        readAll(
            new GraphCollectionItemReader(graph, "users", Reading.of("users"), first, false),
            i -> i.get("id").asText());
    assertThat(all).hasSize(1000);

    GraphCollectionItemReader reader =
        new GraphCollectionItemReader(graph, "users", Reading.of("users"), first, false);
    ExecutionContext context = new ExecutionContext();
    reader.open(context);
    List<String> before = ids(reader, 250);
    reader.update(context);
    reader.close();
    assertThat(context.getInt("users.offset")).isEqualTo(50);
    assertThat(context.getString("users.link")).contains("$skiptoken=");

    GraphCollectionItemReader resumed =
        new GraphCollectionItemReader(graph, "users", Reading.of("users"), first, false);
    resumed.open(context);
    List<String> after = readAll(resumed, i -> i.get("id").asText());

    assertThat(before).containsExactlyElementsOf(all.subList(0, 250));
    assertThat(after).containsExactlyElementsOf(all.subList(250, 1000));
  }

  @Test
  void aRestartReachingTheTenantAtAnotherAddressFollowsTheSavedLink() throws Exception {
    // The demo tenant takes a free port each run: the saved link is relative to the Graph URL.
    String first = graph.url("/users?$select=id&$top=100");
    List<String> all =
        readAll(
            new GraphCollectionItemReader(graph, "users", Reading.of("users"), first, false),
            i -> i.get("id").asText());
    GraphCollectionItemReader reader =
        new GraphCollectionItemReader(graph, "users", Reading.of("users"), first, false);
    ExecutionContext context = new ExecutionContext();
    reader.open(context);
    List<String> before = ids(reader, 250);
    reader.update(context);
    reader.close();
    assertThat(context.getString("users.link")).startsWith("/users?").contains("$skiptoken=");

    try (GraphSimulator moved =
        GraphSimulator.start(
            SimulatorSettings.builder().scale(TenantScale.SMALL).throttling(false).build())) {
      GraphClient elsewhere = SimulatorClients.client(moved, 3, d -> {});
      assertThat(elsewhere.baseUrl()).isNotEqualTo(graph.baseUrl());
      GraphCollectionItemReader resumed =
          new GraphCollectionItemReader(
              elsewhere,
              "users",
              Reading.of("users"),
              elsewhere.url("/users?$select=id&$top=100"),
              false);
      resumed.open(context);
      List<String> after = readAll(resumed, i -> i.get("id").asText());

      assertThat(before).containsExactlyElementsOf(all.subList(0, 250));
      assertThat(after).containsExactlyElementsOf(all.subList(250, 1000));
      assertThat(moved.stats().requests("users")).as("resumed at page 3, not page 1").isEqualTo(8);
    }
  }

  @Test
  void theElementsReaderResumesInsideAnItemsElementsExactly() throws Exception {
    Entity licences = Entities.USER_LICENSES;
    Supplier<ElementsItemReader> reader =
        () -> new ElementsItemReader(graph, licences, "$select=id,assignedLicenses&$top=7", false);
    Function<JsonNode, String> key =
        i -> i.get(Entity.Parent.FIELD).asText() + "/" + i.get("skuId").asText();
    List<String> all = readAll(reader.get(), key);
    assertThat(all).hasSizeGreaterThan(500).doesNotHaveDuplicates();

    // Stop at every position from one element into the read to past a page: each resume reads on
    // from exactly the next element, wherever the stop fell (inside a user's licences, at a page's
    // end).
    for (int stop = 1; stop <= 20; stop++) {
      ElementsItemReader first = reader.get();
      ExecutionContext context = new ExecutionContext();
      first.open(context);
      List<String> before = new ArrayList<>();
      for (int i = 0; i < stop; i++) {
        before.add(key.apply(first.read()));
      }
      first.update(context);
      first.close();
      ElementsItemReader resumed = reader.get();
      resumed.open(context);
      List<String> after = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        after.add(key.apply(resumed.read()));
      }
      assertThat(before).as("stop " + stop).containsExactlyElementsOf(all.subList(0, stop));
      assertThat(after)
          .as("resumed after " + stop)
          .containsExactlyElementsOf(all.subList(stop, stop + 12));
    }
  }

  /**
   * Group members as the load reads them: each group's listing, then each service principal's
   * groups (v1.0's listings leave service principals out). Stopped inside a group, and inside the
   * service principals' side, the reader resumes where it stopped.
   */
  @ParameterizedTest
  @ValueSource(ints = {3333, 7990})
  void theMembersReaderResumesInsideAGroupAndOnTheServicePrincipalsSide(int stop) throws Exception {
    Function<JsonNode, String> key =
        i -> i.get(Entity.Parent.FIELD).asText() + "/" + i.get("id").asText();
    Supplier<ItemStreamReader<JsonNode>> members =
        () -> GraphReaders.of(graph, Entities.GROUP_MEMBERS, "$select=id&$top=7", false, 3);
    List<String> all = readAll(opened(members.get(), new ExecutionContext()), key);
    assertThat(all).hasSize(8000).doesNotHaveDuplicates();
    assertThat(all.subList(7990, 8000))
        .as("the last rows come from the service principals' side")
        .allMatch(k -> simulator.tenant().apps().servicePrincipalIndex(k.split("/")[1]) >= 0);

    var reader = members.get();
    ExecutionContext context = new ExecutionContext();
    reader.open(context);
    List<String> before = new ArrayList<>();
    for (int i = 0; i < stop; i++) {
      before.add(key.apply(reader.read()));
    }
    reader.update(context);
    reader.close();

    List<String> after = readAll(opened(members.get(), context), key);
    assertThat(before).containsExactlyElementsOf(all.subList(0, stop));
    assertThat(after).containsExactlyElementsOf(all.subList(stop, 8000));

    // A finished reader stays finished after a restart.
    var done = opened(members.get(), new ExecutionContext());
    readAll(done, key);
    ExecutionContext finished = new ExecutionContext();
    done.update(finished);
    assertThat(opened(members.get(), finished).read()).isNull();
  }

  private static <R extends ItemStream> R opened(R reader, ExecutionContext context) {
    reader.open(context);
    return reader;
  }

  @Test
  void aForgedSavedLinkFailsInsteadOfRestartingSilently() throws Exception {
    String first = graph.url("/users?$select=id&$top=100");
    ExecutionContext context = new ExecutionContext();
    context.putString("users.link", first + "&$skiptoken=MTAwLjAuMA" + "AAAAAAAAAAAAAAAA");
    context.putInt("users.offset", 5);
    GraphCollectionItemReader reader =
        new GraphCollectionItemReader(graph, "users", Reading.of("users"), first, false);
    reader.open(context);
    // A forged token is refused as invalid, not expired: that is a query error, never a silent
    // restart.
    Assertions.assertThatThrownBy(reader::read).hasMessageContaining("page token");
  }

  @Test
  void anExpiredSavedLinkFallsBackToTheFirstPage() throws Exception {
    MutableClock clock = new MutableClock(Instant.now());
    try (GraphSimulator shortLived =
        GraphSimulator.start(
            SimulatorSettings.builder()
                .scale(TenantScale.TINY)
                .throttling(false)
                .clock(clock)
                .skipTokenLifetime(Duration.ofSeconds(60))
                .build())) {
      GraphClient client = SimulatorClients.client(shortLived, 3, d -> {});
      String first = client.url("/users?$select=id&$top=10");
      GraphCollectionItemReader reader =
          new GraphCollectionItemReader(client, "users", Reading.of("users"), first, false);
      ExecutionContext context = new ExecutionContext();
      reader.open(context);
      ids(reader, 15);
      reader.update(context);
      clock.advance(Duration.ofSeconds(61)); // the saved page's skiptoken has expired

      GraphCollectionItemReader resumed =
          new GraphCollectionItemReader(client, "users", Reading.of("users"), first, false);
      resumed.open(context);
      List<String> after = readAll(resumed, i -> i.get("id").asText());

      // The whole collection again, from the first page; the load deduplicates by id.
      assertThat(after).hasSize(40).doesNotHaveDuplicates();
    }
  }
}
