package io.entrawarehouse.simulator;

import static io.entrawarehouse.simulator.SimHttp.q;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Paging with nextLink and skiptokens, group members, and the log endpoints' time rules. */
class PagingAndLogsTest {

  private static final Instant TENANT_NOW = Instant.parse("2026-11-20T00:00:00Z");

  private static GraphSimulator start(SimulatorSettings.Builder b) {
    return GraphSimulator.start(
        b.scale(TenantScale.TINY).tenantNow(TENANT_NOW).throttling(false).build());
  }

  @Test
  void nextLinkIsAbsoluteRepeatsTheQueryAndCoversEveryUserOnce() throws Exception {
    try (GraphSimulator sim = start(SimulatorSettings.builder())) {
      SimHttp http = new SimHttp(sim);
      List<String> ids = new ArrayList<>();
      SimHttp.Reply page = http.get("/users?$top=7&$select=id,displayName");
      int pages = 1;
      while (true) {
        page.value().forEach(u -> ids.add(u.get("id").asText()));
        JsonNode next = page.json().get("@odata.nextLink");
        if (next == null) {
          break;
        }
        assertThat(next.asText())
            .startsWith(sim.graphBaseUrl() + "/users?")
            .contains("$top=7")
            .contains("$select=id%2CdisplayName")
            .contains("$skiptoken=");
        page = http.get(next.asText());
        pages++;
      }
      assertThat(pages).isEqualTo(6);
      assertThat(ids).hasSize(40).doesNotHaveDuplicates();
    }
  }

  @Test
  void expiredAndTamperedSkipTokensAreRejected() throws Exception {
    MutableClock clock = new MutableClock(Instant.now());
    try (GraphSimulator sim =
        start(SimulatorSettings.builder().clock(clock).skipTokenLifetime(Duration.ofSeconds(60)))) {
      SimHttp http = new SimHttp(sim);
      String next = http.get("/users?$top=5").json().get("@odata.nextLink").asText();
      assertThat(http.get(next).status()).isEqualTo(200);

      String tampered =
          next.substring(0, next.length() - 3) + (next.endsWith("AAA") ? "BBB" : "AAA");
      SimHttp.Reply bad = http.get(tampered);
      assertThat(bad.status()).isEqualTo(400);

      clock.advance(Duration.ofSeconds(61));
      SimHttp.Reply expired = http.get(next);
      assertThat(expired.status()).isEqualTo(400);
      assertThat(expired.errorCode()).isEqualTo("Directory_ExpiredPageToken");
    }
  }

  @Test
  void groupMembersArePagedDirectoryObjectsWithTheirType() throws Exception {
    try (GraphSimulator sim = start(SimulatorSettings.builder())) {
      SimHttp http = new SimHttp(sim);
      DemoTenant tenant = sim.tenant();
      long total = 0;
      long all = 0;
      Set<String> types = new HashSet<>();
      for (int g = 0; g < tenant.scale().groups(); g++) {
        String groupId = (String) tenant.groups().group(g).get("id");
        List<JsonNode> members = http.all("/groups/" + groupId + "/members?$top=3");
        // v1.0 lists no service principals (Conformance.V1_MEMBERS_OMIT_SERVICE_PRINCIPALS).
        assertThat(members.stream().map(m -> m.get("id").asText()).toList())
            .isEqualTo(
                tenant.groups().memberIds(g).stream()
                    .filter(id -> tenant.apps().servicePrincipalIndex(id) < 0)
                    .toList());
        types.addAll(members.stream().map(m -> m.get("@odata.type").asText()).toList());
        all += tenant.groups().groupSize(g);
        List<String> ids = members.stream().map(m -> m.get("id").asText()).toList();
        assertThat(ids).doesNotHaveDuplicates().doesNotContain(groupId);
        members.forEach(m -> types.add(m.get("@odata.type").asText()));
        total += members.size();
      }
      assertThat(all).isEqualTo(tenant.scale().memberships());
      assertThat(total).isLessThan(all);
      assertThat(types)
          .contains("#microsoft.graph.user")
          .doesNotContain("#microsoft.graph.servicePrincipal");

      SimHttp.Reply missing = http.get("/groups/00000000-0000-0000-0000-000000000001/members");
      assertThat(missing.status()).isEqualTo(404);
      assertThat(missing.errorCode()).isEqualTo("Request_ResourceNotFound");
    }
  }

  @Test
  void logWindowsReturnExactlyTheEntriesInsideNewestFirst() throws Exception {
    try (GraphSimulator sim = start(SimulatorSettings.builder())) {
      SimHttp http = new SimHttp(sim);
      Instant from = TENANT_NOW.minus(Duration.ofDays(3));
      Instant to = TENANT_NOW.minus(Duration.ofDays(1));
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < sim.tenant().scale().signIns(); i++) {
        Instant t =
            OffsetDateTime.parse((String) sim.tenant().logs().signIn(i).get("createdDateTime"))
                .toInstant();
        if (!t.isBefore(from) && !t.isAfter(to)) {
          expected.add((String) sim.tenant().logs().signIn(i).get("id"));
        }
      }

      List<JsonNode> got =
          http.all(
              "/auditLogs/signIns?$top=7&$filter="
                  + q("createdDateTime ge " + from + " and createdDateTime le " + to));

      assertThat(expected).isNotEmpty();
      assertThat(got.stream().map(s -> s.get("id").asText()).toList())
          .containsExactlyElementsOf(expected);
      List<Instant> times =
          got.stream()
              .map(s -> OffsetDateTime.parse(s.get("createdDateTime").asText()).toInstant())
              .toList();
      for (int i = 1; i < times.size(); i++) {
        assertThat(times.get(i)).isBefore(times.get(i - 1));
      }
    }
  }

  @Test
  void datesBeyondRetentionAndQuotedDatesAreInvalidFilterClauses() throws Exception {
    try (GraphSimulator sim = start(SimulatorSettings.builder())) {
      SimHttp http = new SimHttp(sim);
      Instant tooOld = Instant.now().minus(Duration.ofDays(31)).truncatedTo(ChronoUnit.SECONDS);
      SimHttp.Reply old =
          http.get("/auditLogs/directoryAudits?$filter=" + q("activityDateTime ge " + tooOld));
      assertThat(old.status()).isEqualTo(400);
      assertThat(old.errorCode()).isEqualTo("BadRequest");
      assertThat(old.errorMessage()).isEqualTo("Invalid filter clause");

      Instant recent = Instant.now().minus(Duration.ofDays(20)).truncatedTo(ChronoUnit.SECONDS);
      assertThat(
              http.get("/auditLogs/directoryAudits?$filter=" + q("activityDateTime ge " + recent))
                  .status())
          .isEqualTo(200);
      assertThat(
              http.get(
                      "/auditLogs/directoryAudits?$filter="
                          + q("activityDateTime ge '" + recent + "'"))
                  .status())
          .isEqualTo(400);
    }
  }

  @Test
  void withoutPremiumSignInsAreForbiddenAndRetentionIsSevenDays() throws Exception {
    try (GraphSimulator sim = start(SimulatorSettings.builder().premium(false))) {
      SimHttp http = new SimHttp(sim);
      SimHttp.Reply signIns = http.get("/auditLogs/signIns");
      assertThat(signIns.status()).isEqualTo(403);
      assertThat(signIns.errorCode())
          .isEqualTo("Authentication_RequestFromNonPremiumTenantOrB2CTenant");

      Instant eightDays = Instant.now().minus(Duration.ofDays(8)).truncatedTo(ChronoUnit.SECONDS);
      assertThat(
              http.get(
                      "/auditLogs/directoryAudits?$filter=" + q("activityDateTime ge " + eightDays))
                  .errorMessage())
          .isEqualTo("Invalid filter clause");
      assertThat(http.get("/auditLogs/directoryAudits").status()).isEqualTo(200);
    }
  }

  @Test
  void anEmptyCollectionIsOneEmptyPage() throws Exception {
    TenantScale noDevices = TenantScale.TINY.with(-1, 0, -1, -1, -1, -1);
    try (GraphSimulator sim =
        GraphSimulator.start(
            SimulatorSettings.builder().scale(noDevices).throttling(false).build())) {
      SimHttp.Reply reply = new SimHttp(sim).get("/devices");
      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.value()).isEmpty();
      assertThat(reply.json().has("@odata.nextLink")).isFalse();
    }
  }
}
