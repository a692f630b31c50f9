package io.entrawarehouse.warehouse;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;

/**
 * Everything about one loaded entity in one place: its Graph endpoint and default $select, its
 * warehouse table, columns, Avro schema and partitioning. Generic readers, processors and writers
 * are configured from it; adding an entity means adding one of these.
 *
 * @param name the entity and table name (snake_case): users, sign_ins, …
 * @param what how messages name it
 * @param path the Graph collection path, e.g. {@code /auditLogs/signIns}
 * @param pageSize the $top asked for: Graph's maximum for the endpoint
 * @param timeProperty for logs, the event-time property windows filter on; null otherwise
 * @param columns the warehouse columns after {@code tenant_id}
 * @param idColumns the columns whose values, joined by "/", identify a row
 */
public record Entity(
    String name,
    String what,
    String path,
    int pageSize,
    String timeProperty,
    List<Column> columns,
    List<String> idColumns) {

  /** Columns every row carries besides the entity's own. */
  public static final String TENANT = "tenant_id";

  public static final String LOAD_ID = "load_id";
  public static final String LOADED_AT = "loaded_at";

  public boolean isLog() {
    return timeProperty != null;
  }

  /** The Hive partition column: event date for logs, load date for directory entities. */
  public String partitionColumn() {
    return isLog() ? "event_date" : "load_date";
  }

  /** The default $select: every property a column reads, never Graph's short default set. */
  public String defaultSelect() {
    Set<String> properties = new LinkedHashSet<>();
    for (Column c : columns) {
      if (!c.path().startsWith("@")) {
        properties.add(c.property());
      }
    }
    return String.join(",", properties);
  }

  /** For logs, the column holding the event time. */
  public Column timeColumn() {
    return columns.stream().filter(c -> c.path().equals(timeProperty)).findFirst().orElseThrow();
  }

  public Column column(String name) {
    return columns.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
  }

  /** The Avro schema of a warehouse row: tenant, the entity's columns, load metadata. */
  public Schema avroSchema() {
    SchemaBuilder.FieldAssembler<Schema> fields =
        SchemaBuilder.record(name).namespace("io.entrawarehouse.warehouse").fields();
    fields.name(TENANT).type().stringType().noDefault();
    for (Column c : columns) {
      fields.name(c.name()).type(nullable(avroType(c.type()))).withDefault(null);
    }
    fields.name(LOAD_ID).type().longType().noDefault();
    fields.name(LOADED_AT).type(timestampMicros()).noDefault();
    return fields.endRecord();
  }

  /** The row schema reduced to the id columns: a read projection for finding rows by id. */
  public Schema idSchema() {
    SchemaBuilder.FieldAssembler<Schema> fields =
        SchemaBuilder.record(name).namespace("io.entrawarehouse.warehouse").fields();
    for (String id : idColumns) {
      fields.name(id).type(nullable(avroType(column(id).type()))).withDefault(null);
    }
    return fields.endRecord();
  }

  /** The names of all warehouse columns, in order. */
  public List<String> allColumns() {
    List<String> names = new ArrayList<>();
    names.add(TENANT);
    columns.forEach(c -> names.add(c.name()));
    names.add(LOAD_ID);
    names.add(LOADED_AT);
    return names;
  }

  /** CREATE TABLE for DuckDB; the files in sql/ are this text. */
  public String duckdbDdl() {
    StringBuilder b = new StringBuilder("CREATE TABLE IF NOT EXISTS ").append(name).append(" (\n");
    b.append("  ").append(TENANT).append(" VARCHAR NOT NULL,\n");
    for (Column c : columns) {
      b.append("  ").append(c.name()).append(' ').append(c.type().duckdb()).append(",\n");
    }
    b.append("  ").append(LOAD_ID).append(" BIGINT NOT NULL,\n");
    b.append("  ").append(LOADED_AT).append(" TIMESTAMPTZ NOT NULL\n");
    return b.append(");\n").toString();
  }

  private static Schema avroType(Column.Type type) {
    return switch (type) {
      case STRING, JSON -> Schema.create(Schema.Type.STRING);
      case BOOLEAN -> Schema.create(Schema.Type.BOOLEAN);
      case INT -> Schema.create(Schema.Type.INT);
      case LONG -> Schema.create(Schema.Type.LONG);
      case DOUBLE -> Schema.create(Schema.Type.DOUBLE);
      case TIMESTAMP -> timestampMicros();
      case STRING_LIST -> Schema.createArray(Schema.create(Schema.Type.STRING));
    };
  }

  private static Schema timestampMicros() {
    return LogicalTypes.timestampMicros().addToSchema(Schema.create(Schema.Type.LONG));
  }

  private static Schema nullable(Schema s) {
    return Schema.createUnion(Schema.create(Schema.Type.NULL), s);
  }
}
