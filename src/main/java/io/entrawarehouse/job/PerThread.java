package io.entrawarehouse.job;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.avro.generic.GenericRecord;
import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStream;
import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.batch.infrastructure.item.ItemStreamWriter;

/**
 * An item stream made for each thread that opens it, from the step's context (a log slice's
 * window): a log's slices run the same step on several threads at once, and a step's stream is
 * opened, used and closed on one thread. Thread-safe in that sense; restarts as the stream it
 * makes.
 */
abstract class PerThread<T extends ItemStream> implements ItemStream {
  private final Function<ExecutionContext, T> make;
  private final ThreadLocal<T> current = new ThreadLocal<>();

  PerThread(Function<ExecutionContext, T> make) {
    this.make = make;
  }

  T current() {
    return current.get();
  }

  @Override
  public void open(ExecutionContext context) {
    current.set(make.apply(context));
    current.get().open(context);
  }

  @Override
  public void update(ExecutionContext context) {
    current.get().update(context);
  }

  @Override
  public void close() {
    T stream = current.get();
    if (stream != null) {
      stream.close();
      current.remove();
    }
  }

  /** A reader made when its step opens, from the step's context, one for each thread. */
  static final class Reader extends PerThread<ItemStreamReader<JsonNode>>
      implements ItemStreamReader<JsonNode> {
    Reader(Function<ExecutionContext, ItemStreamReader<JsonNode>> make) {
      super(make);
    }

    @Override
    public JsonNode read() throws Exception {
      return current().read();
    }
  }

  /** A writer made for each thread when it opens (a log's slices write side by side). */
  static final class Writer extends PerThread<ItemStreamWriter<GenericRecord>>
      implements ItemStreamWriter<GenericRecord> {
    Writer(Supplier<ItemStreamWriter<GenericRecord>> make) {
      super(context -> make.get());
    }

    @Override
    public void write(Chunk<? extends GenericRecord> items) throws Exception {
      current().write(items);
    }
  }
}
