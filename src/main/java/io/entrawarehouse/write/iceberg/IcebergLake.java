package io.entrawarehouse.write.iceberg;

import io.entrawarehouse.observe.Meters;
import io.entrawarehouse.warehouse.Entity;
import io.entrawarehouse.warehouse.KillPoints;
import io.entrawarehouse.write.parquet.ParquetSchemas;
import io.entrawarehouse.write.parquet.Repeats;
import io.entrawarehouse.write.parquet.Staging;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSError;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.UnsupportedFileSystemException;
import org.apache.hadoop.util.VersionInfo;
import org.apache.iceberg.BaseTable;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Metrics;
import org.apache.iceberg.MetricsConfig;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.UpdateSchema;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.CommitStateUnknownException;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.jdbc.UncheckedSQLException;
import org.apache.iceberg.mapping.MappingUtil;
import org.apache.iceberg.mapping.NameMapping;
import org.apache.iceberg.mapping.NameMappingParser;
import org.apache.iceberg.parquet.ParquetUtil;
import org.apache.iceberg.types.Types.NestedField;
import org.apache.iceberg.util.SnapshotUtil;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.io.LocalInputFile;
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
  private final Configuration conf;
  private long bucketRows = 100_000;
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
    this.bucketRows = rows;
    return this;
  }

  public IcebergLake(
      URI lakeUri,
      String jdbcUrl,
      String user,
      String password,
      Duration retention,
      Map<String, String> hadoop) {
    this.conf = Staging.configuration();
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

  private String tableLocation(Entity entity) {
    return location + "/" + NAMESPACE.level(0) + "/" + entity.name();
  }

  // ------------------------------------------------------------------ tables

  /**
   * An entity's table: loaded; or re-registered from its latest metadata file when the catalog has
   * lost it (a job repository restored or recreated), so no earlier data is lost or overwritten; or
   * created. Columns the entity has and the table lacks are added (old rows read them as null).
   */
  public synchronized Table table(Entity entity) {
    // Once per entity and lake instance (one run): each lookup reads the catalog and the table's
    // metadata file, and a commit refreshes the table it holds.
    Table known = tables.get(entity);
    if (known != null) {
      return known;
    }
    TableIdentifier id = identifier(entity);
    if (!catalog.namespaceExists(NAMESPACE)) {
      try {
        catalog.createNamespace(NAMESPACE, Map.of());
      } catch (AlreadyExistsException createdMeanwhile) {
        // another worker
      } catch (RuntimeException e) {
        // Another worker's insert won the race: the JDBC catalog reports the duplicate key as a
        // failed statement, not as AlreadyExistsException.
        if (!catalog.namespaceExists(NAMESPACE)) {
          throw e;
        }
      }
    }
    Table table = null;
    // A metadata file without a catalog entry is either a lost catalog's (register it) or another
    // worker's table being created this instant (its file half written, its entry not yet there):
    // look again a few times before taking a failed registration as final.
    for (int attempt = 1; table == null; attempt++) {
      if (catalog.tableExists(id)) {
        table = catalog.loadTable(id);
        break;
      }
      String latest = latestMetadata(entity);
      try {
        table = latest != null ? register(entity, id, latest) : create(entity, id);
      } catch (AlreadyExistsException createdMeanwhile) {
        table = catalog.loadTable(id);
      } catch (RuntimeException unreadable) {
        if (latest == null || attempt >= 20) {
          throw unreadable;
        }
        try {
          Thread.sleep(100L * attempt);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw unreadable;
        }
      }
    }
    evolve(entity, table);
    tables.put(entity, table);
    return table;
  }

  private final Map<Entity, Table> tables = new ConcurrentHashMap<>();

  private Table register(Entity entity, TableIdentifier id, String metadata) {
    Table table = catalog.registerTable(id, metadata);
    log.warn(
        "{}: the catalog had no entry for the table; registered its latest metadata {} (the job"
            + " repository was replaced?)",
        entity.name(),
        metadata);
    return table;
  }

  private Table create(Entity entity, TableIdentifier id) {
    Schema schema = IcebergSchemas.schema(entity);
    return catalog
        .buildTable(id, schema)
        .withLocation(tableLocation(entity))
        .withPartitionSpec(IcebergSchemas.spec(entity, schema))
        .withProperties(properties(schema))
        .create();
  }

  private static Map<String, String> properties(Schema schema) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put(TableProperties.FORMAT_VERSION, "2");
    p.put(
        TableProperties.DEFAULT_NAME_MAPPING, NameMappingParser.toJson(MappingUtil.create(schema)));
    p.put(TableProperties.DEFAULT_FILE_FORMAT, "parquet");
    // Workers loading other tenants commit to the same tables; 20 retries landed every commit of
    // two processes racing (NOTES.md), the default 4 did not.
    p.put(TableProperties.COMMIT_NUM_RETRIES, "20");
    p.put(TableProperties.METADATA_DELETE_AFTER_COMMIT_ENABLED, "true");
    p.put(TableProperties.METADATA_PREVIOUS_VERSIONS_MAX, "20");
    return p;
  }

  /** Adds the entity's columns the table lacks, and keeps the name mapping in step. */
  private static void evolve(Entity entity, Table table) {
    Schema wanted = IcebergSchemas.schema(entity);
    List<NestedField> missing =
        wanted.columns().stream().filter(c -> table.schema().findField(c.name()) == null).toList();
    if (!missing.isEmpty()) {
      // New columns are optional; the update gives them (and a list's element) fresh ids.
      UpdateSchema update = table.updateSchema();
      missing.forEach(c -> update.addColumn(c.name(), c.type(), c.doc()));
      update.commit();
      table
          .updateProperties()
          .set(
              TableProperties.DEFAULT_NAME_MAPPING,
              NameMappingParser.toJson(MappingUtil.create(table.schema())))
          .commit();
    }
  }

  /** The newest metadata file under the table's location, or null when there is none. */
  private String latestMetadata(Entity entity) {
    Path metadata = new Path(tableLocation(entity) + "/metadata");
    try {
      if (!fs.exists(metadata)) {
        return null;
      }
      String best = null;
      for (FileStatus f : fs.listStatus(metadata)) {
        String name = f.getPath().getName();
        if (name.endsWith(".metadata.json") && (best == null || version(name) > version(best))) {
          best = name;
        }
      }
      return best == null ? null : new Path(metadata, best).toString();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot list the metadata of "
              + entity.name()
              + " at "
              + metadata
              + ": "
              + e.getMessage(),
          e);
    }
  }

  private static long version(String metadataFile) {
    String digits = metadataFile.replaceAll("^v?(\\d+)[-.].*$", "$1");
    try {
      return Long.parseLong(digits);
    } catch (NumberFormatException e) {
      return -1;
    }
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

  private final Map<Entity, MessageType> parquetSchemas = new ConcurrentHashMap<>();

  /**
   * The Parquet schema an entity's parts are written with: its table's field ids included (the
   * table is created or evolved first). Made once per lake instance, that is per run.
   */
  public MessageType parquetSchema(Entity entity) {
    return parquetSchemas.computeIfAbsent(
        entity, e -> ParquetSchemas.withIds(e, table(e).schema(), conf));
  }

  /** Whether the entity has a table (in the catalog, or metadata files to register). */
  public boolean exists(Entity entity) {
    return catalog.tableExists(identifier(entity)) || latestMetadata(entity) != null;
  }

  /** The load's commit to an entity's table, or null; creates nothing. */
  public Snapshot committed(Entity entity, String loadUid) {
    TableIdentifier id = identifier(entity);
    if (!catalog.tableExists(id)) {
      return null;
    }
    return committed(catalog.loadTable(id), loadUid);
  }

  /**
   * Deletes the data files a load copied under an entity's table but never committed (an abandoned
   * load killed mid-commit): files named after its unique id, in a table whose history has no
   * commit of it. A table the load did commit is left alone.
   *
   * @return how many files were deleted
   */
  public int removeUncommitted(Entity entity, String loadUid) {
    if (!exists(entity) || committed(table(entity), loadUid) != null) {
      return 0;
    }
    Path data = new Path(tableLocation(entity) + "/data");
    int removed = 0;
    try {
      if (!fs.exists(data)) {
        return 0;
      }
      var files = fs.listFiles(data, true);
      while (files.hasNext()) {
        Path f = files.next().getPath();
        if (f.getName().startsWith(loadUid + "-")) {
          fs.delete(f, false);
          removed++;
        }
      }
      return removed;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot remove the uncommitted files of load "
              + loadUid
              + " under "
              + data
              + ": "
              + e.getMessage(),
          e);
    }
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

  /**
   * Commits a load's staged parts to the entity's table, once: a load found in a snapshot summary
   * is not committed again. The parts must hold each id once ({@link Staging#deduplicate}).
   */
  public Commit commit(Entity entity, Load load, List<java.nio.file.Path> staged) {
    Table table = table(entity);
    table.refresh();
    Snapshot done = committed(table, load.uid());
    if (done != null) {
      return new Commit(done.snapshotId(), rowsLoaded(done), true);
    }
    long rows = 0;
    try {
      List<DataFile> added = new ArrayList<>();
      NameMapping mapping = MappingUtil.create(table.schema());
      for (java.nio.file.Path part : staged) {
        DataFile file = copy(table, entity, load, part, mapping);
        added.add(file);
        rows += file.recordCount();
      }
      Snapshot base = table.currentSnapshot();
      OverwriteFiles overwrite = table.newOverwrite();
      Expression tenant = Expressions.equal(Entity.TENANT, load.tenantId());
      if (entity.isLog()) {
        supersede(table, entity, load, staged, added, overwrite, mapping);
        overwrite.conflictDetectionFilter(tenant).validateNoConflictingDeletes();
        if (base != null) {
          overwrite.validateFromSnapshot(base.snapshotId());
        }
        overwrite
            .set(WINDOW_FROM, load.from().toString())
            .set(WINDOW_UNTIL, load.until().toString());
        if (load.mark() != null) {
          overwrite.set(LOG_MARK, load.mark().toString());
        }
      } else {
        overwrite.overwriteByRowFilter(tenant);
      }
      added.forEach(overwrite::addFile);
      load.summary().forEach(overwrite::set);
      KillPoints.reached("mid-commit:" + entity.name()); // files copied, catalog not updated
      overwrite
          .set(LOAD_ID, Long.toString(load.id()))
          .set(LOAD_UID, load.uid())
          .set(TENANT, load.tenantId())
          .set(RUN_DATE, load.runDate().toString())
          .set(ROWS_LOADED, Long.toString(rows))
          .commit();
    } catch (CommitStateUnknownException e) {
      throw new IllegalStateException(
          "Committing "
              + entity.name()
              + " to the lake at "
              + location
              + ": the catalog did not tell whether the commit landed ("
              + innermost(e)
              + "). Run the same command again: it finds the commit in the table's history or"
              + " makes it.",
          e);
    } catch (IOException | RuntimeException | FSError e) {
      // FSError: Hadoop's local file system reports a full disk as an Error.
      throw new IllegalStateException(
          "Committing "
              + entity.name()
              + " to the lake at "
              + location
              + " failed ("
              + innermost(e)
              + "); nothing of this load was committed to "
              + entity.name()
              + ".",
          e);
    }
    KillPoints.reached("after-commit:" + entity.name());
    table.refresh();
    Snapshot mine = committed(table, load.uid());
    try {
      afterCommit(table);
    } catch (RuntimeException e) {
      // The commit stands; the hint and the expiry are done again after the next commit.
      log.warn(
          "{}: committed, but writing the version hint or expiring old snapshots failed: {}",
          entity.name(),
          innermost(e));
    }
    return new Commit(mine.snapshotId(), rows, false);
  }

  private static String innermost(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }

  private static long rowsLoaded(Snapshot s) {
    String rows = s.summary().get(ROWS_LOADED);
    return rows == null ? -1 : Long.parseLong(rows);
  }

  /**
   * Places a staged part under the table (a name from the load's unique id, so a retried commit
   * replaces its own earlier attempt and never another load's file) and describes it.
   */
  private DataFile copy(
      Table table, Entity entity, Load load, java.nio.file.Path part, NameMapping mapping)
      throws IOException {
    StructLike partition = partition(entity, load.tenantId(), Staging.partitionValue(part));
    String target =
        table
            .locationProvider()
            .newDataLocation(
                table.spec(), partition, load.uid() + "-" + part.getFileName().toString());
    place(part, target);
    return dataFile(table, target, Files.size(part), partition, localMetrics(table, part, mapping));
  }

  /**
   * Puts a staged part at its place in the lake. On a {@code file:} lake on the staging area's file
   * system the part is hard-linked, so no byte is copied (staged parts are never written in place:
   * a part is written to a temporary name and renamed, so the lake's link is never changed); on
   * another device or file system it is copied.
   */
  private void place(java.nio.file.Path part, String target) throws IOException {
    URI uri = URI.create(target);
    if ("file".equals(uri.getScheme())) {
      java.nio.file.Path local = java.nio.file.Path.of(uri);
      Files.createDirectories(local.getParent());
      Files.deleteIfExists(local); // this load's own earlier attempt
      try {
        Files.createLink(local, part);
        return;
      } catch (IOException | UnsupportedOperationException e) {
        log.debug("Copying {} to the lake (no hard link: {})", part, e.toString());
      }
    }
    fs.copyFromLocalFile(false, true, new Path(part.toUri()), new Path(target));
  }

  private static Metrics localMetrics(Table table, java.nio.file.Path part, NameMapping mapping) {
    return ParquetUtil.fileMetrics(
        org.apache.iceberg.Files.localInput(part.toFile()), MetricsConfig.forTable(table), mapping);
  }

  private static DataFile dataFile(
      Table table, String path, long size, StructLike partition, Metrics metrics) {
    Meters.lakeBytes(table.name().substring(table.name().lastIndexOf('.') + 1), size);
    return DataFiles.builder(table.spec())
        .withPath(path)
        .withFormat(FileFormat.PARQUET)
        .withFileSizeInBytes(size)
        .withPartition(partition)
        .withMetrics(metrics)
        .build();
  }

  /** The partition of a tenant's rows: the tenant, and for logs the event day (null: no time). */
  private static StructLike partition(Entity entity, String tenantId, String stagedValue) {
    if (!entity.isLog()) {
      return new Row(tenantId);
    }
    Integer day = stagedValue == null ? null : (int) LocalDate.parse(stagedValue).toEpochDay();
    return new Row(tenantId, day);
  }

  /**
   * Removes from the tenant's earlier files the events this load read again: in the event days this
   * load touches, a file whose rows all came again is deleted, a file with some is rewritten
   * without them (a new file named after this load) and replaced, all in the load's one commit.
   */
  private void supersede(
      Table table,
      Entity entity,
      Load load,
      List<java.nio.file.Path> staged,
      List<DataFile> added,
      OverwriteFiles overwrite,
      NameMapping mapping)
      throws IOException {
    if (table.currentSnapshot() == null) {
      return; // the table's first commit: nothing earlier to supersede
    }
    Set<Integer> days = new HashSet<>();
    boolean noTime = false;
    for (DataFile f : added) {
      Integer day = f.partition().get(1, Integer.class);
      if (day == null) {
        noTime = true;
      } else {
        days.add(day);
      }
    }
    TreeSet<Integer> sorted = new TreeSet<>(days);
    Instant from = sorted.isEmpty() ? null : Instant.ofEpochSecond(sorted.first() * 86_400L);
    Instant until = sorted.isEmpty() ? null : Instant.ofEpochSecond((sorted.last() + 1) * 86_400L);
    Set<String> addedPaths = new HashSet<>();
    added.forEach(f -> addedPaths.add(f.location()));
    List<DataFile> earlier = new ArrayList<>();
    for (DataFile f : files(table, entity, load.tenantId(), from, until, noTime)) {
      Integer day = f.partition().get(1, Integer.class);
      if (!addedPaths.contains(f.location()) && (day == null ? noTime : days.contains(day))) {
        earlier.add(f);
      }
    }
    if (earlier.isEmpty()) {
      return;
    }
    // The earlier files first, then this load's parts, which supersede them.
    List<Repeats.Source> sources = new ArrayList<>();
    for (DataFile f : earlier) {
      sources.add(
          new Repeats.Source(
              org.apache.parquet.hadoop.util.HadoopInputFile.fromPath(new Path(f.location()), conf),
              false));
    }
    for (java.nio.file.Path part : staged) {
      sources.add(new Repeats.Source(new LocalInputFile(part), true));
    }
    java.nio.file.Path scratch = Staging.scratchBeside(staged.get(0), entity.name() + "-again");
    Map<Integer, BitSet> again = Repeats.superseded(entity, sources, conf, bucketRows, scratch);
    for (Map.Entry<Integer, BitSet> e : again.entrySet()) {
      if (e.getKey() >= earlier.size()) {
        continue; // the load's own parts are already deduplicated
      }
      DataFile f = earlier.get(e.getKey());
      overwrite.deleteFile(f);
      if (e.getValue().cardinality() == f.recordCount()) {
        continue;
      }
      Path original = new Path(f.location());
      Path rewritten =
          new Path(original.getParent(), load.uid() + "-rewritten-" + original.getName());
      Staging.rewriteWithout(
          entity,
          org.apache.parquet.hadoop.util.HadoopInputFile.fromPath(original, conf),
          HadoopOutputFile.fromPath(rewritten, conf),
          e.getValue(),
          ParquetSchemas.withIds(entity, table.schema(), conf),
          conf);
      long size = fs.getFileStatus(rewritten).getLen();
      Metrics metrics =
          ParquetUtil.fileMetrics(
              org.apache.iceberg.hadoop.HadoopInputFile.fromLocation(rewritten.toString(), fs),
              MetricsConfig.forTable(table),
              mapping);
      overwrite.addFile(dataFile(table, rewritten.toString(), size, f.partition(), metrics));
    }
  }

  /**
   * After each commit: the version hint for catalog-less readers, snapshot expiry, and the sweep of
   * orphan files ({@link OrphanFiles}).
   */
  private void afterCommit(Table table) {
    String metadata = ((BaseTable) table).operations().current().metadataFileLocation();
    String name = new Path(metadata).getName().replaceFirst("\\.metadata\\.json$", "");
    Path hint = new Path(table.location() + "/metadata/version-hint.text");
    try (var out = fs.create(hint, true)) {
      out.write(name.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      log.warn("Could not write {}: {}", hint, e.getMessage());
    }
    long cutoff = System.currentTimeMillis() - retention.toMillis();
    Snapshot oldest = null;
    for (Snapshot s : table.snapshots()) {
      if (oldest == null || s.timestampMillis() < oldest.timestampMillis()) {
        oldest = s;
      }
    }
    if (oldest != null && oldest.timestampMillis() < cutoff) {
      table.expireSnapshots().expireOlderThan(cutoff).retainLast(1).commit();
    }
    try {
      table.refresh();
      List<String> swept = OrphanFiles.sweep(table, fs, Instant.now().minus(OrphanFiles.MIN_AGE));
      if (!swept.isEmpty()) {
        log.info(
            "{}: removed {} files no snapshot reaches, older than {} h (left by a process stopped"
                + " mid-commit)",
            table.name(),
            swept.size(),
            OrphanFiles.MIN_AGE.toHours());
        swept.forEach(f -> log.debug("removed orphan {}", f));
      }
    } catch (RuntimeException e) {
      log.warn("{}: orphan files not swept: {}", table.name(), e.getMessage());
    }
  }

  // ------------------------------------------------------------------ reading

  /**
   * The data files of the current snapshot that may hold a tenant's rows (every tenant's when
   * {@code tenantId} is null): all of them for a directory table; for a log, those with events in
   * [{@code from}, {@code until}), and with no event time when {@code noTime}.
   */
  public List<DataFile> files(
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

  /** A partition tuple. */
  private record Row(Object... values) implements StructLike {
    @Override
    public int size() {
      return values.length;
    }

    @Override
    public <T> T get(int pos, Class<T> javaClass) {
      return javaClass.cast(values[pos]);
    }

    @Override
    public <T> void set(int pos, T value) {
      values[pos] = value;
    }
  }
}
