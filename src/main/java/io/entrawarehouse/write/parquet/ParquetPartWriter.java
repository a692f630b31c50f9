package io.entrawarehouse.write.parquet;

import io.entrawarehouse.warehouse.Entity;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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

  private final Entity entity;
  private final Schema schema;
  private final Lake lake;
  private final java.util.function.LongSupplier loadId;
  private final String loadDate;
  private int chunk;

  /**
   * @param loadId the load's id (the job instance id), known once the job has started
   */
  public ParquetPartWriter(
      Entity entity, Lake lake, java.util.function.LongSupplier loadId, LocalDate loadDate) {
    this.entity = entity;
    this.schema = entity.avroSchema();
    this.lake = lake;
    this.loadId = loadId;
    this.loadDate = loadDate.toString();
  }

  @Override
  public void open(ExecutionContext context) {
    chunk = context.getInt(entity.name() + ".chunk", 0);
  }

  @Override
  public void write(Chunk<? extends GenericRecord> items) {
    Map<String, List<GenericRecord>> byPartition = new TreeMap<>();
    for (GenericRecord row : items) {
      byPartition.computeIfAbsent(partition(row), k -> new ArrayList<>()).add(row);
    }
    for (Map.Entry<String, List<GenericRecord>> e : byPartition.entrySet()) {
      lake.writePart(entity, schema, loadId.getAsLong(), e.getKey(), chunk, e.getValue());
    }
    chunk++;
  }

  private String partition(GenericRecord row) {
    if (!entity.isLog()) {
      return loadDate;
    }
    Object micros = row.get(entity.timeColumn().name());
    if (!(micros instanceof Long m)) {
      return "unknown";
    }
    return LocalDate.ofInstant(Instant.EPOCH.plusNanos(m * 1_000), ZoneOffset.UTC).toString();
  }

  @Override
  public void update(ExecutionContext context) {
    context.putInt(entity.name() + ".chunk", chunk);
  }
}
