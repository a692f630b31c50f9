package io.entrawarehouse.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.TenantScale;
import io.entrawarehouse.warehouse.Entities;
import io.entrawarehouse.warehouse.Entity;
import io.entrawarehouse.warehouse.KillPoints;
import io.entrawarehouse.write.iceberg.IcebergLake;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;

/**
 * Restarts in-process, by planned failure (as spring-batch-extensions' Notion reader tests its
 * restarts): a load fails at a chosen point of each stage, the same launch runs again in the same
 * JVM, and the warehouse ends row for row equal to an uninterrupted load of the same tenant. The
 * {@code kill -9} tests (KillAndRestartTest, LogSliceKillTest, KillPointsTest) cover a process that
 * dies without a finally block.
 */
class RestartabilityTest {

  /**
   * One table of each kind of reader: a collection (with its history), a log, per parent, computed
   * from another table, array elements.
   */
  private static final Map<String, String> LAUNCH =
      Map.of(
          "entities",
          "users,sign_ins,group_members,group_members_transitive,app_credentials,"
              + "app_role_assignments");

  /** Chunks of 10: a table of the tiny tenant takes several, so a failure can fall between. */
  private static final Map<String, String> SMALL_CHUNKS =
      Map.of("entra.warehouse.chunk-size", "10");

  private static final List<Entity> TABLES = Entities.parse(LAUNCH.get("entities"));

  private static GraphSimulator simulator;

  /** Every table of an uninterrupted load, rows without their load's id and time. */
  private static Map<String, List<String>> uninterrupted;

  @TempDir static Path baseline;
  @TempDir Path dir;

  @BeforeAll
  static void loadOnce() throws Exception {
    simulator =
        GraphSimulator.start(
            SimulatorSettings.builder().scale(TenantScale.TINY).throttling(false).build());
    try (LoadHarness h = LoadHarness.over(simulator, baseline, SMALL_CHUNKS)) {
      assertThat(h.run(LAUNCH).getStatus()).isEqualTo(BatchStatus.COMPLETED);
    }
    uninterrupted = rows(baseline);
  }

  @AfterAll
  static void stop() {
    simulator.close();
  }

  @AfterEach
  void clear() {
    System.clearProperty(KillPoints.FAIL_AT);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "after-write:users", // a chunk's part written, its position not committed
        "mid-commit:users", // files copied to the lake, the catalog not updated
        "after-history:users", // the history committed, the table not
        "after-commit:sign_ins", // a log committed, its mark with it
        "after-staging:group_members_transitive", // computed from the lake, not committed
        "mid-commit:app_credentials", // array elements copied, not committed
        "after-staging:app_role_assignments", // per parent, read, not committed
        "before-duckdb", // every table committed, DuckDB's copy not begun
        "mid-duckdb", // DuckDB's copy written, not swapped in
        "after-duckdb" // swapped in, the job not yet marked completed
      })
  void aLoadFailedAtAnyStageRestartsToTheRowsOfAnUninterruptedOne(String point) throws Exception {
    try (LoadHarness h = LoadHarness.over(simulator, dir, SMALL_CHUNKS)) {
      System.setProperty(KillPoints.FAIL_AT, point);
      JobExecution failed = h.run(LAUNCH);
      assertThat(failed.getStatus()).as(point).isEqualTo(BatchStatus.FAILED);
      assertThat(failed.getAllFailureExceptions())
          .as(point)
          .anyMatch(e -> String.valueOf(LoadOutcome.reason(e)).contains("planned failure at"));

      JobExecution resumed = h.run(LAUNCH);
      assertThat(resumed.getStatus()).as(point).isEqualTo(BatchStatus.COMPLETED);
      assertThat(resumed.getJobInstanceId()).isEqualTo(failed.getJobInstanceId());
      h.assertMatchesGroundTruth(TABLES);
      try (Stream<Path> files = Files.walk(dir)) {
        assertThat(files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()))
            .noneMatch(n -> n.endsWith(".tmp") || n.endsWith(".swap") || n.endsWith(".dedup"));
      }
      assertThat(dir.resolve("staging")).as("staging is removed").doesNotExist();
      try (IcebergLake lake = h.launcher.lake()) {
        for (Entity e : TABLES) {
          LakeReads.assertDuckDbEqualsLake(dir.resolve("entra.duckdb"), lake, e);
          Set<String> current = new HashSet<>(LakeReads.currentFiles(lake.table(e)));
          try (Stream<Path> files = Files.walk(dir.resolve("lake/entra/" + e.name() + "/data"))) {
            assertThat(files.filter(Files::isRegularFile).map(Path::toString))
                .as(e.name() + ": every data file is the current snapshot's")
                .allMatch(current::contains);
          }
          assertThat(lake.table(e).snapshots())
              .as(e.name() + ": one commit for the load")
              .hasSize(1);
        }
      }
    }
    Map<String, List<String>> restarted = rows(dir);
    for (Map.Entry<String, List<String>> table : uninterrupted.entrySet()) {
      assertThat(restarted.get(table.getKey()))
          .as(table.getKey() + " after a failure at " + point)
          .isEqualTo(table.getValue());
    }
  }

  /** Every loaded table's rows in DuckDB, sorted, without load_id and loaded_at. */
  private static Map<String, List<String>> rows(Path warehouse) throws Exception {
    Map<String, List<String>> out = new LinkedHashMap<>();
    try (Connection c =
        DriverManager.getConnection("jdbc:duckdb:" + warehouse.resolve("entra.duckdb"))) {
      for (Entity e : TABLES) {
        List<String> rows = new ArrayList<>();
        try (Statement s = c.createStatement();
            ResultSet r =
                s.executeQuery("SELECT * EXCLUDE (load_id, loaded_at) FROM " + e.name())) {
          ResultSetMetaData m = r.getMetaData();
          while (r.next()) {
            StringBuilder row = new StringBuilder();
            for (int i = 1; i <= m.getColumnCount(); i++) {
              row.append(m.getColumnName(i)).append('=').append(r.getString(i)).append('|');
            }
            rows.add(row.toString());
          }
        }
        Collections.sort(rows);
        out.put(e.name(), rows);
      }
    }
    return out;
  }
}
