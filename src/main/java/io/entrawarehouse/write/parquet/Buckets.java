package io.entrawarehouse.write.parquet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;

/**
 * Rows split by a hash of their id into as many buckets as keep each under a given number of rows,
 * so that work holding state per id (comparing a table's rows with its history, merging a delta
 * round) runs one bucket at a time in memory that does not grow with the tenant. A source is
 * spilled once, one local Avro file per bucket (each writer buffers one block, not its bucket);
 * with one bucket nothing is spilled and the source is read as it is. Rows keep their order within
 * a bucket.
 *
 * <p>Not thread-safe. {@link #close} deletes the spill; a killed process leaves it in the load's
 * staging directory, which the load's end deletes.
 */
public final class Buckets implements AutoCloseable {

  /** Rows given bucket by bucket: {@code forEach(b, …)} gives those of bucket b. */
  public interface Source {
    void forEach(int bucket, Consumer<GenericRecord> row);
  }

  private final int count;
  private final Path dir;
  private final Function<GenericRecord, String> id;

  /**
   * @param rows the most rows any source to split holds
   * @param perBucket the most rows a bucket should hold
   * @param dir where spilled buckets go (created when needed, deleted by {@link #close})
   * @param id a row's id, which decides its bucket
   */
  public Buckets(long rows, long perBucket, Path dir, Function<GenericRecord, String> id) {
    this.count = (int) Math.max(1, Math.min(4096, (rows + perBucket - 1) / perBucket));
    this.dir = dir;
    this.id = id;
  }

  public int count() {
    return count;
  }

  /** The bucket of an id. */
  public int of(String id) {
    if (count == 1) {
      return 0;
    }
    // String.hashCode spreads ids poorly in its low bits: mixed as MurmurHash3's finalizer does.
    int h = id.hashCode();
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return Math.floorMod(h, count);
  }

  /**
   * A source split into the buckets.
   *
   * @param name the spill's file name prefix, unique among this instance's sources
   * @param schema the rows' schema
   * @param rows gives every row of the source to a consumer, once per call
   */
  public Source split(String name, Schema schema, Consumer<Consumer<GenericRecord>> rows) {
    if (count == 1) {
      return (bucket, row) -> rows.accept(row);
    }
    Path[] files = new Path[count];
    @SuppressWarnings("unchecked")
    DataFileWriter<GenericRecord>[] writers = new DataFileWriter[count];
    try {
      Files.createDirectories(dir);
      for (int b = 0; b < count; b++) {
        files[b] = dir.resolve(name + "-" + b + ".avro");
        writers[b] = new DataFileWriter<GenericRecord>(new GenericDatumWriter<>(schema));
        writers[b].create(schema, files[b].toFile());
      }
      rows.accept(
          row -> {
            try {
              writers[of(id.apply(row))].append(row);
            } catch (IOException e) {
              throw new UncheckedIOException(spillFailed(e), e);
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException(spillFailed(e), e);
    } finally {
      for (DataFileWriter<GenericRecord> w : writers) {
        if (w != null) {
          try {
            w.close();
          } catch (IOException e) {
            throw new UncheckedIOException(spillFailed(e), e);
          }
        }
      }
    }
    return (bucket, row) -> {
      try (DataFileReader<GenericRecord> in =
          new DataFileReader<>(
              files[bucket].toFile(),
              new GenericDatumReader<>(schema, schema, GenericData.get()))) {
        while (in.hasNext()) {
          row.accept(in.next());
        }
      } catch (IOException e) {
        throw new UncheckedIOException(
            "Reading back " + files[bucket] + " failed: " + e.getMessage(), e);
      }
    };
  }

  private String spillFailed(IOException e) {
    return "Spilling rows to "
        + dir
        + " failed: "
        + e.getMessage()
        + ". Check free space in the staging directory.";
  }

  @Override
  public void close() {
    Staging.deleteTree(dir);
  }
}
