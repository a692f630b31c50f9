package io.entrawarehouse.read;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

/**
 * Several readers one after another, as one. Restart: the reader being read is saved under {@code
 * <name>.part}, and each reader saves its own position under its own keys.
 */
final class ConcatItemReader implements ItemStreamReader<JsonNode> {

  private final String key;
  private final List<ItemStreamReader<JsonNode>> parts;
  private int part;

  @SafeVarargs
  ConcatItemReader(String name, ItemStreamReader<JsonNode>... parts) {
    this.key = name + ".part";
    this.parts = List.of(parts);
  }

  @Override
  public void open(ExecutionContext context) {
    part = context.getInt(key, 0);
    for (ItemStreamReader<JsonNode> r : parts) {
      r.open(context);
    }
  }

  @Override
  public JsonNode read() throws Exception {
    for (; part < parts.size(); part++) {
      JsonNode item = parts.get(part).read();
      if (item != null) {
        return item;
      }
    }
    return null;
  }

  @Override
  public void update(ExecutionContext context) {
    for (ItemStreamReader<JsonNode> r : parts) {
      r.update(context);
    }
    context.putInt(key, Math.min(part, parts.size() - 1));
  }

  @Override
  public void close() {
    for (ItemStreamReader<JsonNode> r : parts) {
      r.close();
    }
  }
}
