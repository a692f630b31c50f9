package io.entrawarehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrawarehouse.job.JobRepositoryConfiguration;
import io.entrawarehouse.job.LakeReads;
import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.SimulatorTenants;
import io.entrawarehouse.simulator.TenantScale;
import io.entrawarehouse.warehouse.Entities;
import io.entrawarehouse.warehouse.Entity;
import io.entrawarehouse.warehouse.KillPoints;
import io.entrawarehouse.write.iceberg.IcebergLake;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SIGKILL at chosen points of a load (a directory table, a log, a per-parent table, one computed
 * from another, array elements): after staging, mid-commit (files copied, catalog not updated),
 * after the commit, before, during (the new file written, not swapped in) and after the DuckDB
 * refresh. The same command then ends with both stores equal to an uninterrupted load, every column
 * compared, no temporary file left and no data file outside the current snapshot.
 */
class KillPointsTest {

  static GraphSimulator simulator;
  static Path reference;

  /**
   * One table of each kind of reader: a collection, a log, per parent, computed from another table,
   * array elements.
   */
  static final List<Entity> ENTITIES =
      List.of(
          Entities.USERS,
          Entities.GROUP_MEMBERS,
          Entities.GROUP_MEMBERS_TRANSITIVE,
          Entities.SIGN_INS,
          Entities.APP_CREDENTIALS,
          Entities.APP_ROLE_ASSIGNMENTS);

  @TempDir static Path shared;
  @TempDir Path dir;

  @BeforeAll
  static void loadOnceUninterrupted() throws Exception {
    simulator =
        GraphSimulator.start(
            SimulatorSettings.builder()
                .scale(TenantScale.TINY)
                .throttling(false)
                .latency(Duration.ofMillis(5), Duration.ZERO)
                .build());
    reference = shared.resolve("reference");
    Process run = run(reference, null, shared.resolve("reference.log"));
    assertThat(Processes.ended(run)).isTrue();
    assertThat(run.exitValue()).as(Files.readString(shared.resolve("reference.log"))).isZero();
  }

  @AfterAll
  static void stop() {
    simulator.close();
  }

  private static Process run(Path warehouse, String haltAt, Path log) throws Exception {
    return command(
        warehouse,
        haltAt,
        log,
        "run",
        "entities=" + String.join(",", ENTITIES.stream().map(Entity::name).toList()),
        "run.date=2026-01-01", // any date: until is given
        "until=" + simulator.tenant().now());
  }

  private static Process command(Path warehouse, String haltAt, Path log, String... args)
      throws Exception {
    Path pem = warehouse.resolveSibling(warehouse.getFileName() + ".pem");
    Files.writeString(pem, simulator.certificatePem(), StandardCharsets.US_ASCII);
    Map<String, String> p =
        new LinkedHashMap<>(SimulatorTenants.properties("entra.tenant.", simulator));
    p.put("entra.graph.trust-certificate", pem.toString());
    p.put("entra.warehouse.directory", warehouse.toString());
    p.put("entra.warehouse.chunk-size", "40");
    if (haltAt != null) {
      p.put(KillPoints.PROPERTY, haltAt);
    }
    return Processes.start(
        p, Map.of("AZURE_CLIENT_SECRET", SimulatorSettings.DEMO_CLIENT_SECRET), log, args);
  }

  private static String finish(Process p, Path log) throws Exception {
    assertThat(Processes.ended(p)).isTrue();
    return Files.readString(log);
  }

  private static long files(Path dir) throws Exception {
    if (!Files.exists(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).count();
    }
  }

  @Test
  void aLoadKilledMidCommitThenAbandonedLeavesNoFileBehindAndTheNextLoadIsExact() throws Exception {
    Path warehouse = dir.resolve("warehouse");
    Path usersData = warehouse.resolve("lake/entra/users/data");
    Process killed = run(warehouse, "mid-commit:users", dir.resolve("killed.log"));
    finish(killed, dir.resolve("killed.log"));
    assertThat(killed.exitValue()).isEqualTo(137);
    assertThat(files(usersData)).as("copied, never committed").isPositive();

    Process abandon = command(warehouse, null, dir.resolve("abandon.log"), "abandon");
    String abandoned = finish(abandon, dir.resolve("abandon.log"));

    assertThat(abandon.exitValue()).as(abandoned).isZero();
    assertThat(files(usersData)).as("the abandoned load's copies are gone").isZero();
    Process again = run(warehouse, null, dir.resolve("again.log"));
    String log = finish(again, dir.resolve("again.log"));
    assertThat(again.exitValue()).as(log).isZero();
    assertThat(log).contains("attempt=2").contains("directory-load COMPLETED");
    assertThat(digests(warehouse)).isEqualTo(digests(reference));
  }

  /**
   * Files under a table that no snapshot reaches (what a kill mid-commit leaves: a metadata file
   * cut to 0 bytes, a manifest list no commit names, a data file never committed) are swept by the
   * next commit once old enough; a young one, maybe another worker's commit in flight, is kept.
   */
  @Test
  void filesNoSnapshotReachesAreSweptOnceOldAndYoungOnesKept() throws Exception {
    Path warehouse = dir.resolve("warehouse");
    Process killed = run(warehouse, "mid-commit:users", dir.resolve("killed.log"));
    finish(killed, dir.resolve("killed.log"));
    assertThat(killed.exitValue()).isEqualTo(137);
    Path users = warehouse.resolve("lake/entra/users");
    Path copied;
    try (Stream<Path> data = Files.walk(users.resolve("data"))) {
      copied = data.filter(Files::isRegularFile).findFirst().orElseThrow();
    }
    String id = UUID.randomUUID().toString();
    Path metadata = Files.createFile(users.resolve("metadata/00099-" + id + ".metadata.json"));
    Path manifestList = Files.writeString(users.resolve("metadata/snap-9-1-" + id + ".avro"), "x");
    Path data = Files.copy(copied, copied.resolveSibling("orphan-" + id + ".parquet"));
    Path young = Files.copy(copied, copied.resolveSibling("young-" + id + ".parquet"));
    FileTime old = FileTime.from(Instant.now().minus(Duration.ofHours(7)));
    for (Path p : List.of(metadata, manifestList, data)) {
      Files.setLastModifiedTime(p, old);
    }

    Process again = run(warehouse, null, dir.resolve("again.log"));
    String log = finish(again, dir.resolve("again.log"));

    assertThat(again.exitValue()).as(log).isZero();
    assertThat(log).contains("users: removed 3 files no snapshot reaches, older than 6 h");
    assertThat(List.of(metadata, manifestList, data)).noneMatch(Files::exists);
    assertThat(young).exists();
    assertThat(digests(warehouse)).isEqualTo(digests(reference));
  }

  @Test
  void restartAlsoCatchesDuckDbUpWithALoadKilledAfterItsCommits() throws Exception {
    Path warehouse = dir.resolve("warehouse");
    Process killed = run(warehouse, "before-duckdb", dir.resolve("killed.log"));
    finish(killed, dir.resolve("killed.log"));
    assertThat(killed.exitValue()).isEqualTo(137);

    Process restart = command(warehouse, null, dir.resolve("restart.log"), "restart");
    String log = finish(restart, dir.resolve("restart.log"));

    assertThat(restart.exitValue()).as(log).isZero();
    assertThat(log)
        .contains(
            "DuckDB took app_credentials, app_role_assignments, group_members,"
                + " group_members_history, group_members_transitive, sign_ins, users,"
                + " users_history from the lake");
    assertThat(digests(warehouse)).isEqualTo(digests(reference));
  }

  private static Map<String, String> digests(Path warehouse) throws Exception {
    Map<String, String> digests = new LinkedHashMap<>();
    Properties readOnly = new Properties();
    readOnly.setProperty("duckdb.read_only", "true");
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:duckdb:" + warehouse.resolve("entra.duckdb"), readOnly);
        IcebergLake lake = lake(warehouse)) {
      for (Entity e : ENTITIES) {
        digests.put(e.name() + " in DuckDB", LakeReads.digest(c, e.name()));
        digests.put(
            e.name() + " in the lake",
            LakeReads.digest(c, LakeReads.parquet(e, LakeReads.currentFiles(lake.table(e)))));
      }
    }
    return digests;
  }

  private static IcebergLake lake(Path warehouse) {
    return new IcebergLake(
        warehouse.resolve("lake").toUri(),
        JobRepositoryConfiguration.defaultUrl(warehouse),
        null,
        null,
        Duration.ofDays(30),
        Map.of());
  }

  @ParameterizedTest
  @ValueSource(
      // A few points, as SIGKILL lands (no finally block, no shutdown hook); the load's every
      // stage is failed in-process by job.RestartabilityTest.
      strings = {
        "after-staging:users",
        "mid-commit:sign_ins",
        "after-commit:group_members",
        "mid-duckdb"
      })
  void aKillAtThisPointThenTheSameCommandEndsEqualToAnUninterruptedLoad(String point)
      throws Exception {
    Path warehouse = dir.resolve("warehouse");

    Process killed = run(warehouse, point, dir.resolve("killed.log"));
    assertThat(Processes.ended(killed)).isTrue();
    assertThat(killed.exitValue()).as(Files.readString(dir.resolve("killed.log"))).isEqualTo(137);
    assertThat(Files.readString(dir.resolve("killed.log"))).contains("halting at " + point);

    Process again = run(warehouse, null, dir.resolve("again.log"));
    assertThat(Processes.ended(again)).isTrue();
    String log = Files.readString(dir.resolve("again.log"));
    assertThat(again.exitValue()).as(log).isZero();
    // Killed in the job's end, the load is recorded as completed: the same command then finishes
    // what the end left undone. Killed earlier, it resumes the load.
    assertThat(log).containsAnyOf("directory-load COMPLETED", "already COMPLETED");

    Map<String, String> expected = digests(reference);
    assertThat(digests(warehouse)).isEqualTo(expected);
    try (Stream<Path> files = Files.walk(warehouse)) {
      assertThat(files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.endsWith(".tmp") || n.endsWith(".swap") || n.endsWith(".dedup"));
    }
    assertThat(warehouse.resolve("staging")).doesNotExist();
    try (IcebergLake lake = lake(warehouse)) {
      for (Entity e : ENTITIES) {
        var current = new HashSet<>(LakeReads.currentFiles(lake.table(e)));
        try (Stream<Path> files =
            Files.walk(warehouse.resolve("lake/entra/" + e.name() + "/data"))) {
          assertThat(files.filter(Files::isRegularFile).map(Path::toString))
              .as(e.name() + ": every data file is the current snapshot's")
              .allMatch(current::contains);
        }
        assertThat(lake.table(e).snapshots()).as(e.name() + ": one commit for the load").hasSize(1);
      }
    }
  }
}
