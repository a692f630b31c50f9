package io.entrawarehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.GroundTruth;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.SimulatorTenants;
import io.entrawarehouse.simulator.TenantScale;
import io.entrawarehouse.warehouse.KillPoints;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A week of nightly loads, days 0 to 7 of an evolving tenant, each killed (SIGKILL) at an aimed
 * point and run again, with every delta token expired before day 4: every night the current tables
 * hold the day's ground truth, and in the end the history tables hold exactly the changes the
 * simulator made, night by night. Members are renamed, added the night they are created,
 * soft-deleted (which a group delta does not report), hard-deleted and restored, and service
 * principals are members: the memberships and their closure equal, row for row with names, what
 * /members documents.
 */
class DeltaWeekTest {

  private static final List<String> TABLES =
      List.of("users", "groups", "group_members", "devices", "service_principals");

  /** Where each night's load is killed: a full load, delta rounds, the resync, DuckDB. */
  private static final List<String> KILLS =
      List.of(
          "after-history:users",
          "after-staging:group_members",
          "mid-commit:users",
          "after-history:group_members",
          "after-staging:users",
          "after-commit:devices",
          "before-duckdb",
          "mid-duckdb");

  @TempDir Path dir;

  @Test
  void aWeekOfKilledNightsEndsWithTheTenantAndItsHistory() throws Exception {
    try (GraphSimulator sim =
        GraphSimulator.start(
            SimulatorSettings.builder()
                .scale(TenantScale.TINY)
                .changeRate(0.1)
                .throttling(false)
                .build())) {
      Path warehouse = dir.resolve("warehouse");
      Map<Long, Integer> nightOfLoad = new LinkedHashMap<>();
      for (int day = 0; day <= 7; day++) {
        sim.day(day);
        if (day == 4) {
          sim.expireDeltaTokens();
        }
        String date = LocalDate.of(2026, 11, 1).plusDays(day).toString();
        Process killed = run(sim, warehouse, KILLS.get(day), date, "killed-" + day);
        assertThat(killed.exitValue()).as(log("killed-" + day)).isEqualTo(137);
        Process again = run(sim, warehouse, null, date, "again-" + day);
        assertThat(again.exitValue()).as(log("again-" + day)).isZero();
        if (day == 4) {
          assertThat(log("killed-" + day) + log("again-" + day))
              .contains("no longer honours the stored delta token")
              .contains("(a resync)");
        }
        Map<String, GroundTruth.Entity> truth = TableTruth.of(sim.tenant());
        try (Connection c = readOnly(warehouse)) {
          for (String table : TABLES) {
            List<String> ids = ids(c, table);
            assertThat((long) ids.size())
                .as(table + " on day " + day)
                .isEqualTo(truth.get(table).count());
            assertThat(GroundTruth.checksum(ids))
                .as(table + " on day " + day)
                .isEqualTo(truth.get(table).checksum());
          }
          // Memberships column for column: names as the directory has them tonight, the
          // service principals v1.0's listing leaves out, members deleted and restored.
          for (String table : List.of("group_members", "group_members_transitive")) {
            assertThat(rows(c, table))
                .as(table + " on day " + day)
                .isEqualTo(
                    GroundTruth.membershipRows(
                        sim.tenant(), table.equals("group_members_transitive")));
          }
          try (ResultSet r = c.createStatement().executeQuery("SELECT max(load_id) FROM _loads")) {
            r.next();
            nightOfLoad.put(r.getLong(1), day);
          }
        }
      }
      // The week has every case the memberships must survive.
      Map<String, Integer> cases = new TreeMap<>();
      for (int day = 1; day <= 7; day++) {
        Map<String, Map<String, String>> changes = GroundTruth.changes(sim.tenant(), day - 1, day);
        Map<String, String> objects = new TreeMap<>();
        changes.forEach((t, c) -> objects.putAll(t.equals("group_members") ? Map.of() : c));
        changes
            .get("group_members")
            .forEach(
                (id, kind) -> {
                  String member = objects.get(id.split("/")[1]);
                  String what =
                      kind.equals("updated")
                          ? "renamed"
                          : kind.equals("created") && "created".equals(member)
                              ? "added with a new or restored object"
                              : kind.startsWith("deleted/") && member != null
                                  ? "member " + member
                                  : null;
                  if (what != null) {
                    cases.merge(what, 1, Integer::sum);
                  }
                });
      }
      assertThat(cases)
          .as("the week's membership cases")
          .containsKeys(
              "renamed",
              "added with a new or restored object",
              "member deleted/changed",
              "member deleted/deleted");
      assertThat(GroundTruth.membershipRows(sim.tenant(), false))
          .anyMatch(r -> r.contains("|servicePrincipal|"));
      try (Connection c = readOnly(warehouse)) {
        for (String table : TABLES) {
          Map<Integer, Map<String, String>> actual = history(c, table, nightOfLoad);
          for (int day = 0; day <= 7; day++) {
            Map<String, String> expected =
                GroundTruth.changes(sim.tenant(), day - 1, day).get(table);
            Map<String, String> got = actual.getOrDefault(day, Map.of());
            boolean delta = day != 0 && day != 4; // full reads know no reason
            assertThat(delta ? got : withoutReasons(got))
                .as(table + "_history, night " + day)
                .isEqualTo(delta ? expected : withoutReasons(expected));
          }
        }
      }

      // The weekly reconciliation reads in full what delta cannot select or see, and says what
      // it repaired: in this week, nothing (the week's new users have not signed in yet, and
      // every membership change reached the warehouse the night it happened).
      Process reconcile =
          Processes.start(
              properties(sim, warehouse, null),
              Map.of("AZURE_CLIENT_SECRET", SimulatorSettings.DEMO_CLIENT_SECRET),
              dir.resolve("reconcile.log"),
              "run",
              "@jobs/reconcile.args");
      assertThat(Processes.ended(reconcile)).isTrue();
      String report = log("reconcile");
      assertThat(reconcile.exitValue()).as(report).isZero();
      assertThat(report).contains("Read in full, nothing differed from what the loads before");
      try (Connection c = readOnly(warehouse)) {
        for (String table : List.of("group_members", "group_members_transitive")) {
          assertThat(rows(c, table))
              .as(table + " after the reconciliation")
              .isEqualTo(
                  GroundTruth.membershipRows(
                      sim.tenant(), table.equals("group_members_transitive")));
        }
      }
    }
  }

  private Map<String, String> properties(GraphSimulator sim, Path warehouse, String haltAt)
      throws Exception {
    Path pem = dir.resolve("simulator.pem");
    Files.writeString(pem, sim.certificatePem(), StandardCharsets.US_ASCII);
    Map<String, String> p = new LinkedHashMap<>(SimulatorTenants.properties("entra.tenant.", sim));
    p.put("entra.graph.trust-certificate", pem.toString());
    p.put("entra.warehouse.directory", warehouse.toString());
    p.put("entra.warehouse.chunk-size", "5");
    if (haltAt != null) {
      p.put(KillPoints.PROPERTY, haltAt);
    }
    return p;
  }

  private Process run(GraphSimulator sim, Path warehouse, String haltAt, String date, String log)
      throws Exception {
    Process process =
        Processes.start(
            properties(sim, warehouse, haltAt),
            Map.of("AZURE_CLIENT_SECRET", SimulatorSettings.DEMO_CLIENT_SECRET),
            dir.resolve(log + ".log"),
            "run",
            "entities=" + String.join(",", TABLES) + ",group_members_transitive",
            "run.date=" + date);
    assertThat(Processes.ended(process)).isTrue();
    return process;
  }

  private String log(String name) throws Exception {
    return Files.readString(dir.resolve(name + ".log"));
  }

  private static Connection readOnly(Path warehouse) throws Exception {
    Properties p = new Properties();
    p.setProperty("duckdb.read_only", "true");
    return DriverManager.getConnection("jdbc:duckdb:" + warehouse.resolve("entra.duckdb"), p);
  }

  private static List<String> ids(Connection c, String table) throws Exception {
    String key = table.equals("group_members") ? "group_id || '/' || member_id" : "id";
    List<String> ids = new ArrayList<>();
    try (ResultSet r = c.createStatement().executeQuery("SELECT " + key + " FROM " + table)) {
      while (r.next()) {
        ids.add(r.getString(1));
      }
    }
    return ids;
  }

  private static Set<String> rows(Connection c, String table) throws Exception {
    Set<String> rows = new TreeSet<>();
    try (ResultSet r =
        c.createStatement()
            .executeQuery(
                "SELECT group_id, member_id, member_type, member_display_name FROM " + table)) {
      while (r.next()) {
        rows.add(
            r.getString(1) + "|" + r.getString(2) + "|" + r.getString(3) + "|" + r.getString(4));
      }
    }
    return rows;
  }

  /** Night → id → kind (and reason) of the versions each night's load began. */
  private static Map<Integer, Map<String, String>> history(
      Connection c, String table, Map<Long, Integer> nightOfLoad) throws Exception {
    String key = table.equals("group_members") ? "group_id || '/' || member_id" : "id";
    Map<Integer, Map<String, String>> out = new TreeMap<>();
    try (ResultSet r =
        c.createStatement()
            .executeQuery(
                "SELECT load_id, "
                    + key
                    + ", change_kind, removed_reason FROM "
                    + table
                    + "_history")) {
      while (r.next()) {
        Integer night = nightOfLoad.get(r.getLong(1));
        assertThat(night).as(table + "_history: a version from an unknown load").isNotNull();
        String kind = r.getString(3);
        String reason = r.getString(4);
        String value = kind.equals("deleted") ? "deleted/" + reason : kind;
        String previous =
            out.computeIfAbsent(night, n -> new TreeMap<>()).put(r.getString(2), value);
        assertThat(previous).as(table + "_history: two versions in one load").isNull();
      }
    }
    return out;
  }

  private static Map<String, String> withoutReasons(Map<String, String> changes) {
    Map<String, String> out = new TreeMap<>();
    changes.forEach((id, v) -> out.put(id, v.startsWith("deleted/") ? "deleted" : v));
    return out;
  }
}
