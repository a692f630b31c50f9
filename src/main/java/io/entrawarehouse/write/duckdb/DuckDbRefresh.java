package io.entrawarehouse.write.duckdb;

import io.entrawarehouse.warehouse.Column;
import io.entrawarehouse.warehouse.Entity;
import io.entrawarehouse.warehouse.KillPoints;
import io.entrawarehouse.write.duckdb.DuckDbLoader.Loaded;
import io.entrawarehouse.write.duckdb.DuckDbLoader.Slice;
import io.entrawarehouse.write.parquet.ParquetFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.io.LocalInputFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A refresh in progress, on the hidden copy: slices are applied one at a time (thread-safe), and
 * {@link #finish()} swaps the copy in. Each slice gets a connection of its own, closed after it:
 * DuckDB keeps what a big insert allocated until its database closes (an open connection grew from
 * 282 to 364 MB over six inserts of 400,000 sign-ins; closed, it went back to 116 MB).
 */
public final class DuckDbRefresh implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DuckDbRefresh.class);

  private final DuckDbLoader loader;
  private final Path file;
  private final Path swap;
  private Connection connection;
  private final long copiedBytes;
  private final long copyNanos;
  private long applyNanos;
  private int applied;
  private boolean done;
  private String broken; // a table whose slice failed part way: the copy is never swapped in

  private final String startedEmpty;

  DuckDbRefresh(
      DuckDbLoader loader, Path swap, long copiedBytes, long copyNanos, String startedEmpty) {
    this.loader = loader;
    this.file = loader.file();
    this.swap = swap;
    this.copiedBytes = copiedBytes;
    this.copyNanos = copyNanos;
    this.startedEmpty = startedEmpty;
  }

  /**
   * Why a session meant to change the file started from an empty copy instead (the file is missing
   * or unreadable), or null: then only a rebuild of every table makes it whole.
   */
  public String startedEmpty() {
    return startedEmpty;
  }

  /** The copy's connection, opened when none is. */
  Connection connection() throws SQLException {
    if (connection == null || connection.isClosed()) {
      connection = DuckDb.connect("jdbc:duckdb:" + swap, loader.settings(false));
      try (Statement st = connection.createStatement()) {
        st.execute("SET TimeZone = 'UTC'");
      }
    }
    return connection;
  }

  /**
   * Replaces the slice with the lake's in the copy, a batch of files per transaction; a failure
   * part way keeps the copy from being swapped in.
   */
  public synchronized Loaded apply(Slice slice) {
    // A small table keeps the connection for the next one: opening the copy for each of a
    // load's 24 tables cost seconds; what a small insert allocates is small.
    long started = System.nanoTime();
    try {
      List<Long> sizes = slice.files().stream().map(DuckDbRefresh::bytes).toList();
      boolean small = sizes.stream().mapToLong(Long::longValue).sum() < KEEP_OPEN_BYTES;
      boolean done = false;
      try {
        Loaded loaded = apply(connection(), slice, sizes);
        done = true;
        return loaded;
      } finally {
        if (!done || !small) {
          connection.close();
        }
      }
    } catch (SQLException | RuntimeException e) {
      broken = slice.entity().name();
      throw new IllegalStateException(
          "Refreshing "
              + slice.entity().name()
              + " in "
              + file
              + " from the lake failed: "
              + e.getMessage(),
          e);
    } finally {
      applyNanos += System.nanoTime() - started;
      applied++;
    }
  }

  /** The tables the copy records for a load and tenant. */
  public synchronized Set<String> recorded(long loadId, String tenantId) throws SQLException {
    Set<String> tables = new HashSet<>();
    try (PreparedStatement q =
        connection()
            .prepareStatement(
                "SELECT table_name FROM _loads WHERE load_id = ? AND tenant_id = ?")) {
      q.setLong(1, loadId);
      q.setString(2, tenantId);
      try (ResultSet r = q.executeQuery()) {
        while (r.next()) {
          tables.add(r.getString(1));
        }
      }
    }
    return tables;
  }

  /** Writes the copy out and renames it over the file: readers who reconnect see it all. */
  public synchronized void finish() {
    if (broken != null) {
      log.warn(
          "DuckDB: not updated, {} failed part way; {} holds what it held before this run (the"
              + " lake holds this load: the next run or 'refresh' brings DuckDB up to it)",
          broken,
          file);
      close();
      return;
    }
    try {
      // The views' SQL comes from the class path, where a user may put files of their own.
      AnalystSql.lockDown(connection());
      Views.create(connection());
      try (Statement st = connection().createStatement()) {
        st.execute("CHECKPOINT");
      }
      connection.close();
      try (FileChannel ch = FileChannel.open(swap, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      KillPoints.reached("mid-duckdb"); // the new state written, not yet swapped in
      Files.move(swap, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      done = true;
      // The price of never blocking readers: copying the file before changing the copy.
      log.info(
          "DuckDB: {} tables from the lake in {} s, on a copy of {} MB made in {} s, swapped in",
          applied,
          String.format(Locale.ROOT, "%.1f", applyNanos / 1e9),
          copiedBytes / (1024 * 1024),
          String.format(Locale.ROOT, "%.1f", copyNanos / 1e9));
    } catch (SQLException | IOException e) {
      throw DuckDbLoader.refreshFailed(file, e);
    }
  }

  /** Discards the copy unless it was swapped in. */
  @Override
  public synchronized void close() {
    try {
      if (connection != null && !connection.isClosed()) {
        connection.close();
      }
    } catch (SQLException e) {
      log.debug("closing the DuckDB copy: {}", e.getMessage());
    }
    if (!done) {
      try {
        Files.deleteIfExists(swap);
        Files.deleteIfExists(swap.resolveSibling(swap.getFileName() + ".wal"));
      } catch (IOException e) {
        log.warn("Could not remove {}: {}", swap, e.getMessage());
      }
    }
  }

  private static Loaded apply(Connection c, Slice slice, List<Long> sizes) throws SQLException {
    Entity entity = slice.entity();
    String table = entity.name();
    try (Statement s = c.createStatement()) {
      s.execute(entity.duckdbDdl());
      // Columns added to the entity since the table was made (old rows read them as null).
      Set<String> have = DuckDbLoader.columns(c, table);
      for (Column col : entity.columns()) {
        if (!have.contains(col.name())) {
          s.execute(
              "ALTER TABLE " + table + " ADD COLUMN " + col.name() + " " + col.type().duckdb());
        }
      }
      if (!have.contains(Entity.RAW_JSON)) {
        s.execute("ALTER TABLE " + table + " ADD COLUMN " + Entity.RAW_JSON + " JSON");
      }
    }
    if (!entity.isLog() && entity.parent() == null) {
      // A directory object's raw_json is a large string of its own: DuckDB's dictionary analysis
      // held them all (100,000 users: 394 MB peak RSS, 255 MB without it, a 5% larger table).
      // Memberships and logs repeat their strings, and keep it (the closure is 2.3x smaller).
      try (Statement s = c.createStatement()) {
        s.execute("SET disabled_compression_methods = 'dictionary'");
      }
    } else {
      try (Statement s = c.createStatement()) {
        s.execute("RESET disabled_compression_methods");
      }
    }
    String where = predicate(slice);
    c.setAutoCommit(false);
    try {
      try (PreparedStatement delete =
          c.prepareStatement("DELETE FROM " + table + " WHERE " + where)) {
        delete.setString(1, slice.tenantId());
        delete.executeUpdate();
      }
      // Committed some 32 MB of rows at a time: DuckDB holds a transaction's inserted rows in
      // memory (2,400 files of 5,000 rows in one transaction: 538 MB peak RSS; by 100 files: 226
      // MB). The copy is the session's own, so readers see none of it before the swap.
      List<Path> batch = new ArrayList<>();
      long batchBytes = 0;
      for (int i = 0; i < slice.files().size(); i++) {
        batch.add(slice.files().get(i));
        batchBytes += sizes.get(i);
        if (batchBytes >= BYTES_PER_INSERT) {
          insert(c, slice, batch, where);
          c.commit();
          batch.clear();
          batchBytes = 0;
        }
      }
      if (!batch.isEmpty()) {
        insert(c, slice, batch, where);
      }
      long rows;
      try (PreparedStatement count =
          c.prepareStatement("SELECT count(*) FROM " + table + " WHERE tenant_id = ?")) {
        count.setString(1, slice.tenantId());
        try (ResultSet r = count.executeQuery()) {
          r.next();
          rows = r.getLong(1);
        }
      }
      try (PreparedStatement record =
          c.prepareStatement(
              "INSERT OR REPLACE INTO _loads"
                  + " (load_id, table_name, tenant_id, rows_loaded, table_rows, loaded_at)"
                  + " VALUES (?, ?, ?, ?, ?, now())")) {
        record.setLong(1, slice.loadId());
        record.setString(2, table);
        record.setString(3, slice.tenantId());
        record.setLong(4, slice.rowsLoaded());
        record.setLong(5, rows);
        record.executeUpdate();
      }
      c.commit();
      log.debug(
          "{}: {} files from the lake, {} rows for the tenant", table, slice.files().size(), rows);
      return new Loaded(slice.rowsLoaded(), rows);
    } catch (SQLException | RuntimeException e) {
      try {
        c.rollback();
      } catch (SQLException rollback) {
        e.addSuppressed(rollback);
      }
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  /**
   * A slice of fewer uncompressed bytes than this leaves its connection open for the next (medium's
   * 20,000 users with raw_json, kept open, took the job over 512 MB).
   */
  static final long KEEP_OPEN_BYTES = 4L * 1024 * 1024;

  /** The uncompressed bytes a slice inserts per statement and transaction, in whole files. */
  static final long BYTES_PER_INSERT = 32L * 1024 * 1024;

  /** A Parquet file's uncompressed size, from its footer. */
  private static long bytes(Path file) {
    try (ParquetFileReader footer = ParquetFiles.footer(new LocalInputFile(file))) {
      return footer.getRowGroups().stream().mapToLong(BlockMetaData::getTotalByteSize).sum();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static void insert(Connection c, Slice slice, List<Path> batch, String where)
      throws SQLException {
    Entity entity = slice.entity();
    String files =
        batch.stream()
            .map(p -> "'" + p.toAbsolutePath().toString().replace("'", "''") + "'")
            .collect(Collectors.joining(", "));
    String source =
        "read_parquet([" + files + "], hive_partitioning = false, union_by_name = true)";
    Set<String> present = new HashSet<>();
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery("DESCRIBE SELECT * FROM " + source)) {
      while (r.next()) {
        present.add(r.getString(1));
      }
    }
    String select =
        entity.allColumns().stream()
            .map(col -> present.contains(col) ? col : "NULL AS " + col)
            .collect(Collectors.joining(", "));
    try (PreparedStatement insert =
        c.prepareStatement(
            "INSERT INTO "
                + entity.name()
                + " ("
                + String.join(", ", entity.allColumns())
                + ") SELECT "
                + select
                + " FROM "
                + source
                + " WHERE "
                + where)) {
      insert.setString(1, slice.tenantId());
      insert.executeUpdate();
    }
  }

  /** The slice as SQL, with the tenant as its one parameter. */
  private static String predicate(Slice slice) {
    String tenant = Entity.TENANT + " = ?";
    if (!slice.entity().isLog() || slice.from() == null) {
      return tenant;
    }
    String time = slice.entity().timeColumn().name();
    return tenant
        + " AND (("
        + time
        + " >= TIMESTAMPTZ '"
        + slice.from()
        + "' AND "
        + time
        + " < TIMESTAMPTZ '"
        + slice.until()
        + "') OR "
        + time
        + " IS NULL)";
  }
}
