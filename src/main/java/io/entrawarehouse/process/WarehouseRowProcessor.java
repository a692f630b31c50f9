package io.entrawarehouse.process;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entrawarehouse.warehouse.Column;
import io.entrawarehouse.warehouse.Entity;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.springframework.batch.infrastructure.item.ItemProcessor;

/**
 * Maps a Graph item (wire JSON) to a flat warehouse row (Avro record) as the entity's columns say.
 * Pure: no I/O. Never returns null; an item a column cannot read fails with {@link
 * MalformedItemException}, which the step skips and logs.
 */
public class WarehouseRowProcessor implements ItemProcessor<JsonNode, GenericRecord> {

  /** Converts a column's non-null JSON value; {@code item} is for messages. */
  private interface Reader {
    Object read(JsonNode value, JsonNode item);
  }

  private final Entity entity;
  private final Schema schema;
  private final String tenantId;
  private final long loadId;
  private final long loadedAtMicros;
  private final List<Column> columns;
  private final Reader[] readers;
  private final UnaryOperator<JsonNode>[] transforms;

  private final boolean rawJson;

  /**
   * @param rawJson whether to keep the item's JSON, as Graph sent it, in {@code raw_json}
   */
  public WarehouseRowProcessor(
      Entity entity, String tenantId, long loadId, Instant loadedAt, boolean rawJson) {
    this.entity = entity;
    this.rawJson = rawJson;
    this.schema = entity.avroSchema();
    this.tenantId = tenantId;
    this.loadId = loadId;
    this.loadedAtMicros = Timestamps.micros(loadedAt);
    this.columns = entity.columns();
    // One small reader per column, chosen once: the per-row work is a path walk and a call whose
    // target never changes, which the JIT compiles once per column type rather than recompiling
    // one large switch as each entity's shapes arrive.
    this.readers = new Reader[columns.size()];
    @SuppressWarnings("unchecked")
    UnaryOperator<JsonNode>[] t = new UnaryOperator[columns.size()];
    this.transforms = t;
    for (int i = 0; i < readers.length; i++) {
      readers[i] = reader(columns.get(i));
      transforms[i] = columns.get(i).transform();
    }
  }

  @Override
  public GenericRecord process(JsonNode item) {
    // Positional puts: the schema is tenant, the entity's columns, then the load metadata.
    GenericRecord row = new GenericData.Record(schema);
    row.put(0, tenantId);
    for (int i = 0; i < readers.length; i++) {
      JsonNode node = item;
      for (String segment : columns.get(i).segments()) {
        node = node.get(segment);
        if (node == null) {
          break;
        }
      }
      UnaryOperator<JsonNode> transform = transforms[i];
      if (node != null && transform != null && !node.isNull()) {
        node = transform.apply(node);
      }
      row.put(i + 1, node == null || node.isNull() ? null : readers[i].read(node, item));
    }
    row.put(readers.length + 1, loadId);
    row.put(readers.length + 2, loadedAtMicros);
    if (rawJson) {
      entity.removeSecrets(item);
      row.put(readers.length + 3, graphJson(item));
    }
    return row;
  }

  private Reader reader(Column c) {
    switch (c.type()) {
      case STRING:
        return (node, item) -> node.isValueNode() ? node.asText() : node.toString();
      case JSON:
        return (node, item) -> node.toString();
      case BOOLEAN:
        return (node, item) -> {
          if (!node.isBoolean()) {
            throw malformed(c, item, node);
          }
          return node.booleanValue();
        };
      case INT:
        return (node, item) -> {
          if (!node.canConvertToInt()) {
            throw malformed(c, item, node);
          }
          return node.intValue();
        };
      case LONG:
        return (node, item) -> {
          if (!node.canConvertToLong()) {
            throw malformed(c, item, node);
          }
          return node.longValue();
        };
      case DOUBLE:
        return (node, item) -> {
          if (!node.isNumber()) {
            throw malformed(c, item, node);
          }
          return node.doubleValue();
        };
      case TIMESTAMP:
        return (node, item) -> {
          try {
            return Timestamps.micros(node.asText());
          } catch (DateTimeParseException e) {
            throw malformed(c, item, node);
          }
        };
      case STRING_LIST:
        return (node, item) -> {
          if (!node.isArray()) {
            throw malformed(c, item, node);
          }
          List<String> values = new ArrayList<>(node.size());
          for (JsonNode element : node) {
            JsonNode v = c.field() == null ? element : element.get(c.field());
            if (v != null && !v.isNull()) {
              values.add(v.asText());
            }
          }
          return values;
        };
      default:
        throw new IllegalArgumentException("no reader for column type " + c.type());
    }
  }

  /** The fields readers add to an item: the parent's id, a looked-up value. */
  private static final String[] ADDED = {
    Entity.Parent.FIELD, Entity.Lookup.FIELD, Entity.ARRAY, Entity.SOURCE
  };

  /**
   * The item as Graph sent it: without the fields readers add (taken out and put back, since a
   * retried chunk processes the item again).
   */
  private static String graphJson(JsonNode item) {
    if (!(item instanceof ObjectNode o) || Arrays.stream(ADDED).noneMatch(o::has)) {
      return item.toString();
    }
    JsonNode[] taken = new JsonNode[ADDED.length];
    for (int i = 0; i < ADDED.length; i++) {
      taken[i] = o.remove(ADDED[i]);
    }
    try {
      return o.toString();
    } finally {
      for (int i = 0; i < ADDED.length; i++) {
        if (taken[i] != null) {
          o.set(ADDED[i], taken[i]);
        }
      }
    }
  }

  private MalformedItemException malformed(Column c, JsonNode item, JsonNode value) {
    JsonNode id = item.get("id");
    return new MalformedItemException(
        entity.what()
            + " item "
            + (id == null ? "(no id)" : id.asText())
            + ": property '"
            + c.path()
            + "' is "
            + abbreviate(value.toString())
            + ", not a "
            + c.type().name().toLowerCase(Locale.ROOT)
            + "; the item is skipped",
        item);
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
