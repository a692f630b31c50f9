package io.entrawarehouse.write.duckdb;

import io.entrawarehouse.warehouse.Entity;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads an entity's Parquet parts into the DuckDB file in one transaction, with DuckDB's own {@code
 * read_parquet} (JDBC batch inserts are 50–100x slower, NOTES.md).
 *
 * <p>Directory entities hold current state: the tenant's rows are replaced. Logs are appended,
 * skipping ids the table already has. Rows are deduplicated by their id columns either way, so a
 * replayed load or a stream re-read after an expired link changes nothing. Each load is recorded in
 * {@code _loads}. The write connection is held only while loading. Thread-safe: loads run one at a
 * time (DuckDB lets one process, one database instance write a file), each on its own connection.
 */
public final class DuckDbLoader {

  private static final Logger log = LoggerFactory.getLogger(DuckDbLoader.class);

  private final Path file;

  public DuckDbLoader(Path file) {
    this.file = file;
  }

  public Path file() {
    return file;
  }

  /** The DDL the product ships in sql/ for a table. */
  public static String ddl(String table) {
    try (InputStream in = DuckDbLoader.class.getResourceAsStream("/sql/" + table + ".sql")) {
      if (in == null) {
        throw new IllegalStateException("missing sql/" + table + ".sql in the build");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Opens the file for writing, naming the process that holds it when it is locked. */
  public Connection connect() throws SQLException {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot create " + file.getParent() + ": " + e.getMessage(), e);
    }
    try {
      return DriverManager.getConnection("jdbc:duckdb:" + file.toAbsolutePath());
    } catch (SQLException e) {
      if (String.valueOf(e.getMessage()).contains("lock")) {
        throw new SQLException(
            "The warehouse "
                + file
                + " is open in another process: "
                + e.getMessage()
                + " Close that session (analysts can open it read-only) and run again.",
            e);
      }
      throw e;
    }
  }

  /** What one load did to one table. */
  public record Loaded(long rowsLoaded, long tableRows) {}

  /** Creates {@code _loads}, or brings one written by an earlier version to today's columns. */
  private static void loadsTable(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(ddl("_loads"));
      try (ResultSet r =
          s.executeQuery(
              "SELECT count(*) FROM information_schema.columns"
                  + " WHERE table_name = '_loads' AND column_name = 'row_count'")) {
        r.next();
        if (r.getLong(1) > 0) {
          // row_count was the table's rows after the load; what the load wrote was not kept.
          s.execute("ALTER TABLE _loads RENAME COLUMN row_count TO table_rows");
          s.execute("ALTER TABLE _loads ADD COLUMN rows_loaded BIGINT");
        }
      }
    }
  }

  /**
   * What a load did to each table it loaded for a tenant, by table name; empty when the file or its
   * record is missing. Opens the file only if it exists.
   */
  public java.util.Map<String, Loaded> loads(long loadId, String tenantId) throws SQLException {
    java.util.Map<String, Loaded> loads = new java.util.TreeMap<>();
    if (!Files.exists(file)) {
      return loads;
    }
    try (Connection c = connect()) {
      loadsTable(c);
      try (PreparedStatement q =
          c.prepareStatement(
              "SELECT table_name, rows_loaded, table_rows FROM _loads"
                  + " WHERE load_id = ? AND tenant_id = ?")) {
        q.setLong(1, loadId);
        q.setString(2, tenantId);
        try (ResultSet r = q.executeQuery()) {
          while (r.next()) {
            long loaded = r.getLong(2);
            loads.put(r.getString(1), new Loaded(r.wasNull() ? -1 : loaded, r.getLong(3)));
          }
        }
      }
    }
    return loads;
  }

  /** Loads a table's parts for a tenant in one transaction and records the load. */
  public synchronized Loaded load(Entity entity, String tenantId, long loadId, List<Path> parts) {
    String table = entity.name();
    String keys = String.join(", ", entity.idColumns());
    String columns = String.join(", ", entity.allColumns());
    try (Connection c = connect()) {
      try (Statement s = c.createStatement()) {
        s.execute(ddl(table));
      }
      loadsTable(c);
      c.setAutoCommit(false);
      long rowsLoaded = 0;
      try {
        if (!entity.isLog()) {
          try (PreparedStatement delete =
              c.prepareStatement("DELETE FROM " + table + " WHERE tenant_id = ?")) {
            delete.setString(1, tenantId);
            delete.executeUpdate();
          }
        }
        if (!parts.isEmpty()) {
          String files =
              parts.stream()
                  .map(p -> "'" + p.toAbsolutePath().toString().replace("'", "''") + "'")
                  .collect(Collectors.joining(", "));
          String fresh =
              entity.isLog()
                  ? " WHERE NOT EXISTS (SELECT 1 FROM "
                      + table
                      + " t WHERE t.tenant_id = p.tenant_id AND "
                      + entity.idColumns().stream()
                          .map(k -> "t." + k + " = p." + k)
                          .collect(Collectors.joining(" AND "))
                      + ")"
                  : "";
          try (Statement s = c.createStatement()) {
            // Deduplicating costs a window over every row (a third of the insert for sign-ins);
            // counting distinct ids first costs a few ms, and most loads have no duplicate.
            long duplicates;
            try (ResultSet r =
                s.executeQuery(
                    "SELECT count(*), count(DISTINCT ("
                        + keys
                        + ")) FROM read_parquet(["
                        + files
                        + "])")) {
              r.next();
              rowsLoaded = r.getLong(2);
              duplicates = r.getLong(1) - rowsLoaded;
            }
            s.execute(
                "INSERT INTO "
                    + table
                    + " ("
                    + columns
                    + ") SELECT "
                    + columns
                    + " FROM read_parquet(["
                    + files
                    + "]) p"
                    + fresh
                    + (duplicates == 0
                        ? ""
                        : " QUALIFY row_number() OVER (PARTITION BY "
                            + keys
                            + " ORDER BY load_id DESC) = 1"));
          }
        }
        long rows;
        try (PreparedStatement count =
            c.prepareStatement("SELECT count(*) FROM " + table + " WHERE tenant_id = ?")) {
          count.setString(1, tenantId);
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
          record.setLong(1, loadId);
          record.setString(2, table);
          record.setString(3, tenantId);
          record.setLong(4, rowsLoaded);
          record.setLong(5, rows);
          record.executeUpdate();
        }
        c.commit();
        log.debug("{}: loaded {} parts, {} rows for the tenant", table, parts.size(), rows);
        return new Loaded(rowsLoaded, rows);
      } catch (SQLException | RuntimeException e) {
        // The failure is what the user must see; a rollback that fails too (the file is gone,
        // the disk is full) is only added to it.
        try {
          c.rollback();
        } catch (SQLException rollback) {
          e.addSuppressed(rollback);
        }
        throw e;
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          "Loading " + table + " into " + file + " failed: " + e.getMessage(), e);
    }
  }
}
