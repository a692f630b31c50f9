package io.entrawarehouse.write.duckdb;

import io.entrawarehouse.warehouse.Entity;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The analysts' DuckDB file, filled from the lake: each refresh replaces, per table, one slice (a
 * tenant's rows, or for a log the tenant's events in a time window) with the same slice of the
 * lake's current snapshot, read from its Parquet files by DuckDB's own {@code read_parquet}. DuckDB
 * and the lake then hold the same rows, in the same versions.
 *
 * <p>Analysts' sessions are never blocked and never see half a load: a refresh works on a copy of
 * the file and renames it over the original (an atomic rename). A session open on the original
 * keeps reading the state it opened until it reconnects. A process that holds the file for writing
 * is waited for, up to a set time; then {@link Busy} names it. Each load is recorded in {@code
 * _loads}. Thread-safe: refreshes run one at a time.
 */
public final class DuckDbLoader {

  private static final Logger log = LoggerFactory.getLogger(DuckDbLoader.class);

  private final Path file;
  private final Duration writerWait;

  public DuckDbLoader(Path file, Duration writerWait) {
    this(file, writerWait, DEFAULT_MEMORY);
  }

  /**
   * @param memoryLimit DuckDB's memory_limit for the load's connections ("256MB"): what it keeps in
   *     memory before it spills to disk (DuckDB's own default is 80% of the machine's memory)
   */
  public DuckDbLoader(Path file, Duration writerWait, String memoryLimit) {
    this.file = file.toAbsolutePath();
    this.writerWait = writerWait;
    this.memoryLimit = memoryLimit;
  }

  /** The memory_limit of the load's DuckDB connections unless configured. */
  public static final String DEFAULT_MEMORY = "128MB";

  private final String memoryLimit;

  /** The settings of a connection the load opens: its memory limit, read-only or not. */
  Properties settings(boolean readOnly) {
    Properties p = new Properties();
    p.setProperty("memory_limit", memoryLimit);
    // One thread: a load's DuckDB work is copying Parquet files into tables, and each thread
    // holds buffers of its own (55 MB of the job's peak RSS at medium with two).
    p.setProperty("threads", "1");
    if (!readOnly) {
      // A load commits a batch of rows at a time (see apply): checkpointing after every 16 MB of
      // log, DuckDB's default, cost more than the inserts; the copy is checkpointed once at the
      // end.
      p.setProperty("checkpoint_threshold", "1GB");
    }
    if (readOnly) {
      p.setProperty("duckdb.read_only", "true");
    }
    return p;
  }

  public Path file() {
    return file;
  }

  /** Another process holds the DuckDB file for writing, for longer than the refresh waits. */
  public static final class Busy extends RuntimeException {
    public Busy(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** What one load did to one table. {@code rowsLoaded} is -1 when it was not recorded. */
  public record Loaded(long rowsLoaded, long tableRows) {}

  /**
   * One table's slice to take from the lake: a tenant's rows; for a log, those with an event time
   * in [{@code from}, {@code until}) or none (null bounds: the tenant's whole table).
   *
   * @param files local paths of the lake's current files that may hold the slice's rows
   * @param loadId the load this refresh records, with the rows it loaded
   */
  public record Slice(
      Entity entity,
      String tenantId,
      Instant from,
      Instant until,
      List<Path> files,
      long loadId,
      long rowsLoaded) {}

  /** The DDL the product ships in sql/ for its own tables (_loads); entities make their own. */
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

  /**
   * Loads DuckDB's native library in the background: the first connection in a process unpacks and
   * links it (a quarter of a second here), which a load can spend while its first pages are fetched
   * instead of when its first table is staged.
   */
  public static void preload() {
    Thread t =
        new Thread(
            () -> {
              try (Connection c = DuckDb.connect("jdbc:duckdb:", new Properties())) {
                // Opened and closed: the library stays loaded.
              } catch (SQLException e) {
                log.debug("Preloading DuckDB failed (the first real use will say why): {}", e);
              }
            },
            "duckdb-preload");
    t.setDaemon(true);
    t.start();
  }

  /** A refresh's failure, saying which file: an I/O error stays one. */
  static RuntimeException refreshFailed(Path file, Exception e) {
    String message = "Refreshing " + file + " from the lake failed: " + e.getMessage();
    return e instanceof IOException io
        ? new UncheckedIOException(message, io)
        : new IllegalStateException(message, e);
  }

  /** A read-only connection, as analysts open it: it never blocks them nor they it. */
  public Connection read() throws SQLException {
    return DuckDb.connect("jdbc:duckdb:" + file, settings(true));
  }

  /**
   * What a load did to each table it loaded for a tenant, by table name; empty when the file or its
   * record is missing, or the file cannot be read.
   */
  public Map<String, Loaded> loads(long loadId, String tenantId) throws SQLException {
    Map<String, Loaded> loads = new TreeMap<>();
    if (waitForWriters() != null) {
      return loads; // missing or unreadable: it records nothing
    }
    try (Connection c = read()) {
      if (!hasTable(c, "_loads")) {
        return loads;
      }
      boolean old = hasColumn(c, "_loads", "row_count");
      try (PreparedStatement q =
          c.prepareStatement(
              old
                  ? "SELECT table_name, -1, row_count FROM _loads WHERE load_id = ? AND tenant_id = ?"
                  : "SELECT table_name, rows_loaded, table_rows FROM _loads"
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

  /**
   * What a load changed in each history table it wrote: table → {created, updated, deleted}
   * versions, from the versions that load wrote (whatever execution committed them).
   */
  public Map<String, long[]> historyCounts(long loadId, String tenantId, List<String> histories)
      throws SQLException {
    Map<String, long[]> counts = new LinkedHashMap<>();
    if (waitForWriters() != null) {
      return counts;
    }
    try (Connection c = read()) {
      for (String table : histories) {
        if (!hasTable(c, table)) {
          continue;
        }
        try (PreparedStatement q =
            c.prepareStatement(
                "SELECT count(*) FILTER (change_kind = 'created'),"
                    + " count(*) FILTER (change_kind = 'updated'),"
                    + " count(*) FILTER (change_kind = 'deleted') FROM "
                    + table
                    + " WHERE load_id = ? AND tenant_id = ?")) {
          q.setLong(1, loadId);
          q.setString(2, tenantId);
          try (ResultSet r = q.executeQuery()) {
            r.next();
            counts.put(table, new long[] {r.getLong(1), r.getLong(2), r.getLong(3)});
          }
        }
      }
    }
    return counts;
  }

  /**
   * Builds the file anew from slices: a copy that starts empty, swapped in, so the result holds the
   * slices and nothing else (a rebuild from the lake).
   */
  public void rebuild(List<Slice> slices) {
    try (DuckDbRefresh session = open(true)) {
      for (Slice slice : slices) {
        session.apply(slice);
      }
      session.finish();
    }
  }

  /**
   * Starts changing the file: waits for writers ({@link Busy}), then copies the file to a hidden
   * swap file that slices are applied to; nothing is visible until {@link DuckDbRefresh#finish()}
   * renames it over the file. Close the session in every case: unfinished, it discards the copy.
   */
  public DuckDbRefresh open(boolean fresh) {
    Path swap = file.resolveSibling("." + file.getFileName() + ".swap");
    try {
      Files.createDirectories(file.getParent());
      Files.deleteIfExists(swap);
      Files.deleteIfExists(swap.resolveSibling(swap.getFileName() + ".wal"));
      String unusable = waitForWriters();
      long started = System.nanoTime();
      long copied = 0;
      if (unusable == null && !fresh) {
        Files.copy(file, swap, StandardCopyOption.REPLACE_EXISTING);
        copied = Files.size(swap);
      }
      DuckDbRefresh session =
          new DuckDbRefresh(
              this, swap, copied, System.nanoTime() - started, fresh ? null : unusable);
      loadsTable(session.connection());
      return session;
    } catch (SQLException | IOException e) {
      throw refreshFailed(file, e);
    }
  }

  /**
   * Waits while another process holds the file for writing (a read-only open fails then), and
   * replays a write-ahead log such a process left; throws {@link Busy} after {@code writerWait}.
   * Returns at once when the file does not exist; null when it opens, else why it does not (a
   * truncated or overwritten file, one DuckDB cannot read).
   */
  public String waitForWriters() throws SQLException {
    if (!Files.exists(file)) {
      return file + " does not exist";
    }
    long deadline = System.nanoTime() + writerWait.toNanos();
    Path wal = file.resolveSibling(file.getFileName() + ".wal");
    while (true) {
      try {
        if (Files.exists(wal)) {
          try (Connection c = DuckDb.connect("jdbc:duckdb:" + file, settings(false));
              Statement s = c.createStatement()) {
            s.execute("CHECKPOINT");
          }
        }
        try (Connection c = read()) {
          return null;
        }
      } catch (SQLException e) {
        if (!String.valueOf(e.getMessage()).contains("lock")) {
          return file + " cannot be read (" + e.getMessage().lines().findFirst().orElse("") + ")";
        }
        if (System.nanoTime() > deadline) {
          throw new Busy(
              "Another process holds "
                  + file
                  + " for writing ("
                  + e.getMessage().lines().findFirst().orElse("")
                  + "), for longer than entra.warehouse.duckdb-wait ("
                  + writerWait
                  + "): close that session (analysts can open the file read-only, which never"
                  + " blocks a load), then run the same command again. The lake already holds"
                  + " this load.",
              e);
        }
        try {
          Thread.sleep(500);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  /** Creates {@code _loads}, or brings one written by an earlier version to today's columns. */
  static void loadsTable(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(ddl("_loads"));
      if (hasColumn(c, "_loads", "row_count")) {
        // row_count was the table's rows after the load; what the load wrote was not kept.
        s.execute("ALTER TABLE _loads RENAME COLUMN row_count TO table_rows");
        s.execute("ALTER TABLE _loads ADD COLUMN rows_loaded BIGINT");
      }
    }
  }

  static boolean hasTable(Connection c, String table) throws SQLException {
    try (PreparedStatement q =
        c.prepareStatement("SELECT count(*) FROM information_schema.tables WHERE table_name = ?")) {
      q.setString(1, table);
      try (ResultSet r = q.executeQuery()) {
        r.next();
        return r.getLong(1) > 0;
      }
    }
  }

  static boolean hasColumn(Connection c, String table, String column) throws SQLException {
    return columns(c, table).contains(column);
  }

  static Set<String> columns(Connection c, String table) throws SQLException {
    Set<String> columns = new HashSet<>();
    try (PreparedStatement q =
        c.prepareStatement(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ?")) {
      q.setString(1, table);
      try (ResultSet r = q.executeQuery()) {
        while (r.next()) {
          columns.add(r.getString(1));
        }
      }
    }
    return columns;
  }
}
