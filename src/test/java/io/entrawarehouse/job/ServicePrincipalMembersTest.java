package io.entrawarehouse.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrawarehouse.simulator.DemoTenant;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.TenantScale;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;

/**
 * Service principals are group members although v1.0's member listing leaves them out
 * (Conformance.V1_MEMBERS_OMIT_SERVICE_PRINCIPALS): a full read finds them from their side, whole
 * rows equal to the tenant's documented memberships; without Application.Read.All they are left out
 * and the load says so.
 */
class ServicePrincipalMembersTest {

  @TempDir Path dir;

  private static final Map<String, String> LOAD =
      Map.of("entities", "groups,group_members", "directory", "full");

  /** The documented memberships as rows: tenant|group|member|type|name. */
  private static Set<String> documented(DemoTenant tenant, boolean withServicePrincipals) {
    Set<String> rows = new TreeSet<>();
    for (int g = 0; g < tenant.scale().groups(); g++) { // day 0: every group is there
      String group = (String) tenant.groups().group(g).get("id");
      for (Map<String, Object> m : tenant.groups().members(g)) {
        String type = ((String) m.get("@odata.type")).replace("#microsoft.graph.", "");
        if (withServicePrincipals || !type.equals("servicePrincipal")) {
          rows.add(
              String.join(
                  "|",
                  tenant.tenantId(),
                  group,
                  (String) m.get("id"),
                  type,
                  String.valueOf(m.get("displayName"))));
        }
      }
    }
    return rows;
  }

  private Set<String> table() throws Exception {
    Set<String> rows = new TreeSet<>();
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("entra.duckdb"));
        ResultSet r =
            db.createStatement()
                .executeQuery(
                    "SELECT tenant_id, group_id, member_id, member_type, member_display_name"
                        + " FROM group_members")) {
      while (r.next()) {
        rows.add(
            String.join(
                "|",
                r.getString(1),
                r.getString(2),
                r.getString(3),
                r.getString(4),
                r.getString(5)));
      }
    }
    return rows;
  }

  @Test
  void aFullReadFindsServicePrincipalMembersFromTheirSide() throws Exception {
    try (LoadHarness h =
        new LoadHarness(
            SimulatorSettings.builder().scale(TenantScale.SMALL).throttling(false).build(),
            dir,
            Map.of())) {
      JobExecution e = h.run(LOAD);
      assertThat(e.getStatus()).isEqualTo(BatchStatus.COMPLETED);
      assertThat(e.getExitStatus().getExitCode()).isEqualTo("COMPLETED");
      Set<String> expected = documented(h.simulator.tenant(), true);
      assertThat(expected).anyMatch(r -> r.contains("|servicePrincipal|"));
      assertThat(table()).isEqualTo(expected);
      assertThat(h.simulator.stats().requests("memberOf"))
          .as("one request per service principal")
          .isEqualTo(h.simulator.tenant().scale().servicePrincipals());
    }
  }

  @Test
  void withoutApplicationReadAllTheyAreLeftOutAndTheLoadIsPartial() throws Exception {
    try (LoadHarness h =
        new LoadHarness(
            SimulatorSettings.builder()
                .scale(TenantScale.SMALL)
                .throttling(false)
                .deny("Application.Read.All")
                .deny("Directory.Read.All")
                .build(),
            dir,
            Map.of())) {
      JobExecution e = h.run(LOAD);
      assertThat(e.getStatus()).isEqualTo(BatchStatus.COMPLETED);
      assertThat(e.getExitStatus().getExitCode()).isEqualTo(DirectoryLoadJob.PARTIAL);
      assertThat(e.getExitStatus().getExitDescription()).contains("group_members (in part)");
      assertThat(LoadOutcome.refused(h.launcher.repository(), e).extras().get("group_members"))
          .contains("Grant Application.Read.All");
      assertThat(table()).isEqualTo(documented(h.simulator.tenant(), false));
    }
  }
}
