package io.entrawarehouse.write.parquet;

import io.entrawarehouse.warehouse.Entity;
import io.entrawarehouse.warehouse.KillPoints;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamWriter;

/**
 * Writes each chunk as Parquet parts in the load's staging area, one part per partition value: the
 * load date for directory entities, the event date (UTC) for logs.
 *
 * <p>Restart: the chunk number is saved under {@code <name>.chunk} when a chunk commits. A chunk
 * replayed after a crash gets the same number, so it rewrites the same part names with the same
 * rows: nothing is duplicated. A failed write throws and fails the chunk; nothing is dropped. Not
 * thread-safe.
 */
public class ParquetPartWriter implements ItemStreamWriter<GenericRecord> {

  private static final long MICROS_PER_DAY = 86_400_000_000L;

  private final Entity entity;
  private final Schema schema;
  private final Staging staging;
  private final LongSupplier loadId;
  private final String loadDate;
  private final int timeField;
  private final IntSupplier round;
  private int chunk;
  // Log rows arrive sorted by time, so consecutive rows mostly share their event date: the date
  // string is made once per day, not once per row.
  private long lastDay;
  private String lastDate;

  /**
   * @param loadId the load's id, known once the job has started
   */
  public ParquetPartWriter(
      Entity entity, Staging staging, LongSupplier loadId, LocalDate loadDate) {
    this(entity, staging, loadId, loadDate, () -> 0);
  }

  /**
   * @param round the read's round (a delta read that fell back to a full one is in round 1): parts
   *     are named after it, so a load commits only the last round's ({@link #ofRound})
   */
  public ParquetPartWriter(
      Entity entity, Staging staging, LongSupplier loadId, LocalDate loadDate, IntSupplier round) {
    this.round = round;
    this.entity = entity;
    this.schema = entity.avroSchema();
    this.staging = staging;
    this.loadId = loadId;
    this.loadDate = loadDate.toString();
    this.timeField = entity.isLog() ? schema.getField(entity.timeColumn().name()).pos() : -1;
  }

  /**
   * In the step context of one slice of a log's window (a partition): its number. Slice {@code n}
   * numbers its chunks from {@code n * 1,000,000}, so slices written side by side never name a part
   * alike.
   */
  public static final String SLICE = "slice.index";

  /** Chunks written by log slices in this process, for a kill point that counts them. */
  private static final AtomicInteger SLICE_WRITES = new AtomicInteger();

  private boolean slice;

  @Override
  public void open(ExecutionContext context) {
    chunk = context.getInt(entity.name() + ".chunk", context.getInt(SLICE, 0) * 1_000_000);
    slice = context.containsKey(SLICE);
  }

  @Override
  public void write(Chunk<? extends GenericRecord> items) {
    Map<String, List<GenericRecord>> byPartition = new TreeMap<>();
    for (GenericRecord row : items) {
      byPartition.computeIfAbsent(partition(row), k -> new ArrayList<>()).add(row);
    }
    for (Map.Entry<String, List<GenericRecord>> e : byPartition.entrySet()) {
      staging.writePart(
          entity, schema, loadId.getAsLong(), e.getKey(), round.getAsInt(), chunk, e.getValue());
    }
    // The part written, the chunk not committed; for slices, the n-th chunk any slice wrote.
    KillPoints.reached(
        slice
            ? "after-slice-write:" + entity.name() + ":" + SLICE_WRITES.incrementAndGet()
            : "after-write:" + entity.name());
    chunk++;
  }

  private String partition(GenericRecord row) {
    if (!entity.isLog()) {
      return loadDate;
    }
    Object micros = row.get(timeField);
    if (!(micros instanceof Long m)) {
      return Staging.NO_TIME;
    }
    long day = Math.floorDiv(m, MICROS_PER_DAY);
    if (day != lastDay || lastDate == null) {
      lastDay = day;
      lastDate = LocalDate.ofEpochDay(day).toString();
    }
    return lastDate;
  }

  /** The parts of one round, from all of a load's staged parts of the entity. */
  public static List<Path> ofRound(List<Path> parts, int round) {
    return parts.stream().filter(p -> Staging.round(p) == round).toList();
  }

  @Override
  public void update(ExecutionContext context) {
    context.putInt(entity.name() + ".chunk", chunk);
  }
}
