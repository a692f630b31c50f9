package io.entrawarehouse.write.duckdb;

import io.entrawarehouse.warehouse.Column;
import io.entrawarehouse.warehouse.Entity;
import io.entrawarehouse.warehouse.KillPoints;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.io.LocalInputFile;
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
  private Properties settings(boolean readOnly) {
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
              try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
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
  private static RuntimeException refreshFailed(Path file, Exception e) {
    String message = "Refreshing " + file + " from the lake failed: " + e.getMessage();
    return e instanceof IOException io
        ? new UncheckedIOException(message, io)
        : new IllegalStateException(message, e);
  }

  /** A read-only connection, as analysts open it: it never blocks them nor they it. */
  public Connection read() throws SQLException {
    return DriverManager.getConnection("jdbc:duckdb:" + file, settings(true));
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
    try (Session session = open(true)) {
      for (Slice slice : slices) {
        session.apply(slice);
      }
      session.finish();
    }
  }

  /**
   * Starts changing the file: waits for writers ({@link Busy}), then copies the file to a hidden
   * swap file that slices are applied to; nothing is visible until {@link Session#finish()} renames
   * it over the file. Close the session in every case: unfinished, it discards the copy.
   */
  public Session open(boolean fresh) {
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
      Session session =
          new Session(swap, copied, System.nanoTime() - started, fresh ? null : unusable);
      loadsTable(session.connection());
      return session;
    } catch (SQLException | IOException e) {
      throw refreshFailed(file, e);
    }
  }

  /**
   * A refresh in progress, on the hidden copy: slices are applied one at a time (thread-safe), and
   * {@link #finish()} swaps the copy in. Each slice gets a connection of its own, closed after it:
   * DuckDB keeps what a big insert allocated until its database closes (an open connection grew
   * from 282 to 364 MB over six inserts of 400,000 sign-ins; closed, it went back to 116 MB).
   */
  public final class Session implements AutoCloseable {
    private final Path swap;
    private Connection connection;
    private final long copiedBytes;
    private final long copyNanos;
    private long applyNanos;
    private int applied;
    private boolean done;
    private String broken; // a table whose slice failed part way: the copy is never swapped in

    private final String startedEmpty;

    private Session(Path swap, long copiedBytes, long copyNanos, String startedEmpty) {
      this.swap = swap;
      this.copiedBytes = copiedBytes;
      this.copyNanos = copyNanos;
      this.startedEmpty = startedEmpty;
    }

    /**
     * Why a session meant to change the file started from an empty copy instead (the file is
     * missing or unreadable), or null: then only a rebuild of every table makes it whole.
     */
    public String startedEmpty() {
      return startedEmpty;
    }

    /** The copy's connection, opened when none is. */
    private Connection connection() throws SQLException {
      if (connection == null || connection.isClosed()) {
        connection = DriverManager.getConnection("jdbc:duckdb:" + swap, settings(false));
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
        List<Long> sizes = slice.files().stream().map(DuckDbLoader::bytes).toList();
        boolean small = sizes.stream().mapToLong(Long::longValue).sum() < KEEP_OPEN_BYTES;
        boolean done = false;
        try {
          Loaded loaded = DuckDbLoader.apply(connection(), slice, sizes);
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
        throw refreshFailed(file, e);
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
          try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file, settings(false));
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

  private static Loaded apply(Connection c, Slice slice, List<Long> sizes) throws SQLException {
    Entity entity = slice.entity();
    String table = entity.name();
    try (Statement s = c.createStatement()) {
      s.execute(entity.duckdbDdl());
      // Columns added to the entity since the table was made (old rows read them as null).
      Set<String> have = columns(c, table);
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
    try (ParquetFileReader footer = ParquetFileReader.open(new LocalInputFile(file))) {
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

  /** Creates {@code _loads}, or brings one written by an earlier version to today's columns. */
  private static void loadsTable(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(ddl("_loads"));
      if (hasColumn(c, "_loads", "row_count")) {
        // row_count was the table's rows after the load; what the load wrote was not kept.
        s.execute("ALTER TABLE _loads RENAME COLUMN row_count TO table_rows");
        s.execute("ALTER TABLE _loads ADD COLUMN rows_loaded BIGINT");
      }
    }
  }

  private static boolean hasTable(Connection c, String table) throws SQLException {
    try (PreparedStatement q =
        c.prepareStatement("SELECT count(*) FROM information_schema.tables WHERE table_name = ?")) {
      q.setString(1, table);
      try (ResultSet r = q.executeQuery()) {
        r.next();
        return r.getLong(1) > 0;
      }
    }
  }

  private static boolean hasColumn(Connection c, String table, String column) throws SQLException {
    return columns(c, table).contains(column);
  }

  private static Set<String> columns(Connection c, String table) throws SQLException {
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
