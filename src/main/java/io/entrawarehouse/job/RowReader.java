package io.entrawarehouse.job;

import com.fasterxml.jackson.databind.JsonNode;
import io.entrawarehouse.process.MalformedItemException;
import io.entrawarehouse.process.WarehouseRowProcessor;
import io.entrawarehouse.read.DeltaItemReader;
import java.util.function.Function;
import org.apache.avro.generic.GenericRecord;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

/**
 * A Graph reader whose items are made rows as they are read, so that a chunk holds rows, not JSON
 * trees. A chunk of 5,000 sign-ins is about 40 MB as trees and a fifth of that as rows, and a load
 * runs several chunks at once: held as trees they kept a 128 MB heap full, and full collections
 * took a quarter of the load's CPU. A malformed item fails the read with {@link
 * MalformedItemException}, which the step skips (a read skip) and which carries the item for the
 * rejected items' file. Its position is the wrapped reader's. Thread-safe when the wrapped reader
 * is (a log's slices share one).
 */
final class RowReader implements ItemStreamReader<GenericRecord> {

  private final ItemStreamReader<JsonNode> items;
  private final DeltaItemReader delta;
  private final Function<DeltaItemReader.Mode, WarehouseRowProcessor> processors;
  private volatile WarehouseRowProcessor processor;
  private volatile DeltaItemReader.Mode mode;

  /**
   * @param processors the processor for a delta reader's mode (null for other readers): a delta
   *     round's rows keep Graph's JSON until merged
   */
  RowReader(
      ItemStreamReader<JsonNode> items,
      Function<DeltaItemReader.Mode, WarehouseRowProcessor> processors) {
    this.items = items;
    this.delta = items instanceof DeltaItemReader d ? d : null;
    this.processors = processors;
  }

  @Override
  public GenericRecord read() throws Exception {
    JsonNode item = items.read();
    if (item == null) {
      return null;
    }
    DeltaItemReader.Mode now = delta == null ? null : delta.mode();
    WarehouseRowProcessor p = processor;
    if (p == null || now != mode) {
      p = processors.apply(now);
      mode = now;
      processor = p;
    }
    return p.process(item);
  }

  @Override
  public void open(ExecutionContext context) {
    items.open(context);
  }

  @Override
  public void update(ExecutionContext context) {
    items.update(context);
  }

  @Override
  public void close() {
    items.close();
  }
}
