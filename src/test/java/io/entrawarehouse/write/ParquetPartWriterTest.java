package io.entrawarehouse.write;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrawarehouse.warehouse.Entities;
import io.entrawarehouse.warehouse.Entity;
import io.entrawarehouse.write.parquet.ParquetFiles;
import io.entrawarehouse.write.parquet.ParquetPartWriter;
import io.entrawarehouse.write.parquet.Staging;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ExecutionContext;

/**
 * Chunk numbering survives a restart, a replayed chunk rewrites its part, ids read twice are left
 * once, and log rows go to their UTC event day.
 */
class ParquetPartWriterTest {

  @TempDir Path dir;

  private static Chunk<GenericRecord> users(int from, int to) {
    Entity e = Entities.USERS;
    List<GenericRecord> rows = new ArrayList<>();
    for (int i = from; i < to; i++) {
      GenericRecord r = new GenericData.Record(e.avroSchema());
      r.put("tenant_id", "t1");
      r.put("id", "user-" + i);
      r.put("display_name", "User " + i);
      r.put("proxy_addresses", List.of("SMTP:u" + i + "@contoso.com"));
      r.put("load_id", 7L);
      r.put("loaded_at", 1_700_000_000_000_000L);
      rows.add(r);
    }
    return new Chunk<>(rows);
  }

  @Test
  void aReplayedChunkRewritesTheSamePartAndTheLoadHasNoDuplicate() throws Exception {
    Staging lake = new Staging(dir.resolve("staging"), ParquetFiles.configuration());
    LocalDate day = LocalDate.parse("2026-11-20");
    ParquetPartWriter writer = new ParquetPartWriter(Entities.USERS, lake, () -> 7L, day);
    ExecutionContext context = new ExecutionContext();
    writer.open(context);
    writer.write(users(0, 10));
    writer.update(context); // chunk 0 committed
    writer.write(users(10, 20)); // chunk 1 written, then the process dies before the commit
    writer.close();
    assertThat(lake.stagedParts(Entities.USERS, 7)).hasSize(2);

    ParquetPartWriter restarted = new ParquetPartWriter(Entities.USERS, lake, () -> 7L, day);
    restarted.open(context);
    restarted.write(users(10, 20)); // the replay gets number 1 again
    restarted.update(context);
    restarted.write(users(20, 25));

    List<Path> parts = lake.stagedParts(Entities.USERS, 7);
    assertThat(parts).hasSize(3);
    assertThat(parts.get(0).toString()).endsWith("load_date=2026-11-20/part-7-000000.parquet");

    assertThat(lake.deduplicate(Entities.USERS, parts)).isZero();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        ResultSet r =
            c.createStatement()
                .executeQuery(
                    "SELECT count(*), count(DISTINCT id), min(proxy_addresses[1]) FROM read_parquet('"
                        + dir.resolve("staging")
                        + "/**/*.parquet', hive_partitioning = false)")) {
      r.next();
      assertThat(r.getLong(1)).isEqualTo(25);
      assertThat(r.getLong(2)).isEqualTo(25);
      assertThat(r.getString(3)).startsWith("SMTP:u");
      // Arrays are standard three-level Parquet LISTs (…/list/element), not Avro's legacy form.
      ResultSet schema =
          c.createStatement()
              .executeQuery(
                  "SELECT list_sort(list(name)) FROM parquet_schema('"
                      + parts.get(0)
                      + "') WHERE name IN ('list', 'element', 'array')");
      schema.next();
      assertThat(schema.getString(1)).contains("element").contains("list").doesNotContain("array");
    }
  }

  @ParameterizedTest(name = "ids compared {0} at a time")
  @ValueSource(longs = {100_000, 4})
  void idsReadTwiceAreLeftOnceInTheirLastRead(long bucketRows) throws Exception {
    // A stream restarted from its first page reads some users twice; with 4 ids a bucket they are
    // compared in 15 buckets spilled to disk.
    Staging lake =
        new Staging(dir.resolve("staging"), ParquetFiles.configuration())
            .withBucketRows(bucketRows);
    lake.writePart(
        Entities.USERS, Entities.USERS.avroSchema(), 7, "2026-11-20", 0, users(0, 30).getItems());
    List<GenericRecord> again = new ArrayList<>(users(20, 50).getItems());
    again.forEach(r -> r.put("display_name", "Again " + r.get("id")));
    lake.writePart(Entities.USERS, Entities.USERS.avroSchema(), 7, "2026-11-20", 1, again);
    List<Path> parts = lake.stagedParts(Entities.USERS, 7);

    assertThat(lake.deduplicate(Entities.USERS, parts)).isEqualTo(10);
    assertThat(lake.deduplicate(Entities.USERS, parts)).as("idempotent").isZero();

    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        ResultSet r =
            c.createStatement()
                .executeQuery(
                    "SELECT count(*), count(DISTINCT id), count(*) FILTER (WHERE display_name LIKE"
                        + " 'Again%') FROM read_parquet('"
                        + dir.resolve("staging")
                        + "/**/*.parquet', hive_partitioning = false)")) {
      r.next();
      assertThat(r.getLong(1)).isEqualTo(50);
      assertThat(r.getLong(2)).isEqualTo(50);
      assertThat(r.getLong(3)).as("the later read is kept").isEqualTo(30);
    }
  }

  @Test
  void logRowsArePartitionedByTheirUtcEventDate() throws Exception {
    Staging lake = new Staging(dir.resolve("staging"), ParquetFiles.configuration());
    Entity e = Entities.SIGN_INS;
    // Newest first, as Graph returns sign-ins: 1 minute after midnight on 2026-11-20, midnight
    // exactly, 1 µs before it, 1 µs before the midnight a day earlier, and one without a time.
    long midnight = 1_795_132_800_000_000L; // 2026-11-20T00:00:00Z
    long[] times = {midnight + 60_000_000L, midnight, midnight - 1, midnight - 86_400_000_001L};
    List<GenericRecord> rows = new ArrayList<>();
    for (int i = 0; i < times.length + 1; i++) {
      GenericRecord r = signIns(i, i + 1, 1, "app").get(0);
      r.put("created_date_time", i < times.length ? times[i] : null);
      rows.add(r);
    }
    ParquetPartWriter writer =
        new ParquetPartWriter(e, lake, () -> 1L, LocalDate.parse("2026-11-25"));
    writer.open(new ExecutionContext());
    writer.write(new Chunk<>(rows));

    assertThat(lake.stagedParts(e, 1))
        .extracting(part -> part.getParent().getFileName().toString())
        .containsExactlyInAnyOrder(
            "event_date=2026-11-18",
            "event_date=2026-11-19",
            "event_date=2026-11-20",
            "event_date=unknown");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        ResultSet r =
            c.createStatement()
                .executeQuery(
                    "SELECT event_date, list_sort(list(id)) FROM read_parquet('"
                        + dir.resolve("staging")
                        + "/**/*.parquet', hive_partitioning = true)"
                        + " GROUP BY event_date ORDER BY event_date")) {
      List<String> byDate = new ArrayList<>();
      while (r.next()) {
        byDate.add(r.getString(1) + " " + r.getString(2));
      }
      assertThat(byDate)
          .containsExactly(
              "2026-11-18 [sign-in-3]",
              "2026-11-19 [sign-in-2]",
              "2026-11-20 [sign-in-0, sign-in-1]",
              "unknown [sign-in-4]");
    }
  }

  /** Sign-ins of one day, ids from..to-1, as a given load read them. */
  private static List<GenericRecord> signIns(int from, int to, long load, String app) {
    Entity e = Entities.SIGN_INS;
    List<GenericRecord> rows = new ArrayList<>();
    for (int i = from; i < to; i++) {
      GenericRecord r = new GenericData.Record(e.avroSchema());
      r.put("tenant_id", "t1");
      r.put("id", "sign-in-" + i);
      // 2025-11-20T00:00:00Z plus i minutes
      r.put("created_date_time", 1_763_596_800_000_000L + i * 60_000_000L);
      r.put("app_display_name", app);
      r.put("load_id", load);
      r.put("loaded_at", 1_700_000_000_000_000L + load);
      rows.add(r);
    }
    return rows;
  }
}
