package io.entrawarehouse.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.entrawarehouse.graph.GraphClient;
import io.entrawarehouse.graph.GraphPage;
import io.entrawarehouse.graph.Reading;
import io.entrawarehouse.simulator.DemoTenant;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.TenantScale;
import io.entrawarehouse.warehouse.Entities;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.batch.core.BatchStatus;

/**
 * {@code group_members_transitive}, computed from the direct memberships with no request, equals
 * what Graph's {@code /groups/{id}/transitiveMembers} answers for every group, the demo tenant's
 * membership cycle included, plus the service principals v1.0 leaves out of it.
 */
class TransitiveMembersTest {

  @TempDir Path dir;

  @Test
  void everyGroupsRowsEqualGraphsTransitiveMembersCyclesIncluded() throws Exception {
    try (LoadHarness h =
        new LoadHarness(
            SimulatorSettings.builder().scale(TenantScale.SMALL).throttling(false).build(),
            dir,
            Map.of())) {
      assertThat(
              h.run(Map.of("entities", "groups,group_members,group_members_transitive"))
                  .getStatus())
          .isEqualTo(BatchStatus.COMPLETED);
      DemoTenant tenant = h.simulator.tenant();
      long requestsBefore = h.simulator.stats().requests("transitiveMembers");
      assertThat(requestsBefore).as("computed, not read from Graph").isZero();

      // Graph's answer, over HTTP, for every group: whole rows.
      Map<String, Set<String>> graph = new HashMap<>();
      try (DirectoryLoadLauncher.Connection c = h.launcher.connect(h.launcher.tenants().get(0))) {
        GraphClient client = c.graph();
        for (int g = 0; g < tenant.scale().groups(); g++) {
          String group = (String) tenant.groups().group(g).get("id");
          Set<String> rows = new TreeSet<>();
          String link =
              client.url("/groups/" + group + "/transitiveMembers?$select=id,displayName&$top=999");
          while (link != null) {
            GraphPage page = client.page(Reading.of("transitive members"), link, false);
            for (JsonNode m : page.items()) {
              rows.add(
                  tenant.tenantId()
                      + "|"
                      + group
                      + "|"
                      + m.get("id").asText()
                      + "|"
                      + m.get("@odata.type").asText().replace("#microsoft.graph.", "")
                      + "|"
                      + m.get("displayName").asText(null));
            }
            link = page.nextLink();
          }
          // v1.0 leaves service principals out (Conformance.V1_MEMBERS_OMIT_SERVICE_PRINCIPALS);
          // they are members all the same, at any depth.
          for (Map<String, Object> m : tenant.groups().transitiveMembers(g)) {
            if ("#microsoft.graph.servicePrincipal".equals(m.get("@odata.type"))) {
              rows.add(
                  tenant.tenantId()
                      + "|"
                      + group
                      + "|"
                      + m.get("id")
                      + "|servicePrincipal|"
                      + m.get("displayName"));
            }
          }
          if (!rows.isEmpty()) {
            graph.put(group, rows);
          }
        }
      }

      Map<String, Set<String>> table = new HashMap<>();
      try (Connection db =
              DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("entra.duckdb"));
          ResultSet r =
              db.createStatement()
                  .executeQuery(
                      "SELECT tenant_id, group_id, member_id, member_type, member_display_name"
                          + " FROM group_members_transitive")) {
        while (r.next()) {
          table
              .computeIfAbsent(r.getString(2), k -> new TreeSet<>())
              .add(
                  r.getString(1)
                      + "|"
                      + r.getString(2)
                      + "|"
                      + r.getString(3)
                      + "|"
                      + r.getString(4)
                      + "|"
                      + r.getString(5));
        }
      }
      assertThat(table.keySet()).isEqualTo(graph.keySet());
      for (String group : graph.keySet()) {
        assertThat(table.get(group)).as("group " + group).isEqualTo(graph.get(group));
      }

      // The tenant has a cycle, and the table went round it: two groups each in the other.
      List<String[]> cycles = new ArrayList<>();
      for (String a : table.keySet()) {
        for (String row : table.get(a)) {
          String b = row.split("\\|")[2];
          if (table.containsKey(b)
              && table.get(b).stream().anyMatch(r -> r.split("\\|")[2].equals(a))) {
            cycles.add(new String[] {a, b});
          }
        }
      }
      assertThat(cycles).as("a membership cycle, seen from both of its groups").isNotEmpty();
      // Nested members are in: more rows than direct memberships.
      assertThat(table.values().stream().mapToLong(Set::size).sum())
          .isGreaterThan(h.ids(Entities.GROUP_MEMBERS, false).size());
      h.assertMatchesGroundTruth(List.of(Entities.GROUP_MEMBERS_TRANSITIVE));
    }
  }

  @Test
  void withoutGroupMembersInTheLakeTheStepSaysWhatToLoadFirst() throws Exception {
    try (LoadHarness h =
        new LoadHarness(
            SimulatorSettings.builder().scale(TenantScale.TINY).throttling(false).build(),
            dir,
            Map.of())) {
      var failed = h.run(Map.of("entities", "group_members_transitive"));
      assertThat(failed.getStatus()).isEqualTo(BatchStatus.FAILED);
      assertThat(failed.getAllFailureExceptions().toString())
          .contains(
              "group_members_transitive is computed from group_members, which the lake does not"
                  + " hold yet: load group_members first");
      assertThatThrownBy(
              () ->
                  LoadParameters.parse(
                      "t", Map.of("filter.group_members_transitive", "id eq 'x'"), LocalDate.now()))
          .hasMessage(
              "filter.group_members_transitive: group_members_transitive is computed from"
                  + " group_members with no request to Graph; give filter.group_members="
                  + " instead.");
    }
  }
}
