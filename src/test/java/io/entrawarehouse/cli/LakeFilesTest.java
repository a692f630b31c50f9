package io.entrawarehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrawarehouse.job.LakeReads;
import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.TenantScale;
import io.entrawarehouse.write.duckdb.AnalystSql;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lake-files}: DuckDB's views over the files it prints hold exactly the rows of the
 * warehouse's tables, after a second load has left the first load's files in the lake for time
 * travel (which a glob of the folder counts again).
 */
class LakeFilesTest {

  private static final Pattern VIEW = Pattern.compile("CREATE OR REPLACE VIEW (\\w+) AS ");

  @TempDir Path dir;

  @Test
  void viewsOverTheCurrentFilesEqualTheTablesWhereAGlobCountsOldSnapshotsToo() throws Exception {
    try (GraphSimulator simulator =
        GraphSimulator.start(
            SimulatorSettings.builder()
                .scale(TenantScale.TINY)
                .changeRate(0.1)
                .throttling(false)
                .build())) {
      Cli cli = new Cli().against(simulator, dir);
      // given two loads a day apart: the second rewrites the changed tables' files
      for (int day = 0; day < 2; day++) {
        simulator.day(day);
        LocalDate date =
            LocalDate.ofInstant(simulator.tenant().now(), ZoneOffset.UTC).minusDays(1 - day);
        Cli.Run run = cli.run("run", "run.date=" + date);
        assertThat(run.exit()).as(run.all()).isZero();
      }
      // when an analyst runs the printed script in a DuckDB of their own
      Cli.Run files = cli.run("lake-files");
      assertThat(files.exit()).as(files.all()).isZero();
      List<String> views = new ArrayList<>();
      Matcher m = VIEW.matcher(files.out());
      while (m.find()) {
        views.add(m.group(1));
      }
      assertThat(views).contains("users", "sign_ins", "group_members", "users_history");
      Path duckdb = dir.resolve("warehouse/entra.duckdb");
      try (Connection analyst = DriverManager.getConnection("jdbc:duckdb:");
          Connection warehouse = AnalystSql.openReadOnly(duckdb, Map.of())) {
        try (Statement st = analyst.createStatement()) {
          st.execute(files.out());
        }
        // then each view holds the table's rows, every column but the load's id and time
        for (String view : views) {
          assertThat(LakeReads.digest(analyst, view))
              .as(view)
              .isEqualTo(LakeReads.digest(warehouse, view));
        }
        // and a glob of the users' folder reads the first load's files as well
        long globbed =
            count(
                analyst,
                "SELECT count(*) FROM read_parquet('"
                    + dir.resolve("warehouse/lake/entra/users/data")
                    + "/**/*.parquet')");
        assertThat(globbed).isGreaterThan(count(warehouse, "SELECT count(*) FROM users"));
      }
      // and --format paths lists the same files, one a line
      Cli.Run paths = cli.run("lake-files", "users", "--format", "paths");
      assertThat(paths.exit()).as(paths.all()).isZero();
      assertThat(files.out()).contains(paths.out().lines().map(p -> "'" + p + "'").toList());
      Cli.Run unknown = cli.run("lake-files", "userz");
      assertThat(unknown.exit()).isEqualTo(2);
      assertThat(unknown.err()).contains("no table 'userz'").contains("users");
    }
  }

  private static long count(Connection c, String sql) throws Exception {
    try (ResultSet r = c.createStatement().executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }
}
