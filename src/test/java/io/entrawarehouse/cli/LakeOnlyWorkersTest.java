package io.entrawarehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.GroundTruth;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.SimulatorTenants;
import io.entrawarehouse.simulator.TenantScale;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scale past one machine: two worker processes, lake-only, each with its own warehouse folder and
 * tenant, load one lake at the same time through one catalog; both commit, and DuckDB built from
 * the lake afterwards holds each tenant exactly.
 */
class LakeOnlyWorkersTest {

  @TempDir Path dir;

  @Test
  void twoWorkersLoadTwoTenantsIntoOneLakeAtOnce() throws Exception {
    SimulatorSettings.Builder base =
        SimulatorSettings.builder()
            .scale(TenantScale.SMALL)
            .throttling(false)
            .latency(Duration.ofMillis(10), Duration.ZERO);
    try (GraphSimulator contoso = GraphSimulator.start(base.seed(1).build());
        GraphSimulator fabrikam = GraphSimulator.start(base.seed(2).build())) {
      assertThat(contoso.tenantId()).isNotEqualTo(fabrikam.tenantId());
      Path shared = dir.resolve("shared");
      Files.createDirectories(shared);
      // A URL as a user writes it: the settings SQLite needs beside other writers come with it.
      String catalog = "jdbc:sqlite:" + shared.resolve("catalog.sqlite");
      String lake = shared.resolve("lake").toUri().toString();
      List<Process> workers = new ArrayList<>();
      List<Path> logs = new ArrayList<>();
      for (GraphSimulator tenant : List.of(contoso, fabrikam)) {
        Path pem = dir.resolve(tenant.tenantId() + ".pem");
        Files.writeString(pem, tenant.certificatePem(), StandardCharsets.US_ASCII);
        Map<String, String> p = SimulatorTenants.properties("entra.tenant.", tenant);
        p.put("entra.graph.trust-certificate", pem.toString());
        p.put("entra.warehouse.directory", dir.resolve("worker-" + tenant.tenantId()).toString());
        p.put("entra.warehouse.lake-uri", lake);
        p.put("entra.warehouse.duckdb", "false");
        p.put("entra.warehouse.chunk-size", "500");
        p.put("spring.datasource.url", catalog);
        Path log = dir.resolve(tenant.tenantId() + ".log");
        logs.add(log);
        workers.add(
            Processes.start(
                p,
                Map.of("AZURE_CLIENT_SECRET", SimulatorSettings.DEMO_CLIENT_SECRET),
                log,
                "run",
                "entities=users,group_members,sign_ins"));
      }
      for (int i = 0; i < workers.size(); i++) {
        assertThat(Processes.ended(workers.get(i))).isTrue();
        assertThat(workers.get(i).exitValue()).as(Files.readString(logs.get(i))).isZero();
        assertThat(Files.readString(logs.get(i)))
            .contains("directory-load COMPLETED")
            .contains("not refreshed (entra.warehouse.duckdb=false");
      }

      // The analyst's machine: DuckDB built from the lake's current snapshots.
      Cli cli = new Cli();
      cli.properties.put("entra.warehouse.directory", dir.resolve("analyst").toString());
      cli.properties.put("entra.warehouse.lake-uri", lake);
      cli.properties.put("spring.datasource.url", catalog);
      try {
        Cli.Run refresh = cli.run("refresh");
        assertThat(refresh.exit()).as(refresh.all()).isZero();
        assertThat(refresh.out()).contains(contoso.tenantId()).contains(fabrikam.tenantId());
      } finally {
        cli.clear();
      }
      for (GraphSimulator tenant : List.of(contoso, fabrikam)) {
        Map<String, GroundTruth.Entity> truth = TableTruth.of(tenant.tenant());
        for (String table : List.of("users", "group_members", "sign_ins")) {
          List<String> ids = ids(dir.resolve("analyst/entra.duckdb"), table, tenant.tenantId());
          assertThat(ids).as(table).doesNotHaveDuplicates();
          assertThat(GroundTruth.checksum(ids))
              .as(table + " of " + tenant.tenantId())
              .isEqualTo(truth.get(table).checksum());
        }
      }
    }
  }

  private static List<String> ids(Path duckdb, String table, String tenant) throws Exception {
    String key = table.equals("group_members") ? "group_id || '/' || member_id" : "id";
    List<String> ids = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + duckdb);
        ResultSet r =
            c.createStatement()
                .executeQuery(
                    "SELECT " + key + " FROM " + table + " WHERE tenant_id = '" + tenant + "'")) {
      while (r.next()) {
        ids.add(r.getString(1));
      }
    }
    return ids;
  }
}
