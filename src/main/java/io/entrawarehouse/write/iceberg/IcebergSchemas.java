package io.entrawarehouse.write.iceberg;

import io.entrawarehouse.warehouse.Column;
import io.entrawarehouse.warehouse.Entity;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * An entity's Iceberg schema and partitioning, from the same descriptor as its Avro schema and
 * DuckDB DDL: the tenant, the entity's columns (optional, as Graph may omit any), the load's id and
 * time. Partitioned by tenant, and logs by the UTC day of their event time.
 */
public final class IcebergSchemas {

  private IcebergSchemas() {}

  public static Schema schema(Entity entity) {
    List<Types.NestedField> fields = new ArrayList<>();
    int[] id = {entity.columns().size() + 5}; // after the top-level fields 1..n+4
    int field = 1;
    fields.add(Types.NestedField.required(field++, Entity.TENANT, Types.StringType.get()));
    for (Column c : entity.columns()) {
      fields.add(Types.NestedField.optional(field++, c.name(), type(c.type(), id)));
    }
    fields.add(Types.NestedField.required(field++, Entity.LOAD_ID, Types.LongType.get()));
    fields.add(
        Types.NestedField.required(field++, Entity.LOADED_AT, Types.TimestampType.withZone()));
    fields.add(Types.NestedField.optional(field, Entity.RAW_JSON, Types.StringType.get()));
    return new Schema(fields);
  }

  private static Type type(Column.Type type, int[] nextId) {
    return switch (type) {
      case STRING, JSON -> Types.StringType.get();
      case BOOLEAN -> Types.BooleanType.get();
      case INT -> Types.IntegerType.get();
      case LONG -> Types.LongType.get();
      case DOUBLE -> Types.DoubleType.get();
      // parquet-avro writes timestamp-micros adjusted to UTC: an instant.
      case TIMESTAMP -> Types.TimestampType.withZone();
      case STRING_LIST -> Types.ListType.ofRequired(nextId[0]++, Types.StringType.get());
    };
  }

  public static PartitionSpec spec(Entity entity, Schema schema) {
    PartitionSpec.Builder spec = PartitionSpec.builderFor(schema).identity(Entity.TENANT);
    if (entity.isLog()) {
      spec.day(entity.timeColumn().name());
    }
    return spec.build();
  }
}
