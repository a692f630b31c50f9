package io.entrawarehouse.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.StreamSupport;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

/**
 * The simulator's side of each {@link Conformance} row: what it answers on the wire, asked as any
 * Graph client would ask. The product's side is the row's other test.
 */
class ConformanceTest {

  private static GraphSimulator start(SimulatorSettings.Builder b) {
    return GraphSimulator.start(b.scale(TenantScale.TINY).throttling(false).build());
  }

  @Test
  void pimWithoutP2Answers400() throws Exception {
    try (GraphSimulator p1 = start(SimulatorSettings.builder().p2(false));
        GraphSimulator p2 = start(SimulatorSettings.builder())) {
      SimHttp.Reply refused =
          new SimHttp(p1).get("/roleManagement/directory/roleEligibilitySchedules");
      assertThat(refused.status()).isEqualTo(400);
      assertThat(refused.errorCode()).isEqualTo("AadPremiumLicenseRequired");
      assertThat(new SimHttp(p2).get("/roleManagement/directory/roleEligibilitySchedules").status())
          .isEqualTo(200);
    }
  }

  @Test
  void anExpiredDeltaTokenAnswers410() throws Exception {
    try (GraphSimulator sim = start(SimulatorSettings.builder())) {
      SimHttp http = new SimHttp(sim);
      String link =
          http.get("/users/delta?$deltatoken=latest").json().get("@odata.deltaLink").asText();
      assertThat(http.get(link).status()).isEqualTo(200);
      sim.expireDeltaTokens();
      SimHttp.Reply gone = http.get(link);
      assertThat(gone.status()).isEqualTo(410);
      assertThat(gone.errorCode()).isIn("syncStateNotFound", "resyncRequired");
    }
  }

  @Test
  void aDamagedOrForeignDeltaTokenAnswers400() throws Exception {
    try (GraphSimulator sim = start(SimulatorSettings.builder())) {
      SimHttp http = new SimHttp(sim);
      String users =
          http.get("/users/delta?$deltatoken=latest").json().get("@odata.deltaLink").asText();
      String token = users.substring(users.indexOf("$deltatoken=") + "$deltatoken=".length());
      SimHttp.Reply damaged = http.get("/users/delta?$deltatoken=x" + token.substring(1));
      assertThat(damaged.status()).isEqualTo(400);
      assertThat(damaged.errorMessage()).isEqualTo("The specified delta token value is invalid.");
      SimHttp.Reply foreign = http.get("/groups/delta?$deltatoken=" + token);
      assertThat(foreign.status()).isEqualTo(400);
      assertThat(foreign.errorMessage())
          .isEqualTo("The delta token is not valid for this resource.");
    }
  }

  @Test
  void deltaRefusesSignInActivity() throws Exception {
    try (GraphSimulator sim = start(SimulatorSettings.builder())) {
      SimHttp.Reply refused = new SimHttp(sim).get("/users/delta?$select=id,signInActivity");
      assertThat(refused.status()).isEqualTo(400);
      assertThat(refused.errorMessage())
          .isEqualTo("Property 'signInActivity' is not supported for delta queries.");
    }
  }

  @Test
  void namedLocationsMixTwoTypesEachWithItsOwnProperties() throws Exception {
    try (GraphSimulator sim = start(SimulatorSettings.builder())) {
      SimHttp.Reply all = new SimHttp(sim).get("/identity/conditionalAccess/namedLocations");
      assertThat(all.status()).isEqualTo(200);
      Set<String> types = new TreeSet<>();
      for (JsonNode l : all.value()) {
        String type = l.get("@odata.type").asText();
        types.add(type);
        boolean ip = type.equals("#microsoft.graph.ipNamedLocation");
        assertThat(l.has("ipRanges")).as(type).isEqualTo(ip);
        assertThat(l.has("isTrusted")).as(type).isEqualTo(ip);
        assertThat(l.has("countriesAndRegions")).as(type).isEqualTo(!ip);
        assertThat(l.has("countryLookupMethod")).as(type).isEqualTo(!ip);
      }
      assertThat(types)
          .containsExactly(
              "#microsoft.graph.countryNamedLocation", "#microsoft.graph.ipNamedLocation");
    }
  }

  @Test
  void signInsRefuseSelect() throws Exception {
    try (GraphSimulator sim = start(SimulatorSettings.builder())) {
      SimHttp http = new SimHttp(sim);
      SimHttp.Reply refused = http.get("/auditLogs/signIns?$select=id,createdDateTime");
      assertThat(refused.status()).isEqualTo(400);
      assertThat(refused.errorMessage()).isEqualTo("Query option 'Select' is not allowed.");
      SimHttp.Reply all = http.get("/auditLogs/signIns?$top=1");
      assertThat(all.status()).isEqualTo(200);
      assertThat(all.value().get(0).has("appliedConditionalAccessPolicies")).isTrue();
    }
  }

  @Test
  void aPageTokenGraphNoLongerFindsIs400() throws Exception {
    try (GraphSimulator sim = start(SimulatorSettings.builder().fault("page-token:users:nth=2"))) {
      SimHttp http = new SimHttp(sim);
      SimHttp.Reply first = http.get("/users?$top=10");
      SimHttp.Reply refused = http.get(first.json().get("@odata.nextLink").asText());
      assertThat(refused.status()).isEqualTo(400);
      assertThat(refused.errorCode()).isEqualTo("DirectoryPageTokenNotFoundException");
    }
  }

  @Test
  void theCycleFaultLinksAPageToItself() throws Exception {
    try (GraphSimulator sim = start(SimulatorSettings.builder().fault("cycle:users:nth=1"))) {
      SimHttp http = new SimHttp(sim);
      String url = sim.graphBaseUrl() + "/users?$top=10";
      assertThat(http.get(url).json().get("@odata.nextLink").asText()).isEqualTo(url);
    }
  }

  @Test
  void aSlowReportPageAnswersLateAtOneThousandAndAtOnceAtTwoHundredFifty() throws Exception {
    try (GraphSimulator sim = start(SimulatorSettings.builder().fault("slow:signIns:rate=1"))) {
      SimHttp http = new SimHttp(sim);
      String token = http.token();
      Function<Integer, HttpRequest> page =
          top ->
              HttpRequest.newBuilder(
                      URI.create(sim.graphBaseUrl() + "/auditLogs/signIns?$top=" + top))
                  .header("Authorization", "Bearer " + token)
                  .timeout(Duration.ofSeconds(5))
                  .build();
      // The page of 1,000 is held far longer (2 min) than this client waits: it times out.
      Assertions.assertThatThrownBy(
              () -> http.client.send(page.apply(1000), BodyHandlers.ofString()))
          .isInstanceOf(HttpTimeoutException.class);
      assertThat(
              http.client
                  .send(page.apply(GraphSimulator.SLOW_ABOVE), BodyHandlers.ofString())
                  .statusCode())
          .isEqualTo(200);
    }
  }

  @Test
  void v1MembersLeaveServicePrincipalsOutAndMemberOfHasThem() throws Exception {
    try (GraphSimulator sim =
        GraphSimulator.start(
            SimulatorSettings.builder().scale(TenantScale.SMALL).throttling(false).build())) {
      SimHttp http = new SimHttp(sim);
      DemoTenant tenant = sim.tenant();
      Map<String, Set<String>> documented = new TreeMap<>();
      int listed = 0;
      for (int g = 0; g < tenant.scale().groups(); g++) {
        String group = (String) tenant.groups().group(g).get("id");
        for (String member : tenant.groups().memberIds(g)) {
          if (tenant.apps().servicePrincipalIndex(member) >= 0) {
            documented.computeIfAbsent(member, k -> new TreeSet<>()).add(group);
          }
        }
        for (var m : http.all("/groups/" + group + "/members?$select=id&$top=999")) {
          assertThat(m.get("@odata.type").asText())
              .isNotEqualTo("#microsoft.graph.servicePrincipal");
          listed++;
        }
      }
      assertThat(documented).as("the tenant has service principal members").isNotEmpty();
      assertThat(listed).isLessThan((int) tenant.scale().memberships());
      for (var e : documented.entrySet()) {
        Set<String> groups = new TreeSet<>();
        for (var g : http.all("/servicePrincipals/" + e.getKey() + "/memberOf?$select=id")) {
          assertThat(g.get("@odata.type").asText()).isEqualTo("#microsoft.graph.group");
          groups.add(g.get("id").asText());
        }
        assertThat(groups).as("memberOf of " + e.getKey()).isEqualTo(e.getValue());
      }
      String inDelta =
          http.all("/groups/delta?$select=id,members").stream()
              .flatMap(g -> StreamSupport.stream(g.path("members@delta").spliterator(), false))
              .map(m -> m.get("@odata.type").asText())
              .filter(t -> t.equals("#microsoft.graph.servicePrincipal"))
              .findFirst()
              .orElse(null);
      assertThat(inDelta).as("members@delta carries them").isNotNull();
    }
  }

  /** The deltaLink at the end of a delta read from {@code first}, the items on the way. */
  private static String deltaLink(SimHttp http, String first, List<JsonNode> items)
      throws Exception {
    SimHttp.Reply page = http.get(first);
    while (true) {
      items.addAll(page.value());
      if (page.json().has("@odata.deltaLink")) {
        return page.json().get("@odata.deltaLink").asText();
      }
      page = http.get(page.json().get("@odata.nextLink").asText());
    }
  }

  @Test
  void groupDeltaSaysNothingWhenAMemberIsSoftDeleted() throws Exception {
    try (GraphSimulator sim =
        GraphSimulator.start(
            SimulatorSettings.builder()
                .scale(TenantScale.TINY)
                .changeRate(0.1)
                .throttling(false)
                .build())) {
      SimHttp http = new SimHttp(sim);
      int softDeletedMembers = 0;
      Set<String> inBin = new HashSet<>();
      String link = deltaLink(http, "/groups/delta?$select=id,members", new ArrayList<>());
      for (int day = 1; day <= 4; day++) {
        sim.day(day);
        Map<String, String> removed = GroundTruth.changes(sim.tenant(), day - 1, day).get("users");
        List<JsonNode> items = new ArrayList<>();
        link = deltaLink(http, link, items);
        Set<String> sent = new HashSet<>();
        for (JsonNode g : items) {
          g.path("members@delta")
              .forEach(m -> sent.add(g.get("id").asText() + "/" + m.get("id").asText()));
        }
        for (var change :
            GroundTruth.changes(sim.tenant(), day - 1, day).get("group_members").entrySet()) {
          String member = change.getKey().split("/")[1];
          boolean restored = "created".equals(removed.get(member)) && inBin.contains(member);
          if ("deleted/changed".equals(removed.get(member)) || restored) {
            // Gone from /members (or back), and members@delta says nothing of it.
            softDeletedMembers++;
            assertThat(sent).doesNotContain(change.getKey());
          } else if (!change.getValue().equals("updated")) { // a rename is no membership change
            assertThat(sent).as(change.toString()).contains(change.getKey());
          }
        }
        removed.forEach(
            (user, kind) -> {
              if (kind.equals("deleted/changed")) {
                inBin.add(user);
              }
            });
      }
      assertThat(softDeletedMembers).as("the week soft-deletes members").isPositive();
    }
  }

  @Test
  void aParentDeletedMidReadIs404() throws Exception {
    try (GraphSimulator sim = start(SimulatorSettings.builder().fault("404:members:nth=1"))) {
      String group = (String) sim.tenant().groups().group(0).get("id");
      SimHttp.Reply gone = new SimHttp(sim).get("/groups/" + group + "/members");
      assertThat(gone.status()).isEqualTo(404);
      assertThat(gone.errorCode()).isEqualTo("Request_ResourceNotFound");
      assertThat(gone.errorMessage()).contains(group);
    }
  }

  @Test
  void theLicenceFaultRefusesALicensedTenant() throws Exception {
    try (GraphSimulator sim =
        start(SimulatorSettings.builder().fault("403-licence:signIns:nth=1"))) {
      SimHttp http = new SimHttp(sim);
      SimHttp.Reply refused = http.get("/auditLogs/signIns?$top=1");
      assertThat(refused.status()).isEqualTo(403);
      assertThat(refused.errorCode())
          .isEqualTo("Authentication_RequestFromNonPremiumTenantOrB2CTenant");
      assertThat(http.get("/auditLogs/signIns?$top=1").status()).isEqualTo(200);
    }
  }

  @Test
  void nationalCloudsLackTheirGaps() throws Exception {
    try (GraphSimulator gov = start(SimulatorSettings.builder().graphHost("graph.microsoft.us"));
        GraphSimulator china =
            start(SimulatorSettings.builder().graphHost("microsoftgraph.chinacloudapi.cn"))) {
      SimHttp us = new SimHttp(gov);
      assertThat(us.get("/auditLogs/signIns").errorCode()).isEqualTo("Request_UnsupportedQuery");
      assertThat(us.get("/users?$select=id,signInActivity").status()).isEqualTo(400);
      assertThat(us.get("/auditLogs/directoryAudits").status()).isEqualTo(200);
      SimHttp cn = new SimHttp(china);
      assertThat(cn.get("/auditLogs/signIns").status()).isEqualTo(400);
      assertThat(cn.get("/auditLogs/directoryAudits").errorCode())
          .isEqualTo("Request_UnsupportedQuery");
      assertThat(cn.get("/users?$select=id,signInActivity").status()).isEqualTo(200);
    }
  }

  @Test
  void advancedOnlyAsMicrosoftsTableHasIt() throws Exception {
    try (GraphSimulator sim = start(SimulatorSettings.builder())) {
      SimHttp http = new SimHttp(sim);
      String[] eventual = {"ConsistencyLevel", "eventual"};
      assertThat(http.get("/users?$filter=" + SimHttp.q("department eq 'Sales'")).status())
          .isEqualTo(200);
      assertThat(http.get("/users?$filter=" + SimHttp.q("department eq null")).status())
          .isEqualTo(400);
      assertThat(
              http.get("/users?$count=true&$filter=" + SimHttp.q("department eq null"), eventual)
                  .status())
          .isEqualTo(200);
      String runZero = SimHttp.q("deviceOwnership eq 'Company' or isManaged eq true");
      assertThat(http.get("/devices?$filter=" + runZero).status()).isEqualTo(400);
      assertThat(http.get("/devices?$count=true&$filter=" + runZero, eventual).status())
          .isEqualTo(200);
      assertThat(http.get("/devices?$filter=" + SimHttp.q("mdmAppId eq 'x'")).status())
          .isEqualTo(200);
    }
  }
}
