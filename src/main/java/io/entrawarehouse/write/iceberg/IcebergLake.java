package io.entrawarehouse.write.iceberg;

import io.entrawarehouse.warehouse.Entity;
import io.entrawarehouse.write.parquet.ParquetFiles;
import io.entrawarehouse.write.parquet.Repeats;
import io.entrawarehouse.write.parquet.Staging;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.UnsupportedFileSystemException;
import org.apache.hadoop.util.VersionInfo;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.jdbc.UncheckedSQLException;
import org.apache.iceberg.util.SnapshotUtil;
import org.apache.parquet.schema.MessageType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lake: one Apache Iceberg table per warehouse table, in namespace {@code entra}, committed
 * through Iceberg's JDBC catalog in the job repository's database. The data files are the staged
 * Parquet parts (written by parquet-avro), copied under the table's location and registered with
 * their metrics and a name mapping.
 *
 * <p>A load is one commit per table, tagged in the snapshot summary with the load's id, its unique
 * id, the tenant and the run date, so a commit retried after a crash at any point is recognised and
 * not made twice. A directory table's commit replaces the tenant's rows; a log table's commit adds
 * the load's events and, in the same commit, removes the earlier copies of events it read again
 * (rewriting the files that held them). Readers see whole commits only. Each commit also writes
 * {@code metadata/version-hint.text} for readers without the catalog, and expires snapshots older
 * than the retention. Thread-safe; several processes may commit to one table (Iceberg retries a
 * conflicting commit on the fresh state).
 */
public final class IcebergLake implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(IcebergLake.class);

  public static final String CATALOG = "entra";
  public static final Namespace NAMESPACE = Namespace.of("entra");

  /** Snapshot summary keys of a load's commit. */
  public static final String LOAD_ID = "entra.load-id";

  public static final String LOAD_UID = "entra.load-uid";
  public static final String TENANT = "entra.tenant";
  public static final String RUN_DATE = "entra.run-date";
  public static final String ROWS_LOADED = "entra.rows-loaded";
  public static final String WINDOW_FROM = "entra.window-from";
  public static final String WINDOW_UNTIL = "entra.window-until";

  /**
   * In a log commit's summary: the tenant's mark after it, the time up to which the lake holds
   * every event of the log for the tenant. Committed with the rows, so it never runs ahead of them.
   */
  public static final String LOG_MARK = "entra.log-mark";

  /**
   * In a directory table's commit summary: the deltaLink from which the next load of the tenant
   * reads what changed, committed with the rows it follows (so it never runs ahead of them), and
   * the {@code $select} it tracks. A commit without one (a filtered load) leaves none: the next
   * load reads in full.
   */
  public static final String DELTA_LINK = "entra.delta-link";

  public static final String DELTA_SELECT = "entra.delta-select";

  /**
   * A load as the lake records it. {@code from}/{@code until}: a log's window, else null. {@code
   * mark}: for a log, the tenant's new mark this commit records (the caller moves it forward only),
   * or null to leave the one an earlier commit of the tenant recorded ({@link #logMark} finds the
   * newest).
   */
  public record Load(
      long id,
      String uid,
      String tenantId,
      LocalDate runDate,
      Instant from,
      Instant until,
      Instant mark,
      Map<String, String> summary) {

    public Load(
        long id, String uid, String tenantId, LocalDate runDate, Instant from, Instant until) {
      this(id, uid, tenantId, runDate, from, until, null);
    }

    public Load(
        long id,
        String uid,
        String tenantId,
        LocalDate runDate,
        Instant from,
        Instant until,
        Instant mark) {
      this(id, uid, tenantId, runDate, from, until, mark, Map.of());
    }

    /** This load with more properties in its commit's summary (a deltaLink). */
    public Load with(Map<String, String> more) {
      Map<String, String> all = new LinkedHashMap<>(summary);
      all.putAll(more);
      return new Load(id, uid, tenantId, runDate, from, until, mark, Map.copyOf(all));
    }
  }

  /**
   * A load's commit to one table: its snapshot, the rows it loaded, whether it was there already.
   */
  public record Commit(long snapshotId, long rowsLoaded, boolean already) {}

  private final JdbcCatalog catalog;
  private final LakeTables tables;
  private final LakeCommits commits;
  private final Configuration conf;
  private final FileSystem fs;
  private final String location;
  private final Duration retention;

  /**
   * @param lakeUri where the tables go: any Hadoop FileSystem URI
   * @param jdbcUrl the catalog's database (the job repository's)
   * @param retention how long earlier snapshots stay reachable by time travel
   * @param hadoop Hadoop settings for the lake's file system (fs.s3a.endpoint and the like)
   */
  /**
   * Sets the most ids a commit compares in memory at once when events read again replace the lake's
   * ({@link Repeats}). Default 100,000.
   */
  public IcebergLake withBucketRows(long rows) {
    commits.bucketRows(rows);
    return this;
  }

  public IcebergLake(
      URI lakeUri,
      String jdbcUrl,
      String user,
      String password,
      Duration retention,
      Map<String, String> hadoop) {
    this.conf = ParquetFiles.configuration();
    hadoop.forEach(conf::set);
    this.retention = retention;
    String uri = lakeUri.toString();
    this.location = uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
    try {
      this.fs = FileSystem.newInstance(lakeUri, conf);
      fs.setWriteChecksum(false);
    } catch (UnsupportedFileSystemException e) {
      throw noFileSystem(lakeUri, e);
    } catch (RuntimeException e) {
      // core-default.xml names connectors (abfs:, gs: among them), so a missing one is a missing
      // class.
      if (e.getCause() instanceof ClassNotFoundException) {
        throw noFileSystem(lakeUri, e);
      }
      throw e;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot open the lake at " + lakeUri + ": " + e.getMessage(), e);
    }
    Map<String, String> properties = new HashMap<>();
    properties.put(CatalogProperties.URI, jdbcUrl);
    properties.put(CatalogProperties.WAREHOUSE_LOCATION, location);
    properties.put(CatalogProperties.FILE_IO_IMPL, "org.apache.iceberg.hadoop.HadoopFileIO");
    properties.put("jdbc.schema-version", "V1");
    if (user != null && !user.isBlank()) {
      properties.put(JdbcCatalog.PROPERTY_PREFIX + "user", user);
    }
    if (password != null && !password.isBlank()) {
      properties.put(JdbcCatalog.PROPERTY_PREFIX + "password", password);
    }
    this.catalog = openCatalog(conf, properties);
    this.tables = new LakeTables(catalog, conf, fs, location);
    this.commits = new LakeCommits(tables, conf, fs, location, retention);
  }

  /**
   * Opens the JDBC catalog. Opening checks the catalog's tables and adds the columns they lack, so
   * processes opening a new catalog at once race to add them and the losers fail; they find the
   * columns there when they try again.
   */
  private static JdbcCatalog openCatalog(Configuration conf, Map<String, String> properties) {
    for (int attempt = 1; ; attempt++) {
      JdbcCatalog catalog = new JdbcCatalog();
      catalog.setConf(conf);
      try {
        catalog.initialize(CATALOG, properties);
        return catalog;
      } catch (UncheckedSQLException e) {
        try {
          catalog.close();
        } catch (RuntimeException ignored) {
          // Half-initialized: nothing more to release than what it could.
        }
        if (attempt >= 5) {
          throw e;
        }
        try {
          Thread.sleep(50L * attempt);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  private static IllegalArgumentException noFileSystem(URI lakeUri, Exception cause) {
    return new IllegalArgumentException(
        "No Hadoop file system for the lake URI "
            + lakeUri
            + " ("
            + cause.getMessage()
            + "): file:, hdfs: and s3a: are built in; for another, put its Hadoop "
            + VersionInfo.getVersion()
            + " connector and its dependencies in a directory and run with"
            + " -Dloader.path=<that directory>.",
        cause);
  }

  public String location() {
    return location;
  }

  /**
   * Refuses a catalog whose tables live outside this lake: a warehouse copied or moved with its job
   * repository (the catalog, and Iceberg's metadata, name absolute paths), or one catalog given to
   * two lakes. Without it a copy would write into the original's lake.
   *
   * @throws IllegalArgumentException naming the tables and where they are
   */
  public void requireOwnTables() {
    if (!catalog.namespaceExists(NAMESPACE)) {
      return;
    }
    String own = fs.makeQualified(new org.apache.hadoop.fs.Path(location)).toString() + "/";
    List<String> elsewhere = new ArrayList<>();
    for (TableIdentifier id : catalog.listTables(NAMESPACE)) {
      String at;
      try {
        at = catalog.loadTable(id).location();
      } catch (RuntimeException unreadable) {
        continue; // a table this lake cannot read is table()'s to report
      }
      org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(at);
      String qualified =
          path.toUri().getScheme() == null || path.toUri().getScheme().equals(fs.getScheme())
              ? fs.makeQualified(path).toString()
              : at;
      if (!qualified.startsWith(own)) {
        elsewhere.add(id.name() + " at " + at);
      }
    }
    if (!elsewhere.isEmpty()) {
      throw new IllegalArgumentException(
          "The lake's catalog records "
              + elsewhere.size()
              + " table(s) outside the configured lake "
              + location
              + " ("
              + elsewhere.get(0)
              + (elsewhere.size() > 1 ? ", …" : "")
              + "): this warehouse was copied or moved with its job repository, or two lakes"
              + " share one catalog. Nothing was changed. Point entra.warehouse.lake-uri at the"
              + " lake the catalog names, or give this warehouse a job repository of its own (a"
              + " new spring.datasource.url, or job-repository.sqlite removed) and load anew."
              + " Iceberg's metadata holds absolute paths: a lake that moved must have them"
              + " rewritten (Iceberg's rewrite_table_path) before it is loaded in place.");
    }
  }

  public Configuration configuration() {
    return conf;
  }

  public static TableIdentifier identifier(Entity entity) {
    return TableIdentifier.of(NAMESPACE, entity.name());
  }

  // ------------------------------------------------------------------ tables and commits

  /**
   * An entity's table: loaded; or re-registered from its latest metadata file when the catalog has
   * lost it (a job repository restored or recreated), so no earlier data is lost or overwritten; or
   * created. Columns the entity has and the table lacks are added (old rows read them as null).
   */
  public Table table(Entity entity) {
    return tables.table(entity);
  }

  /**
   * The Parquet schema an entity's parts are written with: its table's field ids included (the
   * table is created or evolved first). Made once per lake instance, that is per run.
   */
  public MessageType parquetSchema(Entity entity) {
    return tables.parquetSchema(entity);
  }

  /** Whether the entity has a table (in the catalog, or metadata files to register). */
  public boolean exists(Entity entity) {
    return tables.exists(entity);
  }

  /** The load's commit to an entity's table, or null; creates nothing. */
  public Snapshot committed(Entity entity, String loadUid) {
    return tables.committed(entity, loadUid);
  }

  /**
   * Deletes the data files a load copied under an entity's table but never committed (an abandoned
   * load killed mid-commit): files named after its unique id, in a table whose history has no
   * commit of it. A table the load did commit is left alone.
   *
   * @return how many files were deleted
   */
  public int removeUncommitted(Entity entity, String loadUid) {
    return commits.removeUncommitted(entity, loadUid);
  }

  /**
   * Commits a load's staged parts to the entity's table, once: a load found in a snapshot summary
   * is not committed again. The parts must hold each id once ({@link Staging#deduplicate}).
   */
  public Commit commit(Entity entity, Load load, List<java.nio.file.Path> staged) {
    return commits.commit(entity, load, staged);
  }

  // ------------------------------------------------------------------ commits

  /** The snapshot in which the load with this unique id committed to the table, or null. */
  public static Snapshot committed(Table table, String loadUid) {
    for (Snapshot s : table.snapshots()) {
      if (loadUid.equals(s.summary().get(LOAD_UID))) {
        return s;
      }
    }
    return null;
  }

  /** The highest load id any table has committed: a new load id must be above it. */
  public long maxLoadId(List<Entity> entities) {
    long max = 0;
    for (Entity entity : entities) {
      if (!exists(entity)) {
        continue;
      }
      for (Snapshot s : table(entity).snapshots()) {
        String id = s.summary().get(LOAD_ID);
        if (id != null) {
          max = Math.max(max, Long.parseLong(id));
        }
      }
    }
    return max;
  }

  // ------------------------------------------------------------------ reading

  /**
   * The data files of the current snapshot that may hold a tenant's rows (every tenant's when
   * {@code tenantId} is null): all of them for a directory table; for a log, those with events in
   * [{@code from}, {@code until}), and with no event time when {@code noTime}.
   */
  public static List<DataFile> files(
      Table table, Entity entity, String tenantId, Instant from, Instant until, boolean noTime) {
    Expression filter =
        tenantId == null ? Expressions.alwaysTrue() : Expressions.equal(Entity.TENANT, tenantId);
    if (entity.isLog() && from != null) {
      String time = entity.timeColumn().name();
      Expression window =
          Expressions.and(
              Expressions.greaterThanOrEqual(time, micros(from)),
              Expressions.lessThan(time, micros(until)));
      filter =
          Expressions.and(
              filter, noTime ? Expressions.or(window, Expressions.isNull(time)) : window);
    } else if (entity.isLog() && noTime) {
      filter = Expressions.and(filter, Expressions.isNull(entity.timeColumn().name()));
    }
    List<DataFile> files = new ArrayList<>();
    if (table.currentSnapshot() == null) {
      return files;
    }
    try (CloseableIterable<FileScanTask> tasks = table.newScan().filter(filter).planFiles()) {
      for (FileScanTask task : tasks) {
        files.add(task.file());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  /**
   * The tenant's mark of a log (the time up to which the lake holds every event for it), from the
   * newest of the tenant's commits in the current snapshot's history that records one; null when
   * none does (never loaded, or its commits expired with the snapshots).
   */
  public Instant logMark(Entity entity, String tenantId) {
    Snapshot s = newest(entity, tenantId, x -> x.summary().containsKey(LOG_MARK));
    return s == null ? null : Instant.parse(s.summary().get(LOG_MARK));
  }

  /** Whether any retained commit of the table holds rows of the tenant: it was loaded before. */
  public boolean loadedBefore(Entity entity, String tenantId) {
    return newest(entity, tenantId, s -> true) != null;
  }

  /**
   * The deltaLink the tenant's newest commit of the table recorded, if it was made for {@code
   * select}; null otherwise (never loaded, a filtered load since, another query, or none kept).
   */
  public String deltaLink(Entity entity, String tenantId, String select) {
    Snapshot s = newest(entity, tenantId, x -> true);
    return s != null && select.equals(s.summary().get(DELTA_SELECT))
        ? s.summary().get(DELTA_LINK)
        : null;
  }

  /**
   * The newest of the tenant's commits in the current snapshot's history that {@code which}
   * accepts; null when none does (never loaded, or its commits expired with the snapshots).
   */
  private Snapshot newest(Entity entity, String tenantId, Predicate<Snapshot> which) {
    TableIdentifier id = identifier(entity);
    if (!catalog.tableExists(id)) {
      return null;
    }
    Table table = catalog.loadTable(id);
    if (table.currentSnapshot() == null) {
      return null;
    }
    for (Snapshot s :
        SnapshotUtil.ancestorsOf(table.currentSnapshot().snapshotId(), table::snapshot)) {
      if (tenantId.equals(s.summary().get(TENANT)) && which.test(s)) {
        return s;
      }
    }
    return null;
  }

  /**
   * The id of the entity's table's current snapshot, as the catalog has it now (another step's
   * commit in this run included); -1 when the table does not exist or was never committed.
   */
  public long currentSnapshotId(Entity entity) {
    TableIdentifier id = identifier(entity);
    if (!catalog.tableExists(id)) {
      return -1;
    }
    Snapshot current = catalog.loadTable(id).currentSnapshot();
    return current == null ? -1 : current.snapshotId();
  }

  /**
   * A tenant's rows of the entity's table as a snapshot holds them, with only the given columns;
   * close it when done.
   */
  public CloseableIterable<org.apache.iceberg.data.Record> rows(
      Entity entity, String tenantId, long snapshotId, List<String> columns) {
    return IcebergGenerics.read(catalog.loadTable(identifier(entity)))
        .useSnapshot(snapshotId)
        .where(Expressions.equal(Entity.TENANT, tenantId))
        .select(columns)
        .build();
  }

  public static long micros(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
  }

  /** The lake's file system, to fetch files a local reader (DuckDB) cannot reach. */
  public FileSystem fileSystem() {
    return fs;
  }

  @Override
  public void close() {
    catalog.close();
    try {
      fs.close();
    } catch (IOException e) {
      throw new UncheckedIOException("Closing the lake's file system failed: " + e.getMessage(), e);
    }
  }
}
