package io.entrawarehouse.write.iceberg;

import io.entrawarehouse.observe.Meters;
import io.entrawarehouse.warehouse.Entity;
import io.entrawarehouse.warehouse.KillPoints;
import io.entrawarehouse.write.parquet.ParquetFiles;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSError;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.iceberg.BaseTable;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.Metrics;
import org.apache.iceberg.MetricsConfig;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.exceptions.CommitStateUnknownException;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.mapping.MappingUtil;
import org.apache.iceberg.mapping.NameMapping;
import org.apache.iceberg.parquet.ParquetUtil;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.LocalInputFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A load's commits to the lake: its staged parts copied under a table and committed once, the
 * tenant's rows replaced (directory tables) or earlier copies of the events read again superseded
 * (logs), then the version hint, snapshot expiry and the sweep of orphan files. Thread-safe per
 * table: one commit at a time for each.
 */
final class LakeCommits {

  private static final Logger log = LoggerFactory.getLogger(LakeCommits.class);

  private final LakeTables tables;
  private final Configuration conf;
  private final FileSystem fs;
  private final String location;
  private final Duration retention;
  private volatile long bucketRows = 100_000;

  LakeCommits(
      LakeTables tables, Configuration conf, FileSystem fs, String location, Duration retention) {
    this.tables = tables;
    this.conf = conf;
    this.fs = fs;
    this.location = location;
    this.retention = retention;
  }

  void bucketRows(long rows) {
    this.bucketRows = rows;
  }

  /**
   * Deletes the data files a load copied under an entity's table but never committed (an abandoned
   * load killed mid-commit): files named after its unique id, in a table whose history has no
   * commit of it. A table the load did commit is left alone.
   *
   * @return how many files were deleted
   */
  int removeUncommitted(Entity entity, String loadUid) {
    if (!tables.exists(entity) || IcebergLake.committed(tables.table(entity), loadUid) != null) {
      return 0;
    }
    Path data = new Path(tables.tableLocation(entity) + "/data");
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

  /**
   * Commits a load's staged parts to the entity's table, once: a load found in a snapshot summary
   * is not committed again. The parts must hold each id once ({@link Staging#deduplicate}).
   */
  IcebergLake.Commit commit(Entity entity, IcebergLake.Load load, List<java.nio.file.Path> staged) {
    Table table = tables.table(entity);
    table.refresh();
    Snapshot done = IcebergLake.committed(table, load.uid());
    if (done != null) {
      return new IcebergLake.Commit(done.snapshotId(), rowsLoaded(done), true);
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
            .set(IcebergLake.WINDOW_FROM, load.from().toString())
            .set(IcebergLake.WINDOW_UNTIL, load.until().toString());
        if (load.mark() != null) {
          overwrite.set(IcebergLake.LOG_MARK, load.mark().toString());
        }
      } else {
        overwrite.overwriteByRowFilter(tenant);
      }
      added.forEach(overwrite::addFile);
      load.summary().forEach(overwrite::set);
      KillPoints.reached("mid-commit:" + entity.name()); // files copied, catalog not updated
      overwrite
          .set(IcebergLake.LOAD_ID, Long.toString(load.id()))
          .set(IcebergLake.LOAD_UID, load.uid())
          .set(IcebergLake.TENANT, load.tenantId())
          .set(IcebergLake.RUN_DATE, load.runDate().toString())
          .set(IcebergLake.ROWS_LOADED, Long.toString(rows))
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
    Snapshot mine = IcebergLake.committed(table, load.uid());
    try {
      afterCommit(table);
    } catch (RuntimeException e) {
      // The commit stands; the hint and the expiry are done again after the next commit.
      log.warn(
          "{}: committed, but writing the version hint or expiring old snapshots failed: {}",
          entity.name(),
          innermost(e));
    }
    return new IcebergLake.Commit(mine.snapshotId(), rows, false);
  }

  private static String innermost(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }

  private static long rowsLoaded(Snapshot s) {
    String rows = s.summary().get(IcebergLake.ROWS_LOADED);
    return rows == null ? -1 : Long.parseLong(rows);
  }

  /**
   * Places a staged part under the table (a name from the load's unique id, so a retried commit
   * replaces its own earlier attempt and never another load's file) and describes it.
   */
  private DataFile copy(
      Table table,
      Entity entity,
      IcebergLake.Load load,
      java.nio.file.Path part,
      NameMapping mapping)
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

  private static Metrics localMetrics(Table table, java.nio.file.Path part, NameMapping mapping)
      throws IOException {
    return metrics(table, new LocalInputFile(part), mapping);
  }

  /** Iceberg's column metrics of a data file, from its footer. */
  private static Metrics metrics(Table table, InputFile file, NameMapping mapping)
      throws IOException {
    try (ParquetFileReader footer = ParquetFiles.footer(file)) {
      return ParquetUtil.footerMetrics(
          footer.getFooter(), Stream.empty(), MetricsConfig.forTable(table), mapping);
    }
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
      IcebergLake.Load load,
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
    for (DataFile f : IcebergLake.files(table, entity, load.tenantId(), from, until, noTime)) {
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
          new Repeats.Source(HadoopInputFile.fromPath(new Path(f.location()), conf), false));
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
          HadoopInputFile.fromPath(original, conf),
          HadoopOutputFile.fromPath(rewritten, conf),
          e.getValue(),
          ParquetSchemas.withIds(entity, table.schema(), conf),
          conf);
      long size = fs.getFileStatus(rewritten).getLen();
      Metrics metrics = metrics(table, HadoopInputFile.fromPath(rewritten, conf), mapping);
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
