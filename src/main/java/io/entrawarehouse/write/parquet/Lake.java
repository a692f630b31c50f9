package io.entrawarehouse.write.parquet;

import io.entrawarehouse.warehouse.Entity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;

/**
 * The Parquet side of the warehouse, through Hadoop's FileSystem so the lake may be a {@code
 * file:}, {@code hdfs:} or {@code s3a:} URI.
 *
 * <p>A load first writes its parts to a local staging directory ({@code
 * <staging>/load-<id>/<table>/<partition>=<value>/part-<id>-<chunk>.parquet}); names are
 * deterministic, so a replayed chunk rewrites the same part. Each part is written under a hidden
 * temporary name and renamed, so no reader ever sees half a file. {@link #publish} then copies an
 * entity's finished parts into the lake, again through hidden names and renames. Thread-safe for
 * distinct parts.
 */
public final class Lake {

  /**
   * The first partition level of every table: the tenant. Not {@code tenant_id}, which every row
   * already carries, so a reader's Hive partitioning adds a column instead of clashing with one.
   */
  public static final String TENANT_PARTITION = "tenant";

  private final Configuration conf;
  private final Path staging;
  private final Path lake;

  public Lake(java.nio.file.Path stagingDirectory, URI lakeUri) {
    this.conf = new Configuration();
    // Standard three-level LIST groups, as Spark, Trino and DuckDB expect, not Avro's legacy form.
    conf.setBoolean("parquet.avro.write-old-list-structure", false);
    this.staging = new Path(stagingDirectory.toAbsolutePath().toUri());
    this.lake = new Path(lakeUri);
    try {
      // No .crc sidecar files next to the parts.
      staging.getFileSystem(conf).setWriteChecksum(false);
      lake.getFileSystem(conf).setWriteChecksum(false);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot open the lake at " + lakeUri + ": " + e.getMessage(), e);
    }
  }

  public URI lakeUri() {
    return lake.toUri();
  }

  private Path loadDir(long loadId) {
    return new Path(staging, "load-" + loadId);
  }

  private Path stagedTable(Entity entity, long loadId) {
    return new Path(loadDir(loadId), entity.name());
  }

  /** Writes one part; replaces an earlier part of the same name (a replayed chunk). */
  public void writePart(
      Entity entity,
      Schema schema,
      long loadId,
      String partition,
      int chunk,
      List<? extends GenericRecord> rows) {
    Path dir = new Path(stagedTable(entity, loadId), entity.partitionColumn() + "=" + partition);
    String name = String.format(Locale.ROOT, "part-%d-%06d.parquet", loadId, chunk);
    Path tmp = new Path(dir, "." + name + ".tmp");
    Path part = new Path(dir, name);
    try {
      try (ParquetWriter<GenericRecord> writer =
          AvroParquetWriter.<GenericRecord>builder(HadoopOutputFile.fromPath(tmp, conf))
              .withSchema(schema)
              .withConf(conf)
              .withDataModel(GenericData.get())
              .withCompressionCodec(CompressionCodecName.SNAPPY)
              .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
              .build()) {
        for (GenericRecord row : rows) {
          writer.write(row);
        }
      }
      FileSystem fs = dir.getFileSystem(conf);
      if (fs.exists(part)) {
        fs.delete(part, false);
      }
      if (!fs.rename(tmp, part)) {
        throw new IOException("rename to " + part + " failed");
      }
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

  /** The local paths of an entity's staged parts for one load. */
  public List<java.nio.file.Path> stagedParts(Entity entity, long loadId) {
    List<java.nio.file.Path> parts = new ArrayList<>();
    for (FileStatus f : list(stagedTable(entity, loadId))) {
      parts.add(java.nio.file.Path.of(f.getPath().toUri()));
    }
    return parts;
  }

  /**
   * Copies an entity's staged parts into the lake: {@code
   * <lake>/<table>/tenant=<id>/<partition>=<value>/}. For directory entities, a load replaces the
   * parts of the same tenant's earlier loads in the same load-date partition (the partition holds
   * that day's state); log parts are added. Idempotent.
   */
  public int publish(Entity entity, String tenantId, long loadId) {
    try {
      FileSystem lakeFs = lake.getFileSystem(conf);
      Path source = stagedTable(entity, loadId);
      int published = 0;
      List<Path> partitions = new ArrayList<>();
      for (FileStatus f : list(source)) {
        Path partitionDir =
            new Path(
                new Path(new Path(lake, entity.name()), TENANT_PARTITION + "=" + tenantId),
                f.getPath().getParent().getName());
        Path target = new Path(partitionDir, f.getPath().getName());
        Path tmp = new Path(partitionDir, "." + f.getPath().getName() + ".tmp");
        FileUtil.copy(f.getPath().getFileSystem(conf), f.getPath(), lakeFs, tmp, false, true, conf);
        if (lakeFs.exists(target)) {
          lakeFs.delete(target, false);
        }
        if (!lakeFs.rename(tmp, target)) {
          throw new IOException("rename to " + target + " failed");
        }
        if (!partitions.contains(partitionDir)) {
          partitions.add(partitionDir);
        }
        published++;
      }
      if (!entity.isLog()) {
        String mine = "part-" + loadId + "-";
        for (Path dir : partitions) {
          for (FileStatus old : lakeFs.listStatus(dir)) {
            String name = old.getPath().getName();
            if (name.endsWith(".parquet") && !name.startsWith(mine)) {
              lakeFs.delete(old.getPath(), false);
            }
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

  /** Deletes a finished load's staging directory. */
  public void discardStaging(long loadId) {
    try {
      Path dir = loadDir(loadId);
      dir.getFileSystem(conf).delete(dir, true);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot delete staging " + loadDir(loadId) + ": " + e.getMessage(), e);
    }
  }

  private List<FileStatus> list(Path dir) {
    List<FileStatus> out = new ArrayList<>();
    try {
      FileSystem fs = dir.getFileSystem(conf);
      if (!fs.exists(dir)) {
        return out;
      }
      RemoteIterator<LocatedFileStatus> files = fs.listFiles(dir, true);
      while (files.hasNext()) {
        LocatedFileStatus f = files.next();
        if (f.getPath().getName().endsWith(".parquet") && !f.getPath().getName().startsWith(".")) {
          out.add(f);
        }
      }
      out.sort((a, b) -> a.getPath().toString().compareTo(b.getPath().toString()));
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + dir + ": " + e.getMessage(), e);
    }
  }
}
