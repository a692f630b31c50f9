package io.entrawarehouse.process;

import com.fasterxml.jackson.databind.JsonNode;
import io.entrawarehouse.warehouse.Column;
import io.entrawarehouse.warehouse.Entity;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
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

  private final Entity entity;
  private final Schema schema;
  private final String tenantId;
  private final long loadId;
  private final long loadedAtMicros;

  public WarehouseRowProcessor(Entity entity, String tenantId, long loadId, Instant loadedAt) {
    this.entity = entity;
    this.schema = entity.avroSchema();
    this.tenantId = tenantId;
    this.loadId = loadId;
    this.loadedAtMicros = Timestamps.micros(loadedAt);
  }

  @Override
  public GenericRecord process(JsonNode item) {
    // Positional puts: the schema is tenant, the entity's columns, then the load metadata.
    GenericRecord row = new GenericData.Record(schema);
    List<Column> columns = entity.columns();
    row.put(0, tenantId);
    for (int i = 0; i < columns.size(); i++) {
      row.put(i + 1, value(columns.get(i), item));
    }
    row.put(columns.size() + 1, loadId);
    row.put(columns.size() + 2, loadedAtMicros);
    return row;
  }

  private Object value(Column c, JsonNode item) {
    JsonNode node = item;
    for (String segment : c.segments()) {
      node = node == null ? null : node.get(segment);
    }
    if (node == null || node.isNull()) {
      return null;
    }
    if (c.name().equals("member_type") && node.isTextual()) {
      String type = node.asText();
      return type.startsWith("#microsoft.graph.")
          ? type.substring("#microsoft.graph.".length())
          : type;
    }
    return switch (c.type()) {
      case STRING -> node.isValueNode() ? node.asText() : node.toString();
      case JSON -> node.toString();
      case BOOLEAN -> {
        if (!node.isBoolean()) {
          throw malformed(c, item, node);
        }
        yield node.booleanValue();
      }
      case INT -> {
        if (!node.canConvertToInt()) {
          throw malformed(c, item, node);
        }
        yield node.intValue();
      }
      case LONG -> {
        if (!node.canConvertToLong()) {
          throw malformed(c, item, node);
        }
        yield node.longValue();
      }
      case DOUBLE -> {
        if (!node.isNumber()) {
          throw malformed(c, item, node);
        }
        yield node.doubleValue();
      }
      case TIMESTAMP -> {
        try {
          yield Timestamps.micros(node.asText());
        } catch (DateTimeParseException e) {
          throw malformed(c, item, node);
        }
      }
      case STRING_LIST -> {
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
        yield values;
      }
    };
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
            + c.type().name().toLowerCase(java.util.Locale.ROOT)
            + "; the item is skipped");
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
