package io.entrawarehouse.write;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrawarehouse.job.JobRepositoryConfiguration;
import io.entrawarehouse.job.LakeReads;
import io.entrawarehouse.warehouse.Entities;
import io.entrawarehouse.warehouse.Entity;
import io.entrawarehouse.write.iceberg.IcebergLake;
import io.entrawarehouse.write.parquet.ParquetFiles;
import io.entrawarehouse.write.parquet.Staging;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The lake's commits against a real JDBC catalog (SQLite, as the default job repository): one
 * commit per load and table, found again rather than repeated, a tenant replaced without touching
 * another, log events kept once in their newest version, earlier states by time travel.
 */
class IcebergLakeTest {

  @TempDir Path dir;
  IcebergLake lake;
  Staging staging;

  @BeforeEach
  void open() throws Exception {
    Files.createDirectories(dir.resolve("warehouse"));
    lake = lake();
    staging =
        new Staging(
            dir.resolve("staging"), ParquetFiles.configuration(), e -> lake.parquetSchema(e));
  }

  private IcebergLake lake() {
    return new IcebergLake(
        dir.resolve("lake").toUri(),
        JobRepositoryConfiguration.defaultUrl(dir.resolve("warehouse")),
        null,
        null,
        Duration.ofDays(30),
        Map.of());
  }

  @AfterEach
  void close() {
    lake.close();
  }

  private static GenericRecord row(Entity e, String tenant, String id, long load, String name) {
    GenericRecord r = new GenericData.Record(e.avroSchema());
    r.put("tenant_id", tenant);
    r.put("id", id);
    if (e.isLog()) {
      // 2026-11-20T00:00:00Z plus a minute per id number
      r.put(
          "created_date_time",
          1_795_132_800_000_000L + Long.parseLong(id.replaceAll("\\D", "")) * 60_000_000L);
      r.put("app_display_name", name);
    } else {
      r.put("display_name", name);
    }
    r.put("load_id", load);
    r.put("loaded_at", 1_700_000_000_000_000L + load);
    return r;
  }

  private List<Path> stage(Entity e, String tenant, long load, int from, int to, String name) {
    List<GenericRecord> rows = new ArrayList<>();
    for (int i = from; i < to; i++) {
      rows.add(row(e, tenant, (e.isLog() ? "sign-in-" : "user-") + i, load, name));
    }
    staging.writePart(e, e.avroSchema(), load, e.isLog() ? "2026-11-20" : "2026-11-25", 0, rows);
    return staging.stagedParts(e, load);
  }

  private static IcebergLake.Load load(long id, String tenant, Entity e) {
    Instant from = Instant.parse("2026-11-20T00:00:00Z");
    return new IcebergLake.Load(
        id,
        "uid-" + id,
        tenant,
        LocalDate.parse("2026-11-25"),
        e.isLog() ? from : null,
        e.isLog() ? from.plus(Duration.ofDays(1)) : null);
  }

  /** Per id, the name each row carries (display name or app), for the table's current state. */
  private Map<String, String> names(Entity e, String tenant) throws Exception {
    Map<String, String> names = new TreeMap<>();
    for (Record r : LakeReads.rows(lake, e)) {
      if (tenant.equals(r.getField("tenant_id"))) {
        String previous =
            names.put(
                (String) r.getField("id"),
                (String) r.getField(e.isLog() ? "app_display_name" : "display_name"));
        assertThat(previous).as("id %s twice", r.getField("id")).isNull();
      }
    }
    return names;
  }

  @Test
  void aDirectoryLoadReplacesItsTenantOnlyOnceAndEarlierStatesStayReachable() throws Exception {
    Entity users = Entities.USERS;
    IcebergLake.Commit first =
        lake.commit(users, load(1, "t1", users), stage(users, "t1", 1, 0, 30, "one"));
    lake.commit(users, load(2, "t2", users), stage(users, "t2", 2, 0, 5, "other tenant"));
    List<Path> second = stage(users, "t1", 3, 10, 20, "three");

    IcebergLake.Commit committed = lake.commit(users, load(3, "t1", users), second);
    IcebergLake.Commit again = lake.commit(users, load(3, "t1", users), second);

    assertThat(committed.already()).isFalse();
    assertThat(committed.rowsLoaded()).isEqualTo(10);
    assertThat(again.already()).isTrue();
    assertThat(again.snapshotId()).isEqualTo(committed.snapshotId());
    assertThat(names(users, "t1"))
        .hasSize(10)
        .allSatisfy((id, name) -> assertThat(name).isEqualTo("three"));
    assertThat(names(users, "t2")).hasSize(5);
    Table table = lake.table(users);
    List<Record> before = LakeReads.rows(table, first.snapshotId());
    assertThat(before).hasSize(30).allMatch(r -> "one".equals(r.getField("display_name")));
    assertThat(IcebergLake.committed(table, "uid-3").summary())
        .containsEntry(IcebergLake.LOAD_ID, "3")
        .containsEntry(IcebergLake.TENANT, "t1")
        .containsEntry(IcebergLake.RUN_DATE, "2026-11-25")
        .containsEntry(IcebergLake.ROWS_LOADED, "10");
    assertThat(lake.maxLoadId(List.of(users))).isEqualTo(3);
    // Readers without the catalog find the current metadata through the version hint.
    String hint =
        Files.readString(dir.resolve("lake/entra/users/metadata/version-hint.text")).strip();
    assertThat(dir.resolve("lake/entra/users/metadata/" + hint + ".metadata.json")).exists();
  }

  @ParameterizedTest(name = "ids compared {0} at a time")
  @ValueSource(longs = {100_000, 7})
  void logEventsReadAgainReplaceTheirEarlierVersionsInTheSameCommit(long bucketRows)
      throws Exception {
    lake.withBucketRows(bucketRows); // 7: the ids are compared in 36 buckets spilled to disk
    Entity signIns = Entities.SIGN_INS;
    lake.commit(signIns, load(1, "t1", signIns), stage(signIns, "t1", 1, 0, 100, "old"));

    lake.commit(signIns, load(2, "t1", signIns), stage(signIns, "t1", 2, 50, 150, "new"));

    Map<String, String> names = names(signIns, "t1");
    assertThat(names).hasSize(150);
    assertThat(names.values().stream().filter("new"::equals).count()).isEqualTo(100);
    assertThat(names).containsEntry("sign-in-49", "old").containsEntry("sign-in-50", "new");
    // A load that reads everything again leaves only its files.
    lake.commit(signIns, load(3, "t1", signIns), stage(signIns, "t1", 3, 0, 150, "newest"));
    assertThat(names(signIns, "t1"))
        .hasSize(150)
        .containsValue("newest")
        .doesNotContainValue("new");
    assertThat(LakeReads.currentFiles(lake.table(signIns))).hasSize(1);
  }

  @Test
  void aLostCatalogIsRebuiltFromTheLakesMetadataAndNothingIsOverwritten() throws Exception {
    Entity users = Entities.USERS;
    lake.commit(users, load(1, "t1", users), stage(users, "t1", 1, 0, 30, "one"));
    lake.close();
    Files.delete(dir.resolve("warehouse/job-repository.sqlite"));

    lake = lake();
    assertThat(lake.maxLoadId(List.of(users))).as("from the lake's own metadata").isEqualTo(1);
    assertThat(names(users, "t1")).hasSize(30);
    lake.commit(users, load(2, "t2", users), stage(users, "t2", 2, 0, 5, "two"));
    assertThat(names(users, "t1")).hasSize(30);
    assertThat(names(users, "t2")).hasSize(5);
  }

  @Test
  void aColumnAddedToAnEntityIsAddedToItsTableAndOldRowsReadItAsNull() throws Exception {
    Entity full = Entities.USERS;
    Entity narrow =
        full.withColumns(full.columns().subList(0, 3)); // id, user_principal_name, display_name
    lake.commit(narrow, load(1, "t1", narrow), stage(narrow, "t1", 1, 0, 5, "narrow"));
    assertThat(lake.table(narrow).schema().findField("surname")).isNull();

    List<GenericRecord> rows = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      GenericRecord r = row(full, "t2", "user-" + i, 2, "full");
      r.put("surname", "Surname " + i);
      rows.add(r);
    }
    staging.writePart(full, full.avroSchema(), 2, "2026-11-25", 0, rows);
    lake.commit(full, load(2, "t2", full), staging.stagedParts(full, 2));

    Table table = lake.table(full);
    assertThat(table.schema().findField("surname")).isNotNull();
    List<Record> all = LakeReads.rows(table, null);
    assertThat(all).hasSize(8);
    assertThat(all)
        .filteredOn(r -> "t1".equals(r.getField("tenant_id")))
        .allMatch(r -> r.getField("surname") == null);
    assertThat(all)
        .filteredOn(r -> "t2".equals(r.getField("tenant_id")))
        .extracting(r -> r.getField("surname"))
        .containsExactlyInAnyOrder("Surname 0", "Surname 1", "Surname 2");
  }

  @Test
  void snapshotsPastTheRetentionExpireWithTheFilesOnlyTheyUsed() throws Exception {
    lake.close();
    lake =
        new IcebergLake(
            dir.resolve("lake").toUri(),
            JobRepositoryConfiguration.defaultUrl(dir.resolve("warehouse")),
            null,
            null,
            Duration.ZERO,
            Map.of());
    Entity users = Entities.USERS;
    lake.commit(users, load(1, "t1", users), stage(users, "t1", 1, 0, 30, "one"));
    String firstFile = LakeReads.currentFiles(lake.table(users)).get(0);
    lake.commit(users, load(2, "t1", users), stage(users, "t1", 2, 0, 30, "two"));
    String secondFile = LakeReads.currentFiles(lake.table(users)).get(0);

    lake.commit(users, load(3, "t1", users), stage(users, "t1", 3, 0, 30, "three"));

    // Iceberg removes a data file once the snapshot that removed it has expired: the first load's
    // file went with the second snapshot; the second's stays until the third snapshot expires.
    Table table = lake.table(users);
    assertThat(table.snapshots()).hasSize(1);
    assertThat(Path.of(firstFile)).doesNotExist();
    assertThat(Path.of(secondFile)).exists();
    assertThat(names(users, "t1"))
        .hasSize(30)
        .allSatisfy((id, name) -> assertThat(name).isEqualTo("three"));
  }

  @Test
  void aPartOnTheLakesFileSystemIsLinkedNotCopiedAndRestagingLeavesTheLakeAlone() throws Exception {
    Entity users = Entities.USERS;
    List<Path> parts = stage(users, "t1", 1, 0, 30, "one");
    lake.commit(users, load(1, "t1", users), parts);
    List<String> files = LakeReads.currentFiles(lake.table(users));
    assertThat(files).hasSize(1);
    Path inLake = Path.of(files.get(0));
    assertThat(Files.isSameFile(inLake, parts.get(0))).as("hard-linked").isTrue();
    // The same chunk staged again (a replayed chunk) is a new file: the lake's is unchanged.
    stage(users, "t1", 1, 0, 30, "two");
    assertThat(Files.isSameFile(inLake, parts.get(0))).isFalse();
    assertThat(names(users, "t1"))
        .hasSize(30)
        .allSatisfy((id, name) -> assertThat(name).isEqualTo("one"));
    staging.discard(1);
    assertThat(names(users, "t1")).hasSize(30);
  }

  @Test
  void processesOpeningANewCatalogAtOnceAllOpenIt() throws Exception {
    // Each opener checks the catalog's tables and adds the columns it lacks; on a new database
    // they race to add them, which once failed a worker with "Cannot check and eventually update
    // SQL schema".
    for (int round = 0; round < 8; round++) {
      Path warehouse = dir.resolve("race-" + round);
      Files.createDirectories(warehouse);
      int openers = 4;
      CyclicBarrier start = new CyclicBarrier(openers);
      ExecutorService pool = Executors.newFixedThreadPool(openers);
      try {
        List<Future<?>> opened = new ArrayList<>();
        for (int i = 0; i < openers; i++) {
          opened.add(
              pool.submit(
                  () -> {
                    start.await();
                    try (IcebergLake l =
                        new IcebergLake(
                            warehouse.resolve("lake").toUri(),
                            JobRepositoryConfiguration.defaultUrl(warehouse),
                            null,
                            null,
                            Duration.ofDays(30),
                            Map.of())) {
                      return l.location();
                    }
                  }));
        }
        for (Future<?> f : opened) {
          assertThat(f.get(60, TimeUnit.SECONDS)).isNotNull();
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }
}
