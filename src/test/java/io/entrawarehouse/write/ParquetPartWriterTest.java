package io.entrawarehouse.write;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrawarehouse.warehouse.Entities;
import io.entrawarehouse.warehouse.Entity;
import io.entrawarehouse.write.duckdb.DuckDbLoader;
import io.entrawarehouse.write.parquet.Lake;
import io.entrawarehouse.write.parquet.ParquetPartWriter;
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
import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ExecutionContext;

/**
 * Chunk numbering survives a restart, a replayed chunk rewrites its part, and loads are idempotent.
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
    Lake lake = new Lake(dir.resolve("staging"), dir.resolve("lake").toUri());
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

    DuckDbLoader duckdb = new DuckDbLoader(dir.resolve("entra.duckdb"));
    assertThat(duckdb.load(Entities.USERS, "t1", 7, parts)).isEqualTo(25);
    assertThat(duckdb.load(Entities.USERS, "t1", 7, parts)).isEqualTo(25);
    assertThat(lake.publish(Entities.USERS, "t1", 7)).isEqualTo(3);
    assertThat(lake.publish(Entities.USERS, "t1", 7)).isEqualTo(3);
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("entra.duckdb"));
        ResultSet r =
            c.createStatement()
                .executeQuery(
                    "SELECT count(*), count(DISTINCT id), min(proxy_addresses[1]) FROM read_parquet('"
                        + dir.resolve("lake/users")
                        + "/**/*.parquet', hive_partitioning = true)")) {
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

  @Test
  void theDdlInSqlIsTheEntitysSchema() {
    for (Entity e : Entities.ALL.values()) {
      assertThat(DuckDbLoader.ddl(e.name()))
          .as("sql/" + e.name() + ".sql")
          .isEqualTo(e.duckdbDdl());
    }
  }
}
