package io.entrawarehouse.write.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrawarehouse.process.WarehouseRowProcessor;
import io.entrawarehouse.warehouse.Entities;
import io.entrawarehouse.warehouse.Entity;
import io.entrawarehouse.write.parquet.ParquetFiles;
import io.entrawarehouse.write.parquet.Staging;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DuckDbLoader} on its own: a refresh changes a hidden copy, and only its finish makes the
 * change visible, all of it at once; a tenant's slice replaces that tenant's rows only; a reader
 * with the file open keeps reading what it opened.
 */
class DuckDbLoaderTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Entity USERS = Entities.USERS;

  @TempDir Path dir;
  Staging staging;
  DuckDbLoader loader;
  Path file;

  @BeforeEach
  void open() {
    staging = new Staging(dir.resolve("staging"), ParquetFiles.configuration());
    file = dir.resolve("warehouse").resolve("entra.duckdb");
    loader = new DuckDbLoader(file, Duration.ofSeconds(5));
  }

  /** A tenant's users as one staged Parquet part: id → display name. */
  private DuckDbLoader.Slice slice(String tenant, long load, Map<String, String> users)
      throws Exception {
    WarehouseRowProcessor processor =
        new WarehouseRowProcessor(
            USERS, tenant, load, Instant.parse("2026-11-25T03:00:00Z"), false);
    List<GenericRecord> rows = new ArrayList<>();
    for (Map.Entry<String, String> u : users.entrySet()) {
      rows.add(
          processor.process(
              JSON.createObjectNode().put("id", u.getKey()).put("displayName", u.getValue())));
    }
    staging.writePart(USERS, USERS.avroSchema(), load, tenant + "-" + load, 0, rows);
    List<Path> parts =
        staging.stagedParts(USERS, load).stream()
            .filter(p -> p.toString().contains(tenant + "-" + load))
            .toList();
    return new DuckDbLoader.Slice(USERS, tenant, null, null, parts, load, rows.size());
  }

  private void refresh(DuckDbLoader.Slice... slices) {
    try (DuckDbRefresh refresh = loader.open(false)) {
      for (DuckDbLoader.Slice s : slices) {
        refresh.apply(s);
      }
      refresh.finish();
    }
  }

  /** tenant/id → display name, as a new connection to the file reads them. */
  private Map<String, String> users() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file)) {
      return users(c);
    }
  }

  private static Map<String, String> users(Connection c) throws Exception {
    Map<String, String> out = new TreeMap<>();
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT tenant_id, id, display_name FROM users")) {
      while (r.next()) {
        out.put(r.getString(1) + "/" + r.getString(2), r.getString(3));
      }
    }
    return out;
  }

  @Test
  void aTenantsSliceReplacesThatTenantsRowsOnlyAndIsRecordedWithItsLoad() throws Exception {
    refresh(
        slice("t1", 1, Map.of("a", "Adele", "b", "Bob")), slice("t2", 2, Map.of("x", "Xavier")));
    refresh(slice("t1", 3, Map.of("b", "Bob B.", "c", "Cleo")));

    assertThat(users()).isEqualTo(Map.of("t1/b", "Bob B.", "t1/c", "Cleo", "t2/x", "Xavier"));
    assertThat(loader.loads(3, "t1")).isEqualTo(Map.of("users", new DuckDbLoader.Loaded(2, 2)));
    assertThat(loader.loads(2, "t2")).isEqualTo(Map.of("users", new DuckDbLoader.Loaded(1, 1)));
  }

  @Test
  void nothingIsVisibleBeforeTheFinishAndARefreshClosedWithoutOneChangesNothing() throws Exception {
    refresh(slice("t1", 1, Map.of("a", "Adele")));
    byte[] before = Files.readAllBytes(file);

    try (DuckDbRefresh refresh = loader.open(false)) {
      refresh.apply(slice("t1", 2, Map.of("a", "Adele V.", "b", "Bob")));
      assertThat(users()).as("during the refresh").isEqualTo(Map.of("t1/a", "Adele"));
      // closed without finish: a failure part way
    }

    assertThat(users()).isEqualTo(Map.of("t1/a", "Adele"));
    assertThat(Files.readAllBytes(file)).isEqualTo(before);
    assertThat(Files.list(file.getParent()).map(p -> p.getFileName().toString()))
        .as("no copy left behind")
        .noneMatch(name -> name.contains(".swap"));
  }

  @Test
  void aRefreshSwapsInWhileAReaderHoldsTheFileWhichKeepsReadingWhatItOpened() throws Exception {
    refresh(slice("t1", 1, Map.of("a", "Adele")));
    try (Connection reader =
        DriverManager.getConnection("jdbc:duckdb:" + file, DuckDbLoaderTest.readOnly())) {
      assertThat(users(reader)).isEqualTo(Map.of("t1/a", "Adele"));

      refresh(slice("t1", 2, Map.of("b", "Bob")));

      assertThat(users(reader)).as("the open reader").isEqualTo(Map.of("t1/a", "Adele"));
    }
    // (one JVM shares a database between its connections: a new one is opened once the old closes)
    assertThat(users()).as("a new reader").isEqualTo(Map.of("t1/b", "Bob"));
  }

  private static Properties readOnly() {
    Properties p = new Properties();
    p.setProperty("duckdb.read_only", "true");
    return p;
  }
}
