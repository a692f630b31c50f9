package io.entrawarehouse.write.parquet;

import io.entrawarehouse.warehouse.Column;
import io.entrawarehouse.warehouse.Entity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.avro.AvroReadSupport;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;

/**
 * The Parquet side of the warehouse. The lake is reached through Hadoop's FileSystem, so it may be
 * a {@code file:}, {@code hdfs:} or {@code s3a:} URI.
 *
 * <p>A load first writes its parts to a local staging directory ({@code
 * <staging>/load-<id>/<table>/<partition>=<value>/part-<id>-<chunk>.parquet}); names are
 * deterministic, so a replayed chunk rewrites the same part. Each part is written under a hidden
 * temporary name and renamed, so no reader ever sees half a file. {@link #publish} then copies an
 * entity's finished parts into the lake, again through hidden names and renames. Thread-safe for
 * distinct parts. Close it to release the lake's file system.
 */
public final class Lake implements AutoCloseable {

  /**
   * The first partition level of every table: the tenant. Not {@code tenant_id}, which every row
   * already carries, so a reader's Hive partitioning adds a column instead of clashing with one.
   */
  public static final String TENANT_PARTITION = "tenant";

  private final Configuration conf;
  private final java.nio.file.Path staging;
  private final Path lake;
  private final FileSystem lakeFs;

  public Lake(java.nio.file.Path stagingDirectory, URI lakeUri) {
    this.conf = new Configuration();
    // Standard three-level LIST groups, as Spark, Trino and DuckDB expect, not Avro's legacy form.
    conf.setBoolean("parquet.avro.write-old-list-structure", false);
    conf.setClass("fs.file.impl", NioLocalFileSystem.class, FileSystem.class);
    this.staging = stagingDirectory.toAbsolutePath();
    this.lake = new Path(lakeUri);
    try {
      // Our own instance: the shared cache may hold a file system built with other settings.
      this.lakeFs = FileSystem.newInstance(lakeUri, conf);
      // No .crc sidecar files next to the parts.
      lakeFs.setWriteChecksum(false);
    } catch (org.apache.hadoop.fs.UnsupportedFileSystemException e) {
      throw noFileSystem(lakeUri, e);
    } catch (RuntimeException e) {
      // core-default.xml names S3AFileSystem for s3a:, so a missing connector is a missing class.
      if (e.getCause() instanceof ClassNotFoundException) {
        throw noFileSystem(lakeUri, e);
      }
      throw e;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot open the lake at " + lakeUri + ": " + e.getMessage(), e);
    }
  }

  private static IllegalArgumentException noFileSystem(URI lakeUri, Exception cause) {
    return new IllegalArgumentException(
        "No Hadoop file system for the lake URI "
            + lakeUri
            + " ("
            + cause.getMessage()
            + "): file: and hdfs: are built in; for s3a: put hadoop-aws "
            + org.apache.hadoop.util.VersionInfo.getVersion()
            + " and its AWS SDK bundle in a directory and run with -Dloader.path=<that directory>.",
        cause);
  }

  public URI lakeUri() {
    return lake.toUri();
  }

  private java.nio.file.Path loadDir(long loadId) {
    return staging.resolve("load-" + loadId);
  }

  private java.nio.file.Path stagedTable(Entity entity, long loadId) {
    return loadDir(loadId).resolve(entity.name());
  }

  /** Writes one part; replaces an earlier part of the same name (a replayed chunk). */
  public void writePart(
      Entity entity,
      Schema schema,
      long loadId,
      String partition,
      int chunk,
      List<? extends GenericRecord> rows) {
    java.nio.file.Path dir =
        stagedTable(entity, loadId).resolve(entity.partitionColumn() + "=" + partition);
    String name = String.format(Locale.ROOT, "part-%d-%06d.parquet", loadId, chunk);
    java.nio.file.Path tmp = dir.resolve("." + name + ".tmp");
    java.nio.file.Path part = dir.resolve(name);
    try {
      Files.createDirectories(dir);
      AvroParquetWriter.Builder<GenericRecord> builder =
          parquetBuilder(entity, schema, new LocalOutputFile(tmp));
      try (ParquetWriter<GenericRecord> writer = builder.build()) {
        for (GenericRecord row : rows) {
          writer.write(row);
        }
      }
      Files.move(tmp, part, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Writing Parquet part "
              + part
              + " failed: "
              + e.getMessage()
              + ". Check free space and permissions in the warehouse directory.",
          e);
    }
  }

  /** How every part is written: codec, LIST form, per-column dictionary and statistics. */
  private AvroParquetWriter.Builder<GenericRecord> parquetBuilder(
      Entity entity, Schema schema, org.apache.parquet.io.OutputFile file) {
    AvroParquetWriter.Builder<GenericRecord> builder =
        AvroParquetWriter.<GenericRecord>builder(file)
            .withSchema(schema)
            .withConf(conf)
            .withDataModel(GenericData.get())
            .withCompressionCodec(CompressionCodecName.SNAPPY)
            .withWriteMode(ParquetFileWriter.Mode.OVERWRITE);
    for (Column c : entity.columns()) {
      if (!c.dictionary()) {
        builder.withDictionaryEncoding(c.parquetPath(), false);
      }
      if (c.type() == Column.Type.JSON) {
        // Min and max of JSON text prune nothing: not worth comparing every value.
        builder.withStatisticsEnabled(c.parquetPath(), false);
      }
    }
    return builder;
  }

  /** The local paths of an entity's staged parts for one load, in name order. */
  public List<java.nio.file.Path> stagedParts(Entity entity, long loadId) {
    java.nio.file.Path dir = stagedTable(entity, loadId);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<java.nio.file.Path> files = Files.walk(dir)) {
      return files
          .filter(
              f -> {
                String name = f.getFileName().toString();
                return name.endsWith(".parquet") && !name.startsWith(".");
              })
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Copies an entity's staged parts into the lake: {@code
   * <lake>/<table>/tenant=<id>/<partition>=<value>/}. For directory entities, a load replaces the
   * parts of the same tenant's earlier loads in the same load-date partition (the partition holds
   * that day's state). Log parts are added, and rows of earlier loads that this load read again
   * (overlapping windows) are removed from those loads' parts, so each event is in the lake once,
   * in its newest version. Idempotent: a replay publishes the same parts and finds nothing left to
   * remove.
   */
  public int publish(Entity entity, String tenantId, long loadId) {
    try {
      int published = 0;
      // Each lake partition this load writes to, with the staged parts it gets.
      Map<Path, List<java.nio.file.Path>> partitions = new LinkedHashMap<>();
      for (java.nio.file.Path f : stagedParts(entity, loadId)) {
        Path partitionDir =
            new Path(
                new Path(new Path(lake, entity.name()), TENANT_PARTITION + "=" + tenantId),
                f.getParent().getFileName().toString());
        String name = f.getFileName().toString();
        Path target = new Path(partitionDir, name);
        Path tmp = new Path(partitionDir, "." + name + ".tmp");
        // A copy an interrupted publish left (a kill, a full disk): ours, from the same part.
        lakeFs.delete(tmp, false);
        FileUtil.copy(f.toFile(), lakeFs, tmp, false, conf);
        if (lakeFs.exists(target)) {
          lakeFs.delete(target, false);
        }
        if (!lakeFs.rename(tmp, target)) {
          throw new IOException("rename to " + target + " failed");
        }
        partitions.computeIfAbsent(partitionDir, d -> new ArrayList<>()).add(f);
        published++;
      }
      String mine = "part-" + loadId + "-";
      for (Map.Entry<Path, List<java.nio.file.Path>> partition : partitions.entrySet()) {
        Path dir = partition.getKey();
        if (entity.isLog()) {
          supersede(entity, dir, mine, partition.getValue());
          continue;
        }
        for (FileStatus old : lakeFs.listStatus(dir)) {
          String name = old.getPath().getName();
          if (name.endsWith(".parquet") && !name.startsWith(mine)) {
            lakeFs.delete(old.getPath(), false);
          }
        }
      }
      return published;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Publishing " + entity.name() + " to the lake at " + lake + " failed: " + e.getMessage(),
          e);
    }
  }

  /**
   * Removes from the earlier parts of one log partition the rows this load's parts also hold: a
   * part whose rows all came again is deleted, a part with some is rewritten without them (under a
   * hidden name, then renamed over the original). Readers may briefly see both versions of a row,
   * never a partial file.
   */
  private void supersede(
      Entity entity, Path partition, String mine, List<java.nio.file.Path> staged)
      throws IOException {
    List<FileStatus> earlier = new ArrayList<>();
    for (FileStatus f : lakeFs.listStatus(partition)) {
      String name = f.getPath().getName();
      if (name.endsWith(".parquet") && !name.startsWith(".") && !name.startsWith(mine)) {
        earlier.add(f);
      }
    }
    if (earlier.isEmpty()) {
      return;
    }
    // This load's ids, from its local staged copies rather than from the lake.
    Set<String> fresh = new HashSet<>();
    for (java.nio.file.Path f : staged) {
      fresh.addAll(ids(entity, new LocalInputFile(f)));
    }
    for (FileStatus f : earlier) {
      List<String> ids = ids(entity, HadoopInputFile.fromStatus(f, conf));
      long again = ids.stream().filter(fresh::contains).count();
      if (again == 0) {
        continue;
      }
      if (again == ids.size()) {
        lakeFs.delete(f.getPath(), false);
        continue;
      }
      Path tmp = new Path(partition, "." + f.getPath().getName() + ".tmp");
      try (ParquetReader<GenericRecord> in =
              AvroParquetReader.<GenericRecord>builder(HadoopInputFile.fromStatus(f, conf))
                  .withDataModel(GenericData.get())
                  .withConf(conf)
                  .build();
          ParquetWriter<GenericRecord> out =
              parquetBuilder(entity, entity.avroSchema(), HadoopOutputFile.fromPath(tmp, conf))
                  .build()) {
        for (GenericRecord row = in.read(); row != null; row = in.read()) {
          if (!fresh.contains(id(entity, row))) {
            out.write(row);
          }
        }
      }
      lakeFs.delete(f.getPath(), false);
      if (!lakeFs.rename(tmp, f.getPath())) {
        throw new IOException("rename to " + f.getPath() + " failed");
      }
    }
  }

  /** The row ids of one lake part, read through a projection of the id columns only. */
  private List<String> ids(Entity entity, InputFile part) throws IOException {
    Configuration projected = new Configuration(conf);
    AvroReadSupport.setRequestedProjection(projected, entity.idSchema());
    List<String> ids = new ArrayList<>();
    try (ParquetReader<GenericRecord> in =
        AvroParquetReader.<GenericRecord>builder(part)
            .withDataModel(GenericData.get())
            .withConf(projected)
            .build()) {
      for (GenericRecord row = in.read(); row != null; row = in.read()) {
        ids.add(id(entity, row));
      }
    }
    return ids;
  }

  private static String id(Entity entity, GenericRecord row) {
    StringBuilder id = new StringBuilder();
    for (String column : entity.idColumns()) {
      if (id.length() > 0) {
        id.append('/');
      }
      id.append(row.get(column));
    }
    return id.toString();
  }

  /**
   * Deletes a finished (or abandoned) load's staging directory, and the staging directory itself
   * once no load has parts there.
   */
  public void discardStaging(long loadId) {
    java.nio.file.Path dir = loadDir(loadId);
    try {
      if (Files.exists(dir)) {
        try (Stream<java.nio.file.Path> files = Files.walk(dir)) {
          for (java.nio.file.Path f : files.sorted(Comparator.reverseOrder()).toList()) {
            Files.delete(f);
          }
        }
      }
      Files.deleteIfExists(staging);
    } catch (java.nio.file.DirectoryNotEmptyException otherLoadsParts) {
      // Another load's parts (one that failed, to be resumed) keep the directory.
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete staging " + dir + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      lakeFs.close();
    } catch (IOException e) {
      throw new UncheckedIOException("Closing the lake's file system failed: " + e.getMessage(), e);
    }
  }
}
