package io.entrawarehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.TenantScale;
import io.entrawarehouse.write.duckdb.AnalystSql;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A group deleted while its members are read (Graph answers 404 for it): the load completes without
 * that group's members, says so in its summary, and every other membership is there.
 */
class ParentGoneTest {

  @TempDir Path dir;

  @Test
  void aGroupDeletedMidReadIsLeftOutAndCounted() throws Exception {
    try (GraphSimulator sim =
        GraphSimulator.start(
            SimulatorSettings.builder()
                .scale(TenantScale.TINY)
                .throttling(false)
                .fault("404:members:nth=2")
                .build())) {
      Cli cli = new Cli().against(sim, dir);
      Cli.Run run;
      try {
        run = cli.run("run", "entities=users,groups,group_members", "directory=full");
      } finally {
        cli.clear();
      }
      assertThat(run.exit()).as(run.all()).isZero();
      assertThat(run.out())
          .contains("group_members: 1 groups deleted while the load read them (404), left out");

      Map<String, Set<String>> truth = new TreeMap<>();
      for (int g = 0; g < sim.tenant().scale().groups(); g++) {
        truth.put(
            (String) sim.tenant().groups().group(g).get("id"),
            new TreeSet<>(sim.tenant().groups().memberIds(g)));
      }
      Map<String, Set<String>> loaded = new TreeMap<>();
      try (Connection c = AnalystSql.openReadOnly(dir.resolve("warehouse/entra.duckdb"), Map.of());
          ResultSet r =
              c.createStatement().executeQuery("SELECT group_id, member_id FROM group_members")) {
        while (r.next()) {
          loaded.computeIfAbsent(r.getString(1), k -> new TreeSet<>()).add(r.getString(2));
        }
      }
      // The group Graph answered 404 for keeps only what the service principals' side lists
      // (their memberOf still names it here; after a real deletion it would not): its service
      // principal members, or nothing.
      Set<String> leftOut = new TreeSet<>();
      truth.forEach(
          (group, members) -> {
            Set<String> got = loaded.getOrDefault(group, Set.of());
            if (!got.equals(members)) {
              Set<String> servicePrincipals = new TreeSet<>(members);
              servicePrincipals.removeIf(m -> sim.tenant().apps().servicePrincipalIndex(m) < 0);
              assertThat(got).as(group).isEqualTo(servicePrincipals);
              leftOut.add(group);
            }
          });
      assertThat(leftOut)
          .as("groups with members left out: the one Graph answered 404 for, if it had any")
          .hasSizeLessThanOrEqualTo(1);
    }
  }
}
