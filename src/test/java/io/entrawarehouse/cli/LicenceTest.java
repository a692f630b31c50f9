package io.entrawarehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrawarehouse.config.Cloud;
import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.GroundTruth;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.TenantScale;
import io.entrawarehouse.warehouse.Entities;
import io.entrawarehouse.warehouse.Entity;
import io.entrawarehouse.write.duckdb.AnalystSql;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A tenant with Entra ID P1 and not P2, as most are: the nightly launch loads every table but PIM's
 * (Graph refuses it with 400 AadPremiumLicenseRequired), names that one with the licence, and ends
 * PARTIAL.
 */
class LicenceTest {

  @TempDir Path dir;

  @Test
  void aP1TenantsNightlyLoadsAllButPimAndEndsPartial() throws Exception {
    try (GraphSimulator sim =
        GraphSimulator.start(
            SimulatorSettings.builder()
                .scale(TenantScale.TINY)
                .throttling(false)
                .p2(false)
                .build())) {
      Cli cli = new Cli().against(sim, dir);
      Cli.Run run;
      try {
        run = cli.run("run", "@jobs/nightly.args");
      } finally {
        cli.clear();
      }
      assertThat(run.exit()).as(run.all()).isEqualTo(4);
      assertThat(run.out()).contains("directory-load PARTIAL");
      assertThat(run.err())
          .contains("role_eligibility_schedules")
          .contains("needs Entra ID P2")
          .contains("400 AadPremiumLicenseRequired");
      Map<String, GroundTruth.Entity> truth = TableTruth.of(sim.tenant());
      try (Connection c =
          AnalystSql.openReadOnly(dir.resolve("warehouse/entra.duckdb"), Map.of())) {
        for (Entity e : Entities.ALL.values()) {
          if (e == Entities.ALL.get("role_eligibility_schedules")) {
            assertThat(
                    ids(
                        c,
                        "information_schema.tables WHERE table_name = '" + e.name() + "'",
                        "table_name"))
                .as("never loaded")
                .isEmpty();
            continue;
          }
          List<String> ids = ids(c, e.name(), String.join(" || '/' || ", e.idColumns()));
          assertThat(ids).as(e.name()).doesNotHaveDuplicates();
          assertThat((long) ids.size()).as(e.name()).isEqualTo(truth.get(e.name()).count());
          assertThat(GroundTruth.checksum(ids))
              .as(e.name())
              .isEqualTo(truth.get(e.name()).checksum());
        }
      }
    }
  }

  /**
   * Graph refusing a licensed tenant's sign-ins once (as reported at random): the table, loaded the
   * night before, is asked once more after a pause and loads; a refusal that persists denies it.
   */
  @Test
  void aLicenceRefusalOfATableLoadedBeforeIsAskedOnceMore() throws Exception {
    String yesterday = "run.date=" + LocalDate.now(ZoneOffset.UTC).minusDays(1);
    SimulatorSettings.Builder tenant =
        SimulatorSettings.builder().scale(TenantScale.TINY).throttling(false);
    try (GraphSimulator before = GraphSimulator.start(tenant.build())) {
      Cli cli = new Cli().against(before, dir);
      try {
        Cli.Run first = cli.run("run", "entities=users,sign_ins", yesterday);
        assertThat(first.exit()).as(first.all()).isZero();
      } finally {
        cli.clear();
      }
    }
    try (GraphSimulator once =
        GraphSimulator.start(tenant.fault("403-licence:signIns:nth=1").build())) {
      Cli cli = new Cli().against(once, dir);
      cli.properties.put("entra.graph.max-backoff", "1s");
      Cli.Run run;
      try {
        run = cli.run("run", "entities=users,sign_ins");
      } finally {
        cli.clear();
      }
      assertThat(run.exit()).as(run.all()).isZero();
      assertThat(run.out())
          .containsPattern("sign_ins\\s+\\d+\\s+" + once.tenant().scale().signIns() + "\\s+0");
      assertThat(once.stats().requests("signIns")).isEqualTo(2);
    }
    try (GraphSimulator always =
        GraphSimulator.start(tenant.fault("403-licence:signIns:rate=1").build())) {
      Cli cli = new Cli().against(always, dir);
      cli.properties.put("entra.graph.max-backoff", "1s");
      Cli.Run run;
      try {
        run = cli.run("run", "entities=users,sign_ins", "reload=true");
      } finally {
        cli.clear();
      }
      assertThat(run.exit()).as(run.all()).isEqualTo(4);
      assertThat(run.out()).containsPattern("sign_ins\\s+denied");
      assertThat(always.stats().requests("signIns")).isEqualTo(2);
    }
  }

  /**
   * A tenant in a national cloud: the tables that cloud's Graph does not offer are skipped without
   * a request and named (exit 4), users load without signInActivity where it is not offered, and
   * every other table equals the ground truth. {@code check} names the same.
   */
  @ParameterizedTest
  @CsvSource({"usgov, sign_ins, true", "china, sign_ins directory_audits, false"})
  void aNationalCloudLoadsWhatItOffersAndNamesTheRest(
      String cloudId, String lacking, boolean noSignInActivity) throws Exception {
    Cloud cloud = Cloud.parse(cloudId);
    List<String> missing = List.of(lacking.split(" "));
    try (GraphSimulator sim =
        GraphSimulator.start(
            SimulatorSettings.builder()
                .scale(TenantScale.TINY)
                .throttling(false)
                .graphHost(cloud.graphHost())
                .build())) {
      Cli cli = new Cli().against(sim, dir);
      cli.properties.put("entra.tenant.cloud", cloudId);
      Cli.Run check;
      Cli.Run run;
      try {
        check = cli.run("check");
        run = cli.run("run", "@jobs/nightly.args");
      } finally {
        cli.clear();
      }
      for (String table : missing) {
        assertThat(check.out()).containsPattern(table + "\\s.*not offered in " + cloudId);
        assertThat(run.err()).containsPattern(table + ": .* not offered by Microsoft Graph");
        assertThat(run.out()).containsPattern(table + "\\s+denied");
      }
      assertThat(run.exit()).as(run.all()).isEqualTo(4);
      assertThat(sim.stats().requests("signIns")).as("no request for what is not offered").isZero();
      if (noSignInActivity) {
        assertThat(check.out())
            .contains("users.signInActivity")
            .contains("run loads users without it");
        assertThat(run.err()).contains("users: signInActivity is not offered by Microsoft Graph");
      }
      Map<String, GroundTruth.Entity> truth = TableTruth.of(sim.tenant());
      try (Connection c =
          AnalystSql.openReadOnly(dir.resolve("warehouse/entra.duckdb"), Map.of())) {
        for (Entity e : Entities.ALL.values()) {
          if (missing.contains(e.name())) {
            continue;
          }
          List<String> ids = ids(c, e.name(), String.join(" || '/' || ", e.idColumns()));
          assertThat(GroundTruth.checksum(ids))
              .as(e.name() + " in " + cloudId)
              .isEqualTo(truth.get(e.name()).checksum());
        }
        if (noSignInActivity) {
          assertThat(ids(c, "users WHERE last_sign_in_date_time IS NOT NULL", "id")).isEmpty();
        }
      }
    }
  }

  private static List<String> ids(Connection c, String from, String key) throws Exception {
    List<String> ids = new ArrayList<>();
    try (ResultSet r = c.createStatement().executeQuery("SELECT " + key + " FROM " + from)) {
      while (r.next()) {
        ids.add(r.getString(1));
      }
    }
    return ids;
  }
}
