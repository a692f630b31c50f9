package io.entrawarehouse.write.parquet;

import io.entrawarehouse.warehouse.Column;
import io.entrawarehouse.warehouse.Entity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroReadSupport;
import org.apache.parquet.avro.AvroWriteSupport;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.schema.MessageType;

/**
 * A load's Parquet parts on local disk, before the lake commits them: {@code
 * <staging>/load-<id>/<table>/<partition>=<value>/part-<id>-<chunk>.parquet}. Names are
 * deterministic, so a chunk replayed after a crash rewrites the same part; each part is written
 * under a hidden name and renamed, so no half-written part is ever listed. Also the one place that
 * says how every part is written and how a part is rewritten without some rows, for the staged
 * parts and the lake's files alike. Thread-safe for distinct parts.
 */
public final class Staging {

  /** The partition value of log rows without an event time. */
  public static final String NO_TIME = "unknown";

  private final Path directory;
  private final Configuration conf;
  private final Function<Entity, MessageType> schemas;
  private long bucketRows = 100_000;

  /**
   * @param schemas the Parquet schema of each entity's parts ({@link ParquetSchemas}): the lake
   *     table's field ids included
   */
  public Staging(Path directory, Configuration conf, Function<Entity, MessageType> schemas) {
    this.directory = directory.toAbsolutePath();
    this.conf = conf;
    this.schemas = schemas;
  }

  /** Staging whose parts carry no field ids (tests of the staging alone). */
  public Staging(Path directory, Configuration conf) {
    this(directory, conf, e -> ParquetSchemas.plain(e, conf));
  }

  private Path loadDir(long loadId) {
    return directory.resolve("load-" + loadId);
  }

  /**
   * Sets the most rows per-id work on a load's rows holds in memory at once (a bucket); the rest is
   * spilled to {@link #scratch}. Default 100,000.
   */
  public Staging withBucketRows(long rows) {
    this.bucketRows = rows;
    return this;
  }

  public long bucketRows() {
    return bucketRows;
  }

  /**
   * A load's scratch folder for spilled rows ({@code load-<id>/.scratch/<name>}): never a staged
   * part, deleted with the load's staging.
   */
  public Path scratch(long loadId, String name) {
    return loadDir(loadId).resolve(".scratch").resolve(name);
  }

  /**
   * The scratch folder of the load a staged part belongs to ({@code
   * load-<id>/<entity>/<partition>/part-….parquet}): {@link #scratch} for a caller that has the
   * part, not the load's id.
   */
  public static Path scratchBeside(Path stagedPart, String name) {
    return stagedPart.getParent().getParent().getParent().resolve(".scratch").resolve(name);
  }

  /** The rows of local Parquet files, from their footers. */
  public static long rows(List<Path> parts) {
    long rows = 0;
    for (Path part : parts) {
      rows += Repeats.rows(new LocalInputFile(part));
    }
    return rows;
  }

  private Path stagedTable(Entity entity, long loadId) {
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
    writePart(entity, schema, loadId, partition, 0, chunk, rows);
  }

  /**
   * Writes one part of a read's round (0 but for a delta read that fell back to a full one);
   * replaces an earlier part of the same name (a replayed chunk).
   */
  public void writePart(
      Entity entity,
      Schema schema,
      long loadId,
      String partition,
      int round,
      int chunk,
      List<? extends GenericRecord> rows) {
    Path dir = stagedTable(entity, loadId).resolve(entity.partitionColumn() + "=" + partition);
    String name =
        round == 0
            ? String.format(Locale.ROOT, "part-%d-%06d.parquet", loadId, chunk)
            : String.format(Locale.ROOT, "part-%d-r%d-%06d.parquet", loadId, round, chunk);
    Path tmp = dir.resolve("." + name + ".tmp");
    Path part = dir.resolve(name);
    try {
      Files.createDirectories(dir);
      try (ParquetWriter<GenericRecord> writer =
          writer(entity, schema, schemas.apply(entity), new LocalOutputFile(tmp), conf)) {
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

  /**
   * A part written row by row (a table's merged rows, its new history), at {@code
   * load-<id>/<folder>/<name>.parquet}, apart from the parts the steps stage: visible under its
   * name only once {@link Output#close} has written it whole.
   */
  public Output output(Entity entity, long loadId, String folder, String name) {
    Path dir = loadDir(loadId).resolve(folder);
    Path part = dir.resolve(name + ".parquet");
    Path tmp = dir.resolve("." + name + ".parquet.tmp");
    try {
      Files.createDirectories(dir);
      // A whole table goes through one writer: smaller row groups than Parquet's 128 MB bound
      // what it holds in memory before writing.
      return new Output(
          part,
          tmp,
          writer(
              entity,
              entity.avroSchema(),
              schemas.apply(entity),
              new LocalOutputFile(tmp),
              conf,
              OUTPUT_ROW_GROUP));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot write " + part + ": " + e.getMessage() + ". Check free space and permissions.",
          e);
    }
  }

  /** The row group size of a part written row by row ({@link #output}). */
  static final long OUTPUT_ROW_GROUP = 16L * 1024 * 1024;

  /** A part being written: {@link #write} rows, then {@link #close} to publish it. */
  public static final class Output implements AutoCloseable {
    private final Path part;
    private final Path tmp;
    private final ParquetWriter<GenericRecord> writer;

    private Output(Path part, Path tmp, ParquetWriter<GenericRecord> writer) {
      this.part = part;
      this.tmp = tmp;
      this.writer = writer;
    }

    public void write(GenericRecord row) {
      try {
        writer.write(row);
      } catch (IOException e) {
        throw new UncheckedIOException(
            "Writing " + part + " failed: " + e.getMessage() + ". Check free space.", e);
      }
    }

    public Path path() {
      return part;
    }

    /** Finishes the part and gives it its name (atomically). */
    @Override
    public void close() {
      try {
        writer.close();
        Files.move(tmp, part, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw new UncheckedIOException(
            "Writing " + part + " failed: " + e.getMessage() + ". Check free space.", e);
      }
    }
  }

  /**
   * Reads the rows of a Parquet file (a staged part or a lake data file) as the entity's current
   * schema has them: a column the file lacks (written before it was added) is null. Close it.
   */
  public static ParquetReader<GenericRecord> reader(
      Entity entity, InputFile file, Configuration conf) throws IOException {
    Configuration read = new Configuration(conf);
    AvroReadSupport.setAvroReadSchema(read, entity.avroSchema());
    return AvroParquetReader.<GenericRecord>builder(file, ParquetFiles.parquet(read))
        .withDataModel(GenericData.get())
        .build();
  }

  /**
   * A writer of parts: parquet-avro's write support laying out {@code avro} records as {@code
   * parquet} (with field ids), snappy, standard LISTs, per-column dictionary and statistics.
   */
  public static ParquetWriter<GenericRecord> writer(
      Entity entity, Schema avro, MessageType parquet, OutputFile file, Configuration conf)
      throws IOException {
    return writer(entity, avro, parquet, file, conf, ParquetWriter.DEFAULT_BLOCK_SIZE);
  }

  private static ParquetWriter<GenericRecord> writer(
      Entity entity,
      Schema avro,
      MessageType parquet,
      OutputFile file,
      Configuration conf,
      long rowGroupSize)
      throws IOException {
    PartWriterBuilder builder =
        new PartWriterBuilder(file, avro, parquet)
            .withConf(conf)
            .withCompressionCodec(CompressionCodecName.SNAPPY)
            .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
            .withRowGroupSize(rowGroupSize);
    for (Column c : entity.columns()) {
      if (!c.dictionary()) {
        builder.withDictionaryEncoding(c.parquetPath(), false);
      }
      if (c.type() == Column.Type.JSON) {
        // Min and max of JSON text prune nothing: not worth comparing every value.
        builder.withStatisticsEnabled(c.parquetPath(), false);
      }
    }
    return builder.build();
  }

  /** parquet-avro's write support with a given Parquet schema (AvroParquetWriter derives one). */
  private static final class PartWriterBuilder
      extends ParquetWriter.Builder<GenericRecord, PartWriterBuilder> {
    private final Schema avro;
    private final MessageType parquet;

    PartWriterBuilder(OutputFile file, Schema avro, MessageType parquet) {
      super(file);
      this.avro = avro;
      this.parquet = parquet;
    }

    @Override
    protected PartWriterBuilder self() {
      return this;
    }

    @Override
    protected WriteSupport<GenericRecord> getWriteSupport(Configuration conf) {
      return new AvroWriteSupport<>(parquet, avro, GenericData.get());
    }
  }

  /** The local paths of an entity's staged parts for one load, in name (chunk) order. */
  public List<Path> stagedParts(Entity entity, long loadId) {
    Path dir = stagedTable(entity, loadId);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files
          .filter(
              f -> {
                String name = f.getFileName().toString();
                return name.endsWith(".parquet") && !name.startsWith(".");
              })
          .sorted(Comparator.comparing(f -> f.getFileName().toString()))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The round a staged part was written in (its name's {@code -r<round>-}, else 0). */
  public static int round(Path part) {
    Matcher m = ROUND.matcher(part.getFileName().toString());
    return m.find() ? Integer.parseInt(m.group(1)) : 0;
  }

  private static final Pattern ROUND = Pattern.compile("^part-\\d+-r(\\d+)-");

  /** A staged part's partition value (the folder it is in): an event date, a load date, or null. */
  public static String partitionValue(Path part) {
    String folder = part.getParent().getFileName().toString();
    String value = folder.substring(folder.indexOf('=') + 1);
    return value.equals(NO_TIME) ? null : value;
  }

  /**
   * Leaves each id once among a load's staged parts, in its last (newest) read: a stream restarted
   * from its first page reads rows again, and Graph's paging over changing data can give an object
   * twice. Parts that hold an id a later part (or a later row of their own) holds too are rewritten
   * without it (under a hidden name, then renamed). Idempotent. Memory holds one {@link Buckets
   * bucket} of ids ({@link #bucketRows}).
   *
   * @return how many rows were removed
   */
  public long deduplicate(Entity entity, List<Path> parts) {
    // A computed table's reader emits each row once, and a replayed chunk rewrites its own part.
    if (parts.isEmpty() || !entity.readFromGraph()) {
      return 0;
    }
    List<Repeats.Source> files =
        parts.stream().map(p -> new Repeats.Source(new LocalInputFile(p), true)).toList();
    Path scratch = scratchBeside(parts.get(0), entity.name() + "-ids");
    Map<Integer, BitSet> superseded = Repeats.superseded(entity, files, conf, bucketRows, scratch);
    long removed = 0;
    try {
      for (Map.Entry<Integer, BitSet> e : superseded.entrySet()) {
        Path part = parts.get(e.getKey());
        Path tmp = part.resolveSibling("." + part.getFileName() + ".dedup");
        removed +=
            rewriteWithout(
                entity,
                new LocalInputFile(part),
                new LocalOutputFile(tmp),
                e.getValue(),
                schemas.apply(entity),
                conf);
        Files.move(tmp, part, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      }
      return removed;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Deduplicating the staged " + entity.name() + " parts failed: " + e.getMessage(), e);
    }
  }

  /**
   * Copies a part without the given rows (by row number, from 0), row by row, as the entity's
   * current schema has them.
   *
   * @return the rows left out
   */
  public static long rewriteWithout(
      Entity entity,
      InputFile in,
      OutputFile out,
      BitSet drop,
      MessageType parquet,
      Configuration conf)
      throws IOException {
    long left = 0;
    try (ParquetReader<GenericRecord> reader = reader(entity, in, conf);
        ParquetWriter<GenericRecord> writer =
            writer(entity, entity.avroSchema(), parquet, out, conf)) {
      int n = 0;
      for (GenericRecord row = reader.read(); row != null; row = reader.read(), n++) {
        if (drop.get(n)) {
          left++;
        } else {
          writer.write(row);
        }
      }
    }
    return left;
  }

  /** A row's id: its id columns joined by "/". */
  public static String id(Entity entity, GenericRecord row) {
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
  public void discard(long loadId) {
    Path dir = loadDir(loadId);
    deleteTree(dir);
    try {
      Files.deleteIfExists(directory);
    } catch (DirectoryNotEmptyException otherLoadsParts) {
      // Another load's parts (one that failed, to be resumed) keep the directory.
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete staging " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Deletes a local directory and everything under it; nothing when it does not exist. */
  public static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete " + dir + ": " + e.getMessage(), e);
    }
  }
}
