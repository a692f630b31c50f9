package io.entrawarehouse.write.parquet;

import io.entrawarehouse.warehouse.Entity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroReadSupport;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.InputFile;

/**
 * The rows that an id's later occurrence supersedes, among Parquet files taken in order: a row is
 * left out when a row with its id comes later (in a later file, or further on in the same one) in a
 * file that supersedes. A load's staged parts all supersede (each id is kept in its newest read); a
 * lake's earlier files do not, the load's parts after them do (events read again replace those the
 * lake held).
 *
 * <p>Only the id columns are read. Ids are compared one {@link Buckets bucket} at a time, spilled
 * beside the load's parts, so memory holds one bucket's ids however many rows the files hold.
 * Stateless.
 */
public final class Repeats {

  private static final Schema OCCURRENCE =
      SchemaBuilder.record("occurrence")
          .fields()
          .requiredString("id")
          .requiredLong("at")
          .endRecord();

  /** A file to compare, and whether its rows supersede earlier rows of the same id. */
  public record Source(InputFile file, boolean supersedes) {}

  private Repeats() {}

  /**
   * The superseded rows of each file (by its index in {@code files}, row numbers from 0); a file
   * with none is left out of the map.
   *
   * @param perBucket the most ids compared in memory at once
   * @param scratch where ids are spilled when they do not fit in one bucket (deleted after)
   */
  public static Map<Integer, BitSet> superseded(
      Entity entity, List<Source> files, Configuration conf, long perBucket, Path scratch) {
    Map<Integer, BitSet> out = new HashMap<>();
    if (files.isEmpty()) {
      return out;
    }
    long rows = 0;
    for (Source f : files) {
      rows += rows(f.file());
    }
    try (Buckets buckets = new Buckets(rows, perBucket, scratch, r -> r.get("id").toString())) {
      Buckets.Source occurrences =
          buckets.split(
              "ids",
              OCCURRENCE,
              emit -> {
                for (int i = 0; i < files.size(); i++) {
                  long fileBits = (long) i << 32;
                  forEachId(
                      entity,
                      files.get(i).file(),
                      conf,
                      (row, id) -> {
                        GenericRecord o = new GenericData.Record(OCCURRENCE);
                        o.put("id", id);
                        o.put("at", fileBits | row);
                        emit.accept(o);
                      });
                }
              });
      for (int b = 0; b < buckets.count(); b++) {
        // One pass in order: a superseding occurrence supersedes every earlier occurrence of its
        // id not yet superseded (held until then: one, or the few of non-superseding files).
        Map<String, Object> open = new HashMap<>(); // id -> Long, or long[] of several
        occurrences.forEach(
            b,
            o -> {
              long at = (Long) o.get("at");
              String id = o.get("id").toString();
              boolean supersedes = files.get((int) (at >>> 32)).supersedes();
              Object before = supersedes ? open.put(id, at) : open.merge(id, at, Repeats::both);
              if (supersedes && before != null) {
                if (before instanceof Long one) {
                  mark(out, one);
                } else {
                  for (long earlier : (long[]) before) {
                    mark(out, earlier);
                  }
                }
              }
            });
      }
    }
    return out;
  }

  private static Object both(Object held, Object added) {
    long[] earlier = held instanceof Long one ? new long[] {one} : (long[]) held;
    long[] all = Arrays.copyOf(earlier, earlier.length + 1);
    all[earlier.length] = (Long) added;
    return all;
  }

  private static void mark(Map<Integer, BitSet> out, long at) {
    out.computeIfAbsent((int) (at >>> 32), i -> new BitSet()).set((int) (at & 0xffffffffL));
  }

  /** Each row's number (from 0) and id, reading the id columns only. */
  private static void forEachId(
      Entity entity, InputFile file, Configuration conf, IdConsumer consumer) {
    Configuration projected = new Configuration(conf);
    AvroReadSupport.setRequestedProjection(projected, entity.idSchema());
    try (ParquetReader<GenericRecord> in =
        AvroParquetReader.<GenericRecord>builder(file, ParquetFiles.parquet(projected))
            .withDataModel(GenericData.get())
            .build()) {
      int n = 0;
      for (GenericRecord row = in.read(); row != null; row = in.read()) {
        consumer.accept(n++, Staging.id(entity, row));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Reading the ids of " + entity.name() + " in " + file + " failed: " + e.getMessage(), e);
    }
  }

  private interface IdConsumer {
    void accept(int row, String id);
  }

  /** A Parquet file's rows, from its footer. */
  static long rows(InputFile file) {
    try (ParquetFileReader footer = ParquetFiles.footer(file)) {
      return footer.getRecordCount();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
