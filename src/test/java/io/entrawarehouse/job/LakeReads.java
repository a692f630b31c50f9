package io.entrawarehouse.job;

import io.entrawarehouse.warehouse.Entity;
import io.entrawarehouse.write.iceberg.IcebergLake;
import io.entrawarehouse.write.iceberg.LakeFiles;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.assertj.core.api.Assertions;

/** Reading the lake in tests: through Iceberg's own reader, and as DuckDB reads its files. */
public final class LakeReads {

  private LakeReads() {}

  /** Every row of an entity's table in the current snapshot (or at a snapshot id, when given). */
  public static List<Record> rows(IcebergLake lake, Entity entity) throws Exception {
    return rows(lake.table(entity), null);
  }

  public static List<Record> rows(Table table, Long snapshotId) throws Exception {
    List<Record> rows = new ArrayList<>();
    IcebergGenerics.ScanBuilder scan = IcebergGenerics.read(table);
    if (snapshotId != null) {
      scan = scan.useSnapshot(snapshotId);
    }
    try (CloseableIterable<Record> records = scan.build()) {
      records.forEach(r -> rows.add(r.copy()));
    }
    return rows;
  }

  /** The data files of the current snapshot, as local paths (a {@code file:} lake). */
  public static List<String> currentFiles(Table table) throws Exception {
    List<String> files = new ArrayList<>();
    if (table.currentSnapshot() == null) {
      return files;
    }
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      for (FileScanTask t : tasks) {
        files.add(Path.of(URI.create(t.file().location())).toString());
      }
    }
    return files;
  }

  /**
   * A digest of every row and column but the load's own id and time, as DuckDB reads them: from a
   * table of the DuckDB file, or from a list of Parquet files.
   */
  public static String digest(Connection duckdb, String source) throws Exception {
    try (ResultSet r =
        duckdb
            .createStatement()
            .executeQuery(
                "SELECT count(*) || ':' || coalesce(md5(string_agg(CAST(t AS VARCHAR), '|'"
                    + " ORDER BY CAST(t AS VARCHAR))), '') FROM (SELECT * EXCLUDE (load_id,"
                    + " loaded_at) FROM "
                    + source
                    + ") t")) {
      r.next();
      return r.getString(1);
    }
  }

  /** DuckDB's read of a list of Parquet files, with the table's column order. */
  public static String parquet(Entity entity, List<String> files) {
    String select = LakeFiles.readParquet(entity, files);
    return select != null
        ? "(" + select + ")"
        : "(SELECT "
            + String.join(", ", entity.allColumns())
            + " FROM "
            + entity.name()
            + " WHERE false)";
  }

  /**
   * A digest of rows as Iceberg's reader returns them, every column but the load's own id and time,
   * independent of row order: two lakes loaded from one tenant give the same digest.
   */
  public static String digest(Entity entity, List<Record> rows) throws Exception {
    List<String> lines = new ArrayList<>();
    for (Record r : rows) {
      StringBuilder line = new StringBuilder();
      for (String c : entity.allColumns()) {
        if (!c.equals("load_id") && !c.equals("loaded_at")) {
          line.append(c).append('=').append(r.getField(c)).append('\u0001');
        }
      }
      lines.add(line.toString());
    }
    Collections.sort(lines);
    byte[] sha =
        MessageDigest.getInstance("SHA-256")
            .digest(String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
    return rows.size() + ":" + HexFormat.of().formatHex(sha);
  }

  /** Asserts the DuckDB file's table and the lake's current snapshot hold the same rows. */
  public static void assertDuckDbEqualsLake(Path duckdbFile, IcebergLake lake, Entity entity)
      throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + duckdbFile)) {
      String inDuckDb = digest(c, entity.name());
      String inLake = digest(c, parquet(entity, currentFiles(lake.table(entity))));
      Assertions.assertThat(inLake)
          .as(entity.name() + ": the lake's current snapshot against DuckDB")
          .isEqualTo(inDuckDb);
    }
  }
}
