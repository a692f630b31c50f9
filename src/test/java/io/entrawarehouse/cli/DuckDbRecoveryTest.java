package io.entrawarehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.TenantScale;
import io.entrawarehouse.write.duckdb.AnalystSql;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A DuckDB file truncated, overwritten or deleted between loads: {@code query} says what to run,
 * {@code refresh} and the next load rebuild it from the lake, and it then holds exactly what a twin
 * warehouse that ran the same loads undamaged holds.
 */
class DuckDbRecoveryTest {

  private static final List<String> TABLES =
      List.of("users", "groups", "sign_ins", "directory_audits");

  @TempDir Path dir;

  @Test
  void aDamagedOrMissingFileIsRebuiltWholeFromTheLake() throws Exception {
    try (GraphSimulator sim =
        GraphSimulator.start(
            SimulatorSettings.builder().scale(TenantScale.TINY).throttling(false).build())) {
      Cli damaged = new Cli().against(sim, Files.createDirectories(dir.resolve("damaged")));
      Cli twin = new Cli().against(sim, Files.createDirectories(dir.resolve("twin")));
      Path file = dir.resolve("damaged/warehouse/entra.duckdb");
      try {
        night(damaged, twin, 2);

        Files.write(file, "DUCK\n".getBytes()); // truncated to five bytes
        Cli.Run query = run(damaged, "query", "SELECT count(*) FROM users");
        assertThat(query.exit()).isEqualTo(1);
        assertThat(query.err()).contains("cannot be opened").contains("'refresh' builds the file");
        Cli.Run refresh = run(damaged, "refresh");
        assertThat(refresh.exit()).as(refresh.all()).isZero();
        assertThat(tables(file)).isEqualTo(tables(dir.resolve("twin/warehouse/entra.duckdb")));

        Files.writeString(file, "id,display_name\n1,a\n".repeat(1000)); // a CSV written over it
        night(damaged, twin, 1);

        Files.delete(file);
        night(damaged, twin, 0);
      } finally {
        damaged.clear();
      }
    }
  }

  /** The same load in both warehouses, {@code daysAgo} days before today; then equal tables. */
  private void night(Cli damaged, Cli twin, int daysAgo) throws Exception {
    String date = "run.date=" + LocalDate.now(ZoneOffset.UTC).minusDays(daysAgo);
    String entities = "entities=" + String.join(",", TABLES);
    Cli.Run a = run(damaged, "run", entities, date);
    assertThat(a.exit()).as(a.all()).isZero();
    Cli.Run b = run(twin, "run", entities, date);
    assertThat(b.exit()).as(b.all()).isZero();
    Map<String, List<String>> expected = tables(dir.resolve("twin/warehouse/entra.duckdb"));
    assertThat(expected.get("sign_ins")).isNotEmpty();
    assertThat(tables(dir.resolve("damaged/warehouse/entra.duckdb"))).isEqualTo(expected);
  }

  private static Cli.Run run(Cli cli, String... args) {
    try {
      return cli.run(args);
    } finally {
      cli.clear();
    }
  }

  /** Each table's rows, every column but the time of loading, sorted. */
  private static Map<String, List<String>> tables(Path file) throws Exception {
    Map<String, List<String>> tables = new TreeMap<>();
    try (Connection c = AnalystSql.openReadOnly(file, Map.of())) {
      for (String table : TABLES) {
        List<String> rows = new ArrayList<>();
        try (ResultSet r =
            c.createStatement()
                .executeQuery(
                    "SELECT CAST(t AS VARCHAR) FROM (SELECT * EXCLUDE (loaded_at) FROM "
                        + table
                        + ") t ORDER BY 1")) {
          while (r.next()) {
            rows.add(r.getString(1));
          }
        }
        tables.put(table, rows);
      }
    }
    return tables;
  }
}
