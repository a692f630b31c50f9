package io.entrawarehouse.write.parquet;

import io.entrawarehouse.warehouse.Entity;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;
import org.apache.parquet.avro.AvroSchemaConverter;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * The Parquet schema a part is written with: parquet-avro's conversion of the entity's Avro schema
 * (so its writer lays out the fields), carrying the field ids of the lake table's schema. With the
 * ids in the files, every reader (Iceberg's own, Spark, Trino) resolves columns by id, so a table
 * whose schema has evolved reads its old and new files alike; without them, readers that ignore the
 * name mapping fall back to column positions.
 */
public final class ParquetSchemas {

  private ParquetSchemas() {}

  /** The entity's Parquet schema without field ids (staging before any table exists). */
  public static MessageType plain(Entity entity, Configuration conf) {
    return new AvroSchemaConverter(conf).convert(entity.avroSchema());
  }

  /** The entity's Parquet schema with the ids of the table schema's fields of the same names. */
  public static MessageType withIds(Entity entity, Schema table, Configuration conf) {
    MessageType plain = plain(entity, conf);
    List<Type> fields = new ArrayList<>();
    for (Type f : plain.getFields()) {
      Types.NestedField field = table.findField(f.getName());
      fields.add(field == null ? f : withId(f, field));
    }
    return new MessageType(plain.getName(), fields);
  }

  private static Type withId(Type f, Types.NestedField field) {
    if (field.type().isListType() && !f.isPrimitive()) {
      // Three-level LIST: <name> (LIST) { repeated group list { element } }
      GroupType list = f.asGroupType();
      GroupType repeated = list.getType(0).asGroupType();
      Type element = repeated.getType(0).withId(field.type().asListType().elementId());
      GroupType newRepeated = repeated.withNewFields(element);
      return list.withNewFields(newRepeated).withId(field.fieldId());
    }
    return f.withId(field.fieldId());
  }
}
