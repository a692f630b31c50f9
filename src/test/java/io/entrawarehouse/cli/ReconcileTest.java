package io.entrawarehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.GroundTruth;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.TenantScale;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What delta cannot see, and the reconciliation that repairs it: a user soft-deleted before the
 * warehouse's first load and restored the next night comes back with its groups, which no group
 * delta reports (Conformance.GROUP_DELTA_MEMBER_DELETIONS) and which the warehouse never saw
 * removed. {@code run @jobs/reconcile.args} reads the directory in full, adds them, and says so.
 */
class ReconcileTest {

  @TempDir Path dir;

  /** In the demo tenant (tiny, 10% a day): soft-deleted on day 2, restored on day 3. */
  private static final String RESTORED = "e3d3958e-677d-415d-9202-c24e77964b5d";

  private static final String DIRECTORY =
      "entities=users,groups,devices,service_principals,group_members,group_members_transitive";

  private List<String> memberships() throws Exception {
    Properties p = new Properties();
    p.setProperty("duckdb.read_only", "true");
    List<String> ids = new ArrayList<>();
    try (Connection c =
            DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("warehouse/entra.duckdb"), p);
        ResultSet r =
            c.createStatement()
                .executeQuery("SELECT group_id || '/' || member_id FROM group_members")) {
      while (r.next()) {
        ids.add(r.getString(1));
      }
    }
    return ids;
  }

  @Test
  void aFullReadAddsTheMembershipsDeltaCouldNotSeeAndSaysSo() throws Exception {
    Cli cli = new Cli();
    try (GraphSimulator sim =
        GraphSimulator.start(
            SimulatorSettings.builder()
                .scale(TenantScale.TINY)
                .changeRate(0.1)
                .throttling(false)
                .day(2)
                .build())) {
      cli.against(sim, dir);
      Cli.Run first = cli.run("run", DIRECTORY, "run.date=2026-11-03");
      assertThat(first.exit()).as(first.all()).isZero();

      sim.day(3);
      Cli.Run nightly = cli.run("run", DIRECTORY, "run.date=2026-11-04");
      assertThat(nightly.exit()).as(nightly.all()).isZero();
      List<String> truth = GroundTruth.memberships(sim.tenant());
      List<String> missed = truth.stream().filter(m -> m.endsWith("/" + RESTORED)).toList();
      assertThat(missed).as("the restored user is a member").isNotEmpty();
      List<String> expectedAfterDelta = new ArrayList<>(truth);
      expectedAfterDelta.removeAll(missed);
      assertThat(memberships())
          .as("delta saw everything but the restored user's groups")
          .containsExactlyInAnyOrderElementsOf(expectedAfterDelta);

      Cli.Run reconcile = cli.run("run", "@jobs/reconcile.args");
      assertThat(reconcile.exit()).as(reconcile.all()).isZero();
      assertThat(reconcile.out())
          .contains("Read in full, this load changed (what delta loads before it had not seen")
          .containsPattern(
              "\n    group_members +" + missed.size() + " added, 0 removed, 0 renamed\n");
      assertThat(memberships()).containsExactlyInAnyOrderElementsOf(truth);
    } finally {
      cli.clear();
    }
  }
}
