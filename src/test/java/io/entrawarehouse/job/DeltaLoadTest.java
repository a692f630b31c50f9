package io.entrawarehouse.job;

import static io.entrawarehouse.write.iceberg.IcebergLake.DELTA_LINK;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.GroundTruth;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.TenantScale;
import io.entrawarehouse.warehouse.Entities;
import io.entrawarehouse.warehouse.Entity;
import io.entrawarehouse.write.iceberg.IcebergLake;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.batch.core.BatchStatus;

/**
 * Nightly loads by delta: day 0 is read in full, each later day only what changed; the tables end
 * equal, row for row and column for column, to a full load of the same day.
 */
class DeltaLoadTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<Entity> DIRECTORY =
      List.of(
          Entities.USERS,
          Entities.GROUPS,
          Entities.GROUP_MEMBERS,
          Entities.DEVICES,
          Entities.SERVICE_PRINCIPALS,
          Entities.APPLICATIONS);

  /** The launch of a nightly load on the tenant's day {@code day}. */
  static Map<String, String> night(int day) {
    return Map.of(
        "entities",
        "users,groups,group_members,devices,service_principals,applications",
        "run.date",
        LocalDate.of(2026, 11, 1).plusDays(day).toString());
  }

  @TempDir Path dir;

  @Test
  void eachDayReadsOnlyChangesAndEndsEqualToAFullLoad() throws Exception {
    try (GraphSimulator sim =
            GraphSimulator.start(
                SimulatorSettings.builder()
                    .scale(TenantScale.TINY)
                    .changeRate(0.1)
                    .throttling(false)
                    .build());
        // Merges and histories split in buckets of 7 rows, spilled: the same rows as one bucket.
        LoadHarness nightly =
            LoadHarness.over(
                sim, dir.resolve("nightly"), Map.of("entra.warehouse.bucket-rows", "7"))) {
      List<Long> loads = new ArrayList<>();
      assertThat(nightly.run(night(0)).getStatus()).isEqualTo(BatchStatus.COMPLETED);
      nightly.assertMatchesGroundTruth(DIRECTORY);
      loads.add(lastLoad(nightly));
      for (int day = 1; day <= 3; day++) {
        sim.day(day);
        long listings = sim.stats().requests("users");
        long deltas = sim.stats().requests("users/delta");
        long perGroup = sim.stats().requests("members");
        assertThat(nightly.run(night(day)).getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(sim.stats().requests("users"))
            .as("users listed on day " + day)
            .isEqualTo(listings);
        assertThat(sim.stats().requests("users/delta")).isEqualTo(deltas + 1);
        assertThat(sim.stats().requests("members")).as("per-group requests").isEqualTo(perGroup);
        assertThat(sim.stats().requests("servicePrincipals/delta")).isEqualTo(day + 1L);
        assertThat(sim.stats().requests("applications/delta")).isEqualTo(day + 1L);
        nightly.assertMatchesGroundTruth(DIRECTORY);
        loads.add(lastLoad(nightly));
      }
      historyQuestionsAnswerAsTheSimulatorChangedTheTenant(sim, nightly, loads);
      try (LoadHarness full = LoadHarness.over(sim, dir.resolve("full"), Map.of())) {
        assertThat(full.run(night(3)).getStatus()).isEqualTo(BatchStatus.COMPLETED);
        for (Entity e : DIRECTORY) {
          assertThat(rows(nightly, e, false)).as(e.name()).isEqualTo(rows(full, e, false));
        }
        // Delta does not track sign-in activity: an updated user keeps what the last full read
        // gave (absent is not null); only users created or restored since have none yet.
        Map<String, List<Object>> withActivity = rows(nightly, Entities.USERS, true);
        Map<String, List<Object>> truth = rows(full, Entities.USERS, true);
        List<String> differ = new ArrayList<>();
        truth.forEach(
            (id, row) -> {
              if (!row.equals(withActivity.get(id))) {
                differ.add(id);
              }
            });
        assertThat(differ).isSubsetOf(createdSinceDayZero(nightly));
      }
    }
  }

  /**
   * A stored deltaLink Graph rejects (a damaged token; one made for another collection) resyncs
   * that table in full, and the night ends equal to a full load of the same day.
   */
  @Test
  void aTamperedDeltaLinkResyncsAndTheNightEndsEqualToAFullLoad() throws Exception {
    List<Entity> tables = List.of(Entities.USERS, Entities.GROUPS, Entities.DEVICES);
    Map<String, String> night0 =
        Map.of("entities", "users,groups,devices", "run.date", "2026-11-01");
    Map<String, String> night1 =
        Map.of("entities", "users,groups,devices", "run.date", "2026-11-02");
    try (GraphSimulator sim =
            GraphSimulator.start(
                SimulatorSettings.builder()
                    .scale(TenantScale.TINY)
                    .changeRate(0.1)
                    .throttling(false)
                    .build());
        LoadHarness nightly = LoadHarness.over(sim, dir.resolve("nightly"), Map.of())) {
      assertThat(nightly.run(night0).getStatus()).isEqualTo(BatchStatus.COMPLETED);
      sim.day(1);
      try (IcebergLake lake = nightly.launcher.lake()) {
        String users = lake.table(Entities.USERS).currentSnapshot().summary().get(DELTA_LINK);
        String groups = lake.table(Entities.GROUPS).currentSnapshot().summary().get(DELTA_LINK);
        String devices = lake.table(Entities.DEVICES).currentSnapshot().summary().get(DELTA_LINK);
        assertThat(users).contains("$deltatoken=");
        String token = "$deltatoken=";
        restore(lake, Entities.USERS, users.substring(0, users.indexOf(token) + 12) + "x");
        // The users' token on the groups' link, and the devices' link pointed at another host.
        restore(
            lake,
            Entities.GROUPS,
            groups.substring(0, groups.indexOf(token)) + users.substring(users.indexOf(token)));
        assertThat(devices).startsWith("/devices/delta?");
        restore(lake, Entities.DEVICES, "https://graph.example.invalid/v1.0" + devices);
      }
      long usersListed = sim.stats().requests("users");
      long groupsListed = sim.stats().requests("groups");
      long devicesListed = sim.stats().requests("devices");
      long devicesDelta = sim.stats().requests("devices/delta");

      assertThat(nightly.run(night1).getStatus()).isEqualTo(BatchStatus.COMPLETED);

      assertThat(sim.stats().requests("users")).as("users resynced").isGreaterThan(usersListed);
      assertThat(sim.stats().requests("groups")).as("groups resynced").isGreaterThan(groupsListed);
      assertThat(sim.stats().requests("devices"))
          .as("devices resynced, their link not followed")
          .isGreaterThan(devicesListed);
      assertThat(sim.stats().requests("devices/delta"))
          .as("only $deltatoken=latest")
          .isEqualTo(devicesDelta + 1);
      nightly.assertMatchesGroundTruth(tables);
      try (LoadHarness full = LoadHarness.over(sim, dir.resolve("full"), Map.of())) {
        assertThat(full.run(night1).getStatus()).isEqualTo(BatchStatus.COMPLETED);
        for (Entity e : tables) {
          assertThat(rows(nightly, e, false)).as(e.name()).isEqualTo(rows(full, e, false));
        }
      }
    }
  }

  /** Commits no rows to the table, only its current summary with another deltaLink. */
  private static void restore(IcebergLake lake, Entity e, String link) {
    Table table = lake.table(e);
    AppendFiles append = table.newFastAppend();
    table.currentSnapshot().summary().entrySet().stream()
        .filter(s -> s.getKey().startsWith("entra."))
        .forEach(s -> append.set(s.getKey(), s.getValue()));
    append.set(DELTA_LINK, link).commit();
  }

  /**
   * A table's rows in DuckDB by id: every column but the load's id and time, raw_json as a JSON
   * tree without signInActivity (which delta does not track).
   */
  static Map<String, List<Object>> rows(LoadHarness h, Entity e, boolean signInActivity)
      throws Exception {
    Map<String, List<Object>> out = new TreeMap<>();
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:duckdb:" + h.warehouse.resolve("entra.duckdb").toAbsolutePath());
        ResultSet r =
            c.createStatement()
                .executeQuery("SELECT * EXCLUDE (load_id, loaded_at) FROM " + e.name())) {
      ResultSetMetaData meta = r.getMetaData();
      while (r.next()) {
        List<Object> row = new ArrayList<>();
        List<String> key = new ArrayList<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          String column = meta.getColumnName(i);
          Object value = r.getObject(i);
          if (!signInActivity && column.startsWith("last_") && column.contains("sign_in")) {
            continue;
          }
          if (column.equals(Entity.RAW_JSON) && value != null) {
            ObjectNode json = (ObjectNode) JSON.readTree(value.toString());
            json.remove("signInActivity");
            value = json;
          } else if (value instanceof Array a) {
            value = List.of((Object[]) a.getArray());
          }
          if (e.idColumns().contains(column)) {
            key.add(String.valueOf(value));
          }
          row.add(column + "=" + value);
        }
        out.put(String.join("/", key), row);
      }
    }
    return out;
  }

  private static long lastLoad(LoadHarness h) throws Exception {
    return ((Number) query(h, "SELECT max(load_id) FROM _loads").get(0).get(0)).longValue();
  }

  /** Rows of a query on the harness's DuckDB, after SET VARIABLE statements. */
  static List<List<Object>> query(LoadHarness h, String sql, String... variables) throws Exception {
    List<List<Object>> out = new ArrayList<>();
    try (Connection c =
        DriverManager.getConnection(
            "jdbc:duckdb:" + h.warehouse.resolve("entra.duckdb").toAbsolutePath())) {
      for (String v : variables) {
        c.createStatement().execute("SET VARIABLE " + v);
      }
      try (ResultSet r = c.createStatement().executeQuery(sql)) {
        while (r.next()) {
          List<Object> row = new ArrayList<>();
          for (int i = 1; i <= r.getMetaData().getColumnCount(); i++) {
            row.add(r.getObject(i));
          }
          out.add(row);
        }
      }
    }
    return out;
  }

  /**
   * The shipped history views (group members on a date, when accounts were disabled, devices that
   * appeared) against answers computed from the simulator's own days.
   */
  private static void historyQuestionsAnswerAsTheSimulatorChangedTheTenant(
      GraphSimulator sim, LoadHarness h, List<Long> loads) throws Exception {
    Map<Long, OffsetDateTime> seen = new TreeMap<>();
    for (List<Object> r :
        query(
            h,
            "SELECT DISTINCT load_id, valid_from FROM users_history UNION "
                + "SELECT DISTINCT load_id, valid_from FROM group_members_history UNION "
                + "SELECT DISTINCT load_id, valid_from FROM devices_history")) {
      seen.put(((Number) r.get(0)).longValue(), (OffsetDateTime) r.get(1));
    }
    IntFunction<String> after =
        night -> "TIMESTAMPTZ '" + seen.get(loads.get(night)).plusSeconds(0).toInstant() + "'";
    // Group members as the night-1 load left them, asked for between nights 1 and 2.
    String group =
        GroundTruth.changes(sim.tenant(), 1, 2).get("group_members").keySet().iterator().next();
    String groupId = group.substring(0, group.indexOf('/'));
    List<String> members = new ArrayList<>();
    for (List<Object> r :
        query(
            h,
            question("group_members_on"),
            "group_ref = '" + groupId + "'",
            "as_of = " + after.apply(1))) {
      members.add((String) r.get(2));
    }
    assertThat(members)
        .as("group-members-on")
        .containsExactlyInAnyOrderElementsOf(GroundTruth.members(sim.tenant(), 1, groupId));
    // Accounts disabled: each night, the users disabled that were enabled when last seen (on an
    // earlier night, before any deletion and restore between).
    List<String> expected = new ArrayList<>();
    Map<String, Boolean> lastSeen = new TreeMap<>(GroundTruth.accountEnabled(sim.tenant(), 0));
    for (int night = 1; night < loads.size(); night++) {
      Map<String, Boolean> now = GroundTruth.accountEnabled(sim.tenant(), night);
      for (Map.Entry<String, Boolean> e : now.entrySet()) {
        if (!e.getValue() && Boolean.TRUE.equals(lastSeen.get(e.getKey()))) {
          expected.add(e.getKey() + "@" + seen.get(loads.get(night)).toInstant());
        }
      }
      lastSeen.putAll(now);
    }
    List<String> disabled = new ArrayList<>();
    for (List<Object> r : query(h, question("accounts_disabled"))) {
      disabled.add(r.get(1) + "@" + ((OffsetDateTime) r.get(4)).toInstant());
    }
    assertThat(disabled).as("account-disabled").containsExactlyInAnyOrderElementsOf(expected);
    // Devices that appeared after the first load: created or restored on nights 1 and on.
    List<String> appeared = new ArrayList<>();
    for (List<Object> r : query(h, question("devices_appeared"))) {
      appeared.add(r.get(1) + "@" + ((OffsetDateTime) r.get(5)).toInstant());
    }
    List<String> created = new ArrayList<>();
    for (int night = 1; night < loads.size(); night++) {
      for (Map.Entry<String, String> e :
          GroundTruth.changes(sim.tenant(), night - 1, night).get("devices").entrySet()) {
        if (e.getValue().equals("created")) {
          created.add(e.getKey() + "@" + seen.get(loads.get(night)).toInstant());
        }
      }
    }
    assertThat(created).as("the simulator created devices").isNotEmpty();
    assertThat(appeared).as("devices-appeared").containsExactlyInAnyOrderElementsOf(created);
  }

  private static String question(String name) throws Exception {
    return "SELECT * FROM " + name; // the view the load created from sql/views/<name>.sql
  }

  /** The users a load after the first created (or restored), from users_history. */
  static List<String> createdSinceDayZero(LoadHarness h) throws Exception {
    List<String> ids = new ArrayList<>();
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:duckdb:" + h.warehouse.resolve("entra.duckdb").toAbsolutePath());
        ResultSet r =
            c.createStatement()
                .executeQuery(
                    "SELECT id FROM users_history WHERE change_kind = 'created'"
                        + " AND valid_from > (SELECT min(valid_from) FROM users_history)")) {
      while (r.next()) {
        ids.add(r.getString(1));
      }
    }
    return ids;
  }
}
