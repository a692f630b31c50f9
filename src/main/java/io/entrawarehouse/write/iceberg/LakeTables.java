package io.entrawarehouse.write.iceberg;

import io.entrawarehouse.warehouse.Entity;
import io.entrawarehouse.write.parquet.ParquetSchemas;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.UpdateSchema;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.mapping.MappingUtil;
import org.apache.iceberg.mapping.NameMappingParser;
import org.apache.iceberg.types.Types.NestedField;
import org.apache.parquet.schema.MessageType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lake's tables, one per warehouse table: found in the catalog, re-registered from their newest
 * metadata when the catalog lost them, or created; evolved to the entity's columns. Each is looked
 * up once per lake instance (one run). Thread-safe.
 */
final class LakeTables {

  private static final Logger log = LoggerFactory.getLogger(LakeTables.class);

  private final JdbcCatalog catalog;
  private final Configuration conf;
  private final FileSystem fs;
  private final String location;

  LakeTables(JdbcCatalog catalog, Configuration conf, FileSystem fs, String location) {
    this.catalog = catalog;
    this.conf = conf;
    this.fs = fs;
    this.location = location;
  }

  String tableLocation(Entity entity) {
    return location + "/" + IcebergLake.NAMESPACE.level(0) + "/" + entity.name();
  }

  /**
   * An entity's table: loaded; or re-registered from its latest metadata file when the catalog has
   * lost it (a job repository restored or recreated), so no earlier data is lost or overwritten; or
   * created. Columns the entity has and the table lacks are added (old rows read them as null).
   */
  synchronized Table table(Entity entity) {
    // Once per entity and lake instance (one run): each lookup reads the catalog and the table's
    // metadata file, and a commit refreshes the table it holds.
    Table known = tables.get(entity);
    if (known != null) {
      return known;
    }
    TableIdentifier id = IcebergLake.identifier(entity);
    if (!catalog.namespaceExists(IcebergLake.NAMESPACE)) {
      try {
        catalog.createNamespace(IcebergLake.NAMESPACE, Map.of());
      } catch (AlreadyExistsException createdMeanwhile) {
        // another worker
      } catch (RuntimeException e) {
        // Another worker's insert won the race: the JDBC catalog reports the duplicate key as a
        // failed statement, not as AlreadyExistsException.
        if (!catalog.namespaceExists(IcebergLake.NAMESPACE)) {
          throw e;
        }
      }
    }
    Table table = null;
    // A metadata file without a catalog entry is either a lost catalog's (register it) or another
    // worker's table being created this instant (its file half written, its entry not yet there):
    // look again a few times before taking a failed registration as final.
    for (int attempt = 1; table == null; attempt++) {
      if (catalog.tableExists(id)) {
        table = catalog.loadTable(id);
        break;
      }
      String latest = latestMetadata(entity);
      try {
        table = latest != null ? register(entity, id, latest) : create(entity, id);
      } catch (AlreadyExistsException createdMeanwhile) {
        table = catalog.loadTable(id);
      } catch (RuntimeException unreadable) {
        if (latest == null || attempt >= 20) {
          throw unreadable;
        }
        try {
          Thread.sleep(100L * attempt);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw unreadable;
        }
      }
    }
    evolve(entity, table);
    tables.put(entity, table);
    return table;
  }

  private final Map<Entity, Table> tables = new ConcurrentHashMap<>();

  private Table register(Entity entity, TableIdentifier id, String metadata) {
    Table table = catalog.registerTable(id, metadata);
    log.warn(
        "{}: the catalog had no entry for the table; registered its latest metadata {} (the job"
            + " repository was replaced?)",
        entity.name(),
        metadata);
    return table;
  }

  private Table create(Entity entity, TableIdentifier id) {
    Schema schema = IcebergSchemas.schema(entity);
    return catalog
        .buildTable(id, schema)
        .withLocation(tableLocation(entity))
        .withPartitionSpec(IcebergSchemas.spec(entity, schema))
        .withProperties(properties(schema))
        .create();
  }

  private static Map<String, String> properties(Schema schema) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put(TableProperties.FORMAT_VERSION, "2");
    p.put(
        TableProperties.DEFAULT_NAME_MAPPING, NameMappingParser.toJson(MappingUtil.create(schema)));
    p.put(TableProperties.DEFAULT_FILE_FORMAT, "parquet");
    // Workers loading other tenants commit to the same tables; 20 retries landed every commit of
    // two processes racing (NOTES.md), the default 4 did not.
    p.put(TableProperties.COMMIT_NUM_RETRIES, "20");
    p.put(TableProperties.METADATA_DELETE_AFTER_COMMIT_ENABLED, "true");
    p.put(TableProperties.METADATA_PREVIOUS_VERSIONS_MAX, "20");
    return p;
  }

  /** Adds the entity's columns the table lacks, and keeps the name mapping in step. */
  private static void evolve(Entity entity, Table table) {
    Schema wanted = IcebergSchemas.schema(entity);
    List<NestedField> missing =
        wanted.columns().stream().filter(c -> table.schema().findField(c.name()) == null).toList();
    if (!missing.isEmpty()) {
      // New columns are optional; the update gives them (and a list's element) fresh ids.
      UpdateSchema update = table.updateSchema();
      missing.forEach(c -> update.addColumn(c.name(), c.type(), c.doc()));
      update.commit();
      table
          .updateProperties()
          .set(
              TableProperties.DEFAULT_NAME_MAPPING,
              NameMappingParser.toJson(MappingUtil.create(table.schema())))
          .commit();
    }
  }

  /** The newest metadata file under the table's location, or null when there is none. */
  private String latestMetadata(Entity entity) {
    Path metadata = new Path(tableLocation(entity) + "/metadata");
    try {
      if (!fs.exists(metadata)) {
        return null;
      }
      String best = null;
      for (FileStatus f : fs.listStatus(metadata)) {
        String name = f.getPath().getName();
        if (name.endsWith(".metadata.json") && (best == null || version(name) > version(best))) {
          best = name;
        }
      }
      return best == null ? null : new Path(metadata, best).toString();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot list the metadata of "
              + entity.name()
              + " at "
              + metadata
              + ": "
              + e.getMessage(),
          e);
    }
  }

  private static long version(String metadataFile) {
    String digits = metadataFile.replaceAll("^v?(\\d+)[-.].*$", "$1");
    try {
      return Long.parseLong(digits);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private final Map<Entity, MessageType> parquetSchemas = new ConcurrentHashMap<>();

  /**
   * The Parquet schema an entity's parts are written with: its table's field ids included (the
   * table is created or evolved first). Made once per lake instance, that is per run.
   */
  MessageType parquetSchema(Entity entity) {
    return parquetSchemas.computeIfAbsent(
        entity, e -> ParquetSchemas.withIds(e, table(e).schema(), conf));
  }

  /** Whether the entity has a table (in the catalog, or metadata files to register). */
  boolean exists(Entity entity) {
    return catalog.tableExists(IcebergLake.identifier(entity)) || latestMetadata(entity) != null;
  }

  /** The load's commit to an entity's table, or null; creates nothing. */
  Snapshot committed(Entity entity, String loadUid) {
    TableIdentifier id = IcebergLake.identifier(entity);
    if (!catalog.tableExists(id)) {
      return null;
    }
    return IcebergLake.committed(catalog.loadTable(id), loadUid);
  }
}
