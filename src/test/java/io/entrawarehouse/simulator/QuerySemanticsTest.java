package io.entrawarehouse.simulator;

import static io.entrawarehouse.simulator.SimHttp.q;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * $top, $select, $filter and $count as Graph documents them. Expected results are computed from the
 * tenant with plain Java predicates, independently of the simulator's filter engine.
 */
class QuerySemanticsTest {

  static GraphSimulator simulator;
  static SimHttp http;
  static final String[] EVENTUAL = {"ConsistencyLevel", "eventual"};

  @BeforeAll
  static void start() {
    simulator =
        GraphSimulator.start(
            SimulatorSettings.builder().scale(TenantScale.SMALL).throttling(false).build());
    http = new SimHttp(simulator);
  }

  @AfterAll
  static void stop() {
    simulator.close();
  }

  private static List<String> expectedUserIds(Predicate<Map<String, Object>> p) {
    List<String> ids = new ArrayList<>();
    for (int u = 0; u < simulator.tenant().scale().users(); u++) {
      Map<String, Object> user = simulator.tenant().people().user(u);
      if (p.test(user)) {
        ids.add((String) user.get("id"));
      }
    }
    return ids;
  }

  private static List<String> ids(List<JsonNode> items) {
    return items.stream().map(i -> i.get("id").asText()).collect(Collectors.toList());
  }

  @Test
  void topDefaultsTo100AndAllows999() throws Exception {
    assertThat(http.get("/users").value()).hasSize(100);
    assertThat(http.get("/users?$top=999").value()).hasSize(999);
    assertThat(http.get("/auditLogs/signIns").value()).hasSize(1000);
  }

  @Test
  void topAboveTheMaximumIsRejectedAsGraphRejectsIt() throws Exception {
    SimHttp.Reply users = http.get("/users?$top=1000");
    assertThat(users.status()).isEqualTo(400);
    assertThat(users.errorCode()).isEqualTo("Request_UnsupportedQuery");
    assertThat(users.errorMessage())
        .isEqualTo("Invalid page size specified: '1000'. Must be between 1 and 999 inclusive.");

    assertThat(http.get("/auditLogs/signIns?$top=1000").status()).isEqualTo(200);
    assertThat(http.get("/auditLogs/signIns?$top=1001").errorMessage())
        .contains("between 1 and 1000");
    assertThat(http.get("/users?$select=id,signInActivity&$top=501").errorMessage())
        .contains("between 1 and 500");
  }

  @Test
  void selectReturnsTheNamedPropertiesPlusId() throws Exception {
    List<JsonNode> users =
        http.get("/users?$select=accountEnabled,department,assignedLicenses&$top=50").value();
    for (JsonNode user : users) {
      assertThat(PayloadShapeTest.names(user))
          .containsExactly("id", "accountEnabled", "department", "assignedLicenses");
    }
    SimHttp.Reply unknown = http.get("/users?$select=displayName,shoeSize");
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.errorMessage())
        .isEqualTo("Could not find a property named 'shoeSize' on type 'microsoft.graph.user'.");
  }

  @Test
  void basicFiltersMatchTheTenant() throws Exception {
    assertThat(ids(http.all("/users?$top=999&$filter=" + q("userType eq 'Guest'"))))
        .containsExactlyElementsOf(expectedUserIds(u -> "Guest".equals(u.get("userType"))));
    assertThat(ids(http.all("/users?$top=999&$filter=" + q("accountEnabled eq false"))))
        .containsExactlyElementsOf(
            expectedUserIds(u -> Boolean.FALSE.equals(u.get("accountEnabled"))));
    assertThat(ids(http.all("/users?$top=999&$filter=" + q("startswith(displayName,'zo')"))))
        .isNotEmpty()
        .containsExactlyElementsOf(
            expectedUserIds(
                u -> ((String) u.get("displayName")).toLowerCase(Locale.ROOT).startsWith("zo")));
    assertThat(ids(http.all("/users?$top=999&$filter=" + q("jobTitle in ('CFO', 'Director')"))))
        .containsExactlyElementsOf(
            expectedUserIds(
                u -> List.of("CFO", "Director").contains(String.valueOf(u.get("jobTitle")))));
    assertThat(ids(http.all("/users?$top=999&$filter=" + q("surname eq 'O''Brien'"))))
        .isNotEmpty()
        .containsExactlyElementsOf(expectedUserIds(u -> "O'Brien".equals(u.get("surname"))));
  }

  @Test
  void lambdaFiltersOverCollections() throws Exception {
    String e5 = "06ebc4ee-1bb5-47dd-8120-11324bc54e06";
    List<String> expected =
        expectedUserIds(
            u ->
                ((List<?>) u.get("assignedLicenses"))
                    .stream().anyMatch(l -> e5.equals(((Map<?, ?>) l).get("skuId"))));
    assertThat(expected).isNotEmpty();
    assertThat(
            ids(
                http.all(
                    "/users?$top=999&$filter="
                        + q("assignedLicenses/any(x:x/skuId eq " + e5 + ")"))))
        .containsExactlyElementsOf(expected);
    assertThat(
            ids(
                http.all(
                    "/users?$top=999&$filter=" + q("proxyAddresses/any(p:startswith(p,'SMTP:'))"))))
        .containsExactlyElementsOf(
            expectedUserIds(
                u ->
                    ((List<?>) u.get("proxyAddresses"))
                        .stream()
                            .anyMatch(
                                p -> ((String) p).toLowerCase(Locale.ROOT).startsWith("smtp:"))));
  }

  @Test
  void nestedPropertiesAndBooleanLogicOnLogs() throws Exception {
    List<JsonNode> failures =
        http.all(
            "/auditLogs/signIns?$filter="
                + q(
                    "status/errorCode eq 50126 or (status/errorCode eq 53003 and conditionalAccessStatus eq 'failure')"));
    long expected = 0;
    for (int i = 0; i < simulator.tenant().scale().signIns(); i++) {
      Map<?, ?> status = (Map<?, ?>) simulator.tenant().logs().signIn(i).get("status");
      Object code = status.get("errorCode");
      if (Integer.valueOf(50126).equals(code) || Integer.valueOf(53003).equals(code)) {
        expected++;
      }
    }
    assertThat(failures).isNotEmpty().hasSize((int) expected);
    assertThat(failures)
        .allMatch(s -> Set.of(50126, 53003).contains(s.at("/status/errorCode").asInt()));
  }

  @Test
  void advancedOperatorsNeedConsistencyLevelAndCount() throws Exception {
    for (String filter :
        List.of(
            "userType ne 'Member'",
            "not(userType eq 'Member')",
            "endswith(mail,'@fabrikam.com')")) {
      SimHttp.Reply plain = http.get("/users?$filter=" + q(filter));
      assertThat(plain.status()).as(filter).isEqualTo(400);
      assertThat(plain.errorCode()).isEqualTo("Request_UnsupportedQuery");
      assertThat(plain.errorMessage())
          .contains("Try adding $count=true query parameter and ConsistencyLevel:eventual header");
      // The header alone is not enough: $count=true is required too.
      assertThat(http.get("/users?$filter=" + q(filter), EVENTUAL).status()).isEqualTo(400);

      List<JsonNode> guests =
          http.all("/users?$top=999&$count=true&$filter=" + q(filter), EVENTUAL);
      assertThat(ids(guests))
          .as(filter)
          .containsExactlyElementsOf(expectedUserIds(u -> "Guest".equals(u.get("userType"))));
    }
  }

  @Test
  void countIsReturnedOnlyForAdvancedQueries() throws Exception {
    SimHttp.Reply withHeader =
        http.get("/users?$count=true&$top=5&$filter=" + q("userType eq 'Guest'"), EVENTUAL);
    assertThat(withHeader.json().get("@odata.count").asLong())
        .isEqualTo(expectedUserIds(u -> "Guest".equals(u.get("userType"))).size());
    // Without the header $count=true is silently ignored.
    assertThat(http.get("/users?$count=true&$top=5").json().has("@odata.count")).isFalse();

    SimHttp.Reply countPath = http.get("/users/$count", EVENTUAL);
    assertThat(countPath.raw().body()).isEqualTo("1000");
    SimHttp.Reply countWithoutHeader = http.get("/users/$count");
    assertThat(countWithoutHeader.status()).isEqualTo(400);
    assertThat(countWithoutHeader.errorCode()).isEqualTo("Request_BadRequest");
    assertThat(countWithoutHeader.errorMessage()).isEqualTo("$count is not currently supported.");
  }

  @Test
  void advancedOnlyAndUnindexedPropertiesAreRejected() throws Exception {
    SimHttp.Reply group =
        http.get("/groups?$filter=" + q("createdDateTime ge 2020-01-01T00:00:00Z"));
    assertThat(group.status()).isEqualTo(400);
    assertThat(group.errorMessage())
        .isEqualTo(
            "Unsupported or invalid query filter clause specified for property 'createdDateTime' of resource 'Group'.");
    assertThat(
            http.get(
                    "/groups?$count=true&$filter=" + q("createdDateTime ge 2020-01-01T00:00:00Z"),
                    EVENTUAL)
                .status())
        .isEqualTo(200);

    SimHttp.Reply theme = http.get("/groups?$count=true&$filter=" + q("theme eq 'Blue'"), EVENTUAL);
    assertThat(theme.errorCode()).isEqualTo("Request_UnsupportedQuery");
    assertThat(theme.errorMessage()).contains("property 'theme' of resource 'Group'");
  }

  @Test
  void unparsableFiltersGetGraphsError() throws Exception {
    for (String bad :
        List.of(
            "displayName eqq 'x'",
            "startswith(displayName,",
            "displayName eq 'unterminated",
            "contains(displayName,'a')")) {
      SimHttp.Reply reply = http.get("/users?$filter=" + q(bad));
      assertThat(reply.status()).as(bad).isEqualTo(400);
      assertThat(reply.errorCode()).isEqualTo("BadRequest");
      assertThat(reply.errorMessage()).startsWith("Invalid filter clause");
    }
    SimHttp.Reply log = http.get("/auditLogs/signIns?$filter=" + q("createdDateTime ge"));
    assertThat(log.errorMessage()).isEqualTo("Invalid filter clause");
  }

  @Test
  void unimplementedQueryOptionsSaySo() throws Exception {
    SimHttp.Reply reply = http.get("/users?$orderby=displayName");
    assertThat(reply.status()).isEqualTo(501);
    assertThat(reply.errorCode()).isEqualTo("NotImplemented");
  }
}
