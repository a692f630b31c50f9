package io.entrawarehouse.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrawarehouse.simulator.DemoTenant;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.TenantScale;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.batch.core.BatchStatus;

/**
 * The README's analyst questions, as shipped in {@code sql/questions/}, run against a loaded demo
 * tenant; each expected answer is computed here from the simulator's own data, not from the
 * warehouse.
 */
class AnalystQuestionsTest {

  @TempDir static Path dir;
  private static DemoTenant tenant;
  private static Path duckdb;

  @BeforeAll
  static void load() throws Exception {
    try (LoadHarness h =
        new LoadHarness(
            SimulatorSettings.builder().scale(TenantScale.SMALL).throttling(false).build(),
            dir,
            Map.of())) {
      assertThat(
              h.run(
                      Map.of(
                          "entities",
                          "users,subscribed_skus,applications,service_principals,app_credentials,"
                              + "role_definitions,role_assignments,role_eligibility_schedules,"
                              + "auth_method_registrations,groups,group_members,"
                              + "group_members_transitive"))
                  .getStatus())
          .isEqualTo(BatchStatus.COMPLETED);
      tenant = h.simulator.tenant();
      duckdb = dir.resolve("entra.duckdb");
    }
  }

  private List<List<String>> answer(String question) throws Exception {
    return answer(question, null);
  }

  /** The question's answer; {@code before} runs first on the same connection (SET VARIABLE). */
  private List<List<String>> answer(String question, String before) throws Exception {
    String sql;
    try (InputStream in = getClass().getResourceAsStream("/sql/questions/" + question + ".sql")) {
      sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + duckdb)) {
      if (before != null) {
        c.createStatement().execute(before);
      }
      return rows(c, sql);
    }
  }

  private static List<List<String>> rows(Connection c, String sql) throws Exception {
    List<List<String>> rows = new ArrayList<>();
    try (ResultSet r = c.createStatement().executeQuery(sql)) {
      int n = r.getMetaData().getColumnCount();
      while (r.next()) {
        List<String> row = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          row.add(r.getString(i));
        }
        rows.add(row);
      }
    }
    return rows;
  }

  private Map<String, String> partNumbers() {
    Map<String, String> names = new HashMap<>();
    for (int k = 0; k < tenant.subscribedSkus(); k++) {
      Map<String, Object> sku = tenant.subscribedSku(k);
      names.put((String) sku.get("skuId"), (String) sku.get("skuPartNumber"));
    }
    return names;
  }

  @SuppressWarnings("unchecked")
  private static List<String> skuIds(Map<String, Object> user) {
    List<String> ids = new ArrayList<>();
    for (Map<String, Object> l : (List<Map<String, Object>>) user.get("assignedLicenses")) {
      ids.add((String) l.get("skuId"));
    }
    return ids;
  }

  @Test
  void licencesBoughtVersusAssignedPerSku() throws Exception {
    Map<String, Long> assigned = new TreeMap<>();
    for (int u = 0; u < tenant.scale().users(); u++) {
      for (String sku : skuIds(tenant.user(u))) {
        assigned.merge(sku, 1L, Long::sum);
      }
    }
    List<List<String>> expected = new ArrayList<>();
    Map<String, List<String>> byName = new TreeMap<>();
    for (int k = 0; k < tenant.subscribedSkus(); k++) {
      Map<String, Object> sku = tenant.subscribedSku(k);
      long bought =
          ((Number) ((Map<String, Object>) sku.get("prepaidUnits")).get("enabled")).longValue();
      long holders = assigned.getOrDefault((String) sku.get("skuId"), 0L);
      byName.put(
          (String) sku.get("skuPartNumber"),
          List.of(
              tenant.tenantId(),
              (String) sku.get("skuPartNumber"),
              (String) sku.get("capabilityStatus"),
              Long.toString(bought),
              sku.get("consumedUnits").toString(),
              Long.toString(holders),
              Long.toString(bought - holders)));
    }
    expected.addAll(byName.values());
    assertThat(answer("licences-bought-vs-assigned")).isEqualTo(expected);
    // The demo tenant's consumed units are the users holding the SKU, as Graph counts them.
    for (List<String> row : expected) {
      assertThat(row.get(4)).as(row.get(1)).isEqualTo(row.get(5));
    }
  }

  @Test
  void disabledUsersStillLicensedByLicenceName() throws Exception {
    Map<String, String> names = partNumbers();
    Map<String, List<String>> expected = new TreeMap<>();
    for (int u = 0; u < tenant.scale().users(); u++) {
      Map<String, Object> user = tenant.user(u);
      List<String> skus = skuIds(user);
      if (Boolean.FALSE.equals(user.get("accountEnabled")) && !skus.isEmpty()) {
        List<String> licences = new ArrayList<>(skus.stream().map(names::get).toList());
        java.util.Collections.sort(licences);
        expected.put((String) user.get("userPrincipalName"), licences);
      }
    }
    assertThat(expected).as("the demo tenant has such users").isNotEmpty();
    List<List<String>> rows = answer("disabled-users-still-licensed");
    Map<String, String> actual = new TreeMap<>();
    for (List<String> row : rows) {
      assertThat(row.get(0)).isEqualTo(tenant.tenantId());
      actual.put(row.get(1), row.get(2));
    }
    Map<String, String> wanted = new TreeMap<>();
    expected.forEach((upn, l) -> wanted.put(upn, l.toString()));
    assertThat(actual).isEqualTo(wanted);
  }

  @Test
  @SuppressWarnings("unchecked")
  void credentialsExpiredOrExpiringWithin30Days() throws Exception {
    java.time.Instant soon = java.time.Instant.now().plus(java.time.Duration.ofDays(30));
    java.time.Instant now = java.time.Instant.now();
    Map<String, String> expected = new TreeMap<>();
    for (int i = 0; i < tenant.scale().servicePrincipals(); i++) {
      for (Map<String, Object> owner : List.of(tenant.application(i), tenant.servicePrincipal(i))) {
        for (String array : List.of("keyCredentials", "passwordCredentials")) {
          for (Map<String, Object> c : (List<Map<String, Object>>) owner.get(array)) {
            java.time.Instant end =
                java.time.OffsetDateTime.parse((String) c.get("endDateTime")).toInstant();
            if (end.isBefore(soon)) {
              expected.put(
                  (String) c.get("keyId"),
                  owner.get("displayName")
                      + " "
                      + (array.equals("keyCredentials") ? "certificate" : "password")
                      + " "
                      + end.isBefore(now));
            }
          }
        }
      }
    }
    assertThat(expected).as("the demo tenant has such credentials").isNotEmpty();
    Map<String, String> actual = new TreeMap<>();
    for (List<String> row : answer("credentials-expiring")) {
      actual.put(row.get(5), row.get(2) + " " + row.get(3) + " " + row.get(7));
    }
    assertThat(actual).isEqualTo(expected);
  }

  @Test
  void activeAndEligibleAdminsWithoutMfa() throws Exception {
    Map<String, String> roleNames = new HashMap<>();
    for (int r = 0; r < tenant.roleDefinitions(); r++) {
      roleNames.put(
          (String) tenant.roleDefinition(r).get("id"),
          (String) tenant.roleDefinition(r).get("displayName"));
    }
    Map<String, Integer> userIndex = new HashMap<>();
    Map<String, Boolean> mfa = new HashMap<>();
    for (int u = 0; u < tenant.scale().users(); u++) {
      String id = (String) tenant.user(u).get("id");
      userIndex.put(id, u);
      mfa.put(id, (Boolean) tenant.registrationDetails(u).get("isMfaRegistered"));
    }
    Map<String, java.util.TreeSet<String>> expected = new TreeMap<>();
    java.util.function.BiConsumer<Map<String, Object>, String> add =
        (grant, how) -> {
          String principal = (String) grant.get("principalId");
          if (userIndex.containsKey(principal) && !mfa.get(principal)) {
            String upn = (String) tenant.user(userIndex.get(principal)).get("userPrincipalName");
            expected
                .computeIfAbsent(upn, k -> new java.util.TreeSet<>())
                .add(roleNames.get((String) grant.get("roleDefinitionId")) + " (" + how + ")");
          }
        };
    for (int i = 0; i < tenant.roleAssignments(); i++) {
      add.accept(tenant.roleAssignment(i), "active");
    }
    for (int i = 0; i < tenant.roleEligibilitySchedules(); i++) {
      add.accept(tenant.roleEligibilitySchedule(i), "eligible");
    }
    assertThat(expected).as("the demo tenant has admins without MFA").isNotEmpty();
    Map<String, String> wanted = new TreeMap<>();
    expected.forEach((upn, roles) -> wanted.put(upn, new ArrayList<>(roles).toString()));
    Map<String, String> actual = new TreeMap<>();
    for (List<String> row : answer("admins-without-mfa")) {
      actual.put(row.get(1), row.get(2).replace("'", "")); // DuckDB quotes names with spaces
    }
    assertThat(actual).isEqualTo(wanted);
  }

  @Test
  void usersAndGuestsNotSignedInFor90Days() throws Exception {
    java.time.Instant asOf = java.time.Instant.parse("2026-12-01T00:00:00Z");
    java.time.Instant cutoff = asOf.minus(java.time.Duration.ofDays(90));
    Map<String, String> expected = new TreeMap<>();
    int members = 0;
    int guests = 0;
    for (int u = 0; u < tenant.scale().users(); u++) {
      Map<String, Object> user = tenant.user(u);
      if (!instant(user.get("createdDateTime")).isBefore(cutoff)) {
        continue;
      }
      java.time.Instant last = null;
      for (Object t : ((Map<?, ?>) user.get("signInActivity")).values()) {
        if (t instanceof String time && time.endsWith("Z")) {
          java.time.Instant i = instant(time);
          last = last == null || i.isAfter(last) ? i : last;
        }
      }
      if (last == null || last.isBefore(cutoff)) {
        expected.put(
            (String) user.get("userPrincipalName"),
            user.get("userType") + " " + (last == null ? "never" : last.toString()));
        members += "Member".equals(user.get("userType")) ? 1 : 0;
        guests += "Guest".equals(user.get("userType")) ? 1 : 0;
      }
    }
    assertThat(members).as("stale members in the demo tenant").isGreaterThan(5);
    assertThat(guests).as("stale guests in the demo tenant").isGreaterThan(0);
    Map<String, String> actual = new TreeMap<>();
    for (List<String> row :
        answer("not-signed-in-90-days", "SET VARIABLE as_of = TIMESTAMPTZ '" + asOf + "'")) {
      assertThat(row.get(0)).isEqualTo(tenant.tenantId());
      actual.put(
          row.get(2),
          row.get(1)
              + " "
              + (row.get(5) == null ? "never" : java.time.Instant.parse(row.get(5)).toString()));
    }
    assertThat(actual).isEqualTo(expected);
  }

  private static java.time.Instant instant(Object time) {
    return java.time.OffsetDateTime.parse((String) time).toInstant();
  }

  @Test
  void effectiveMembersOfANestedGroup() throws Exception {
    // The group whose nesting reaches deepest, and one in the tenant's membership cycle: this
    // test's own walk of the simulator's direct members.
    int deepest = -1;
    int bestDepth = 0;
    int inCycle = -1;
    for (int g = 0; g < tenant.scale().groups(); g++) {
      int[] depthAndCycle = walk(g, new java.util.TreeSet<>());
      if (depthAndCycle[0] > bestDepth) {
        deepest = g;
        bestDepth = depthAndCycle[0];
      }
      if (depthAndCycle[1] == 1 && inCycle < 0) {
        inCycle = g;
      }
    }
    assertThat(bestDepth).as("the demo tenant nests groups").isGreaterThanOrEqualTo(2);
    assertThat(inCycle).as("the demo tenant has a membership cycle").isNotNegative();
    for (int g : new int[] {deepest, inCycle}) {
      java.util.Set<String> expected = new java.util.TreeSet<>();
      walk(g, expected);
      String id = (String) tenant.group(g).get("id");
      java.util.Set<String> actual = new java.util.TreeSet<>();
      for (List<String> row :
          answer("effective-members", "SET VARIABLE group_name = '" + id + "'")) {
        assertThat(row.get(0)).isEqualTo(tenant.tenantId());
        assertThat(actual.add(row.get(2) + "/" + row.get(1))).as("once: " + row).isTrue();
      }
      assertThat(actual).as("group " + g).isEqualTo(expected);
    }
  }

  /**
   * Walks group {@code g}'s nesting, adding "type/id" of each member at any depth but the group
   * itself; returns the depth reached and 1 when the walk came back to the group (a cycle).
   */
  private static int[] walk(int g, java.util.Set<String> members) {
    java.util.ArrayDeque<int[]> queue = new java.util.ArrayDeque<>();
    java.util.Set<String> seenGroups = new java.util.HashSet<>();
    String self = (String) tenant.group(g).get("id");
    queue.add(new int[] {g, 0});
    seenGroups.add(self);
    int depth = 0;
    int cycle = 0;
    while (!queue.isEmpty()) {
      int[] next = queue.poll();
      for (int j = 0; j < tenant.groupSize(next[0]); j++) {
        Map<String, Object> m = tenant.member(next[0], j);
        String type = ((String) m.get("@odata.type")).replace("#microsoft.graph.", "");
        String id = (String) m.get("id");
        if (id.equals(self)) {
          cycle = 1;
        } else {
          members.add(type + "/" + id);
        }
        if (type.equals("group") && seenGroups.add(id)) {
          depth = Math.max(depth, next[1] + 1);
          queue.add(new int[] {tenant.groupIndex(id), next[1] + 1});
        }
      }
    }
    return new int[] {depth, cycle};
  }
}
