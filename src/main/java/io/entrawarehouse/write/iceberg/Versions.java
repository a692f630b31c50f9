package io.entrawarehouse.write.iceberg;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entrawarehouse.warehouse.Column;
import io.entrawarehouse.warehouse.Entities;
import io.entrawarehouse.warehouse.Entity;
import io.entrawarehouse.write.parquet.Buckets;
import io.entrawarehouse.write.parquet.ParquetFiles;
import io.entrawarehouse.write.parquet.Staging;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.LocalInputFile;

/**
 * A directory table's versions: the tenant's current rows after a delta round (the lake's rows with
 * the round's changes merged in), and the history rows a load adds (what it created, updated or
 * deleted, against the lake's current rows). Everything streams: only ids, digests and the round's
 * changes are held in memory. Stateless; each call reads the lake's current snapshot and writes a
 * part the caller commits.
 */
public final class Versions {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final IcebergLake lake;
  private final Staging staging;

  public Versions(IcebergLake lake, Staging staging) {
    this.lake = lake;
    this.staging = staging;
  }

  // ------------------------------------------------------------------ reading rows

  /** The tenant's rows in the table's current snapshot, to each consumer in turn. */
  void forEachCurrent(Entity entity, String tenantId, Consumer<GenericRecord> row) {
    for (DataFile f : currentFiles(entity, tenantId)) {
      read(
          entity,
          HadoopInputFile.fromPathUnchecked(
              new org.apache.hadoop.fs.Path(f.location()), lake.configuration()),
          row);
    }
  }

  static void forEachLocal(Entity entity, List<Path> parts, Consumer<GenericRecord> row) {
    for (Path part : parts) {
      read(entity, new LocalInputFile(part), row);
    }
  }

  private static void read(Entity entity, InputFile file, Consumer<GenericRecord> row) {
    Configuration conf = ParquetFiles.configuration();
    try (ParquetReader<GenericRecord> in = Staging.reader(entity, file, conf)) {
      for (GenericRecord r = in.read(); r != null; r = in.read()) {
        row.accept(r);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Reading " + entity.name() + " rows from " + file + " failed: " + e.getMessage(), e);
    }
  }

  // ------------------------------------------------------------------ a delta round

  /** What a delta round says of one object: its sent properties, or that it is gone and why. */
  private static final class Change {
    GenericRecord row;
    Set<String> present;
    ObjectNode json;
    String removed;
  }

  /**
   * The tenant's rows after a delta round: the lake's current rows, each object the round sent
   * updated with the properties it sent (an absent property keeps its value: Graph sends an updated
   * object's changed properties only, with {@code Prefer: return=minimal}), objects it removed left
   * out, new ones added. Written as one part.
   *
   * @param changes the round's staged rows, in the order read; each keeps Graph's JSON in raw_json
   * @param keepRawJson whether the merged rows keep raw_json (else NULL)
   * @return the part, and the round's removals (id → Graph's reason) for the history
   */
  public Merged merge(
      Entity entity, String tenantId, long loadId, List<Path> changes, boolean keepRawJson) {
    String parentColumn = parentColumn(entity);
    // A group removed whole removes its memberships in every bucket: found first.
    Map<String, String> removedParents = new HashMap<>();
    if (parentColumn != null) {
      forEachLocal(
          entity,
          changes,
          row -> {
            String[] gone = removedParent(entity, parentColumn, row);
            if (gone != null) {
              removedParents.put(gone[0], gone[1]);
            }
          });
    }
    Entity history = Entities.history(entity);
    boolean restores = entity.extra() != null && history != null && lake.exists(history);
    long rows = Math.max(rows(entity, tenantId), Staging.rows(changes));
    Map<String, String> removed = new HashMap<>();
    int changed = removedParents.size();
    Staging.Output out = staging.output(entity, loadId, entity.name() + ".merged", "merged");
    try (Buckets buckets =
        new Buckets(
            rows,
            staging.bucketRows(),
            staging.scratch(loadId, entity.name()),
            r -> Staging.id(entity, r))) {
      Buckets.Source round =
          buckets.split("changes", entity.avroSchema(), r -> forEachLocal(entity, changes, r));
      Buckets.Source current =
          buckets.split("current", entity.avroSchema(), r -> forEachCurrent(entity, tenantId, r));
      Buckets.Source versions =
          restores
              ? buckets.split(
                  "versions", history.avroSchema(), r -> forEachCurrent(history, tenantId, r))
              : null;
      for (int b = 0; b < buckets.count(); b++) {
        Map<String, Change> byId = new LinkedHashMap<>();
        round.forEach(b, row -> fold(entity, byId, removedParents, row));
        changed += byId.size();
        byId.forEach(
            (id, c) -> {
              if (c.removed != null) {
                removed.put(id, c.removed);
              }
            });
        Set<String> seen = new HashSet<>();
        current.forEach(
            b,
            old -> {
              String id = Staging.id(entity, old);
              seen.add(id);
              Change c = byId.get(id);
              String parentGone =
                  parentColumn == null
                      ? null
                      : removedParents.get(String.valueOf(old.get(parentColumn)));
              if (parentGone != null && (c == null || c.removed != null)) {
                removed.put(id, parentGone);
              } else if (c == null) {
                out.write(keepRawJson ? old : withoutRaw(old));
              } else if (c.removed == null) {
                out.write(patched(entity, old, c, keepRawJson));
              }
            });
        Map<String, GenericRecord> fresh = new LinkedHashMap<>();
        for (Map.Entry<String, Change> e : byId.entrySet()) {
          Change c = e.getValue();
          String parentGone =
              parentColumn == null
                  ? null
                  : removedParents.get(
                      String.valueOf(c.row == null ? null : c.row.get(parentColumn)));
          if (c.removed == null && !seen.contains(e.getKey()) && parentGone == null) {
            GenericRecord row = new GenericData.Record(entity.avroSchema());
            copy(c.row, row);
            row.put(Entity.RAW_JSON, keepRawJson && c.json != null ? c.json.toString() : null);
            fresh.put(e.getKey(), row);
          }
        }
        if (versions != null && !fresh.isEmpty()) {
          restoreExtra(entity, versions, b, fresh);
        }
        fresh.values().forEach(out::write);
      }
    } finally {
      out.close();
    }
    return new Merged(out.path(), changed, removed);
  }

  /**
   * A delta round never sends an entity's {@link Entity.Extra} (Graph's delta does not track a
   * user's signInActivity): an object it restores gets the extra's columns from its last version in
   * the history (what the lake knew before it was deleted); a new one has none yet.
   */
  private static void restoreExtra(
      Entity entity, Buckets.Source versions, int bucket, Map<String, GenericRecord> fresh) {
    List<String> columns =
        entity.columns().stream()
            .filter(c -> c.property().equals(entity.extra().property()))
            .map(Column::name)
            .toList();
    versions.forEach(
        bucket,
        version -> {
          GenericRecord row = fresh.get(Staging.id(entity, version));
          if (row != null
              && version.get(Entity.VALID_TO) == null
              && "deleted".equals(String.valueOf(version.get(Entity.CHANGE_KIND)))) {
            for (String column : columns) {
              row.put(column, version.get(column));
            }
          }
        });
  }

  /** A merged part, how many objects the round changed, and its removals. */
  public record Merged(Path part, int changed, Map<String, String> removed) {}

  /** The column holding a per-parent row's parent id, or null. */
  private static String parentColumn(Entity entity) {
    if (entity.parent() == null) {
      return null;
    }
    return entity.columns().stream()
        .filter(c -> c.path().equals(Entity.Parent.FIELD))
        .map(Column::name)
        .findFirst()
        .orElse(null);
  }

  private static void fold(
      Entity entity,
      Map<String, Change> byId,
      Map<String, String> removedParents,
      GenericRecord row) {
    String id = Staging.id(entity, row);
    Object raw = row.get(Entity.RAW_JSON);
    ObjectNode json;
    try {
      json = raw == null ? null : (ObjectNode) JSON.readTree(raw.toString());
    } catch (IOException | ClassCastException e) {
      throw new IllegalStateException(
          entity.name() + " " + id + ": the staged change has no readable raw_json", e);
    }
    Change now = new Change();
    JsonNode gone = json == null ? null : json.get("@removed");
    if (gone != null) {
      now.removed = gone.path("reason").asText("deleted");
      String[] parent = removedParent(entity, parentColumn(entity), row);
      if (parent != null) {
        removedParents.put(parent[0], parent[1]);
      } else {
        byId.put(id, now);
      }
      return;
    }
    now.row = row;
    now.json = json;
    now.present = new LinkedHashSet<>();
    for (Column c : entity.columns()) {
      // A column the reader fills ({@code @parentId}) is always there; Graph's own are when sent.
      boolean added = c.path().startsWith("@") && !c.path().startsWith("@odata");
      if (json == null || added || json.has(c.property())) {
        now.present.add(c.name());
      }
    }
    Change before = byId.get(id);
    if (before != null && before.removed == null) {
      // The same object twice in one round (Graph replays): the later values win, the earlier
      // ones stand where the later did not send the property.
      GenericRecord merged = new GenericData.Record(entity.avroSchema());
      copy(before.row, merged);
      for (String column : now.present) {
        merged.put(column, row.get(column));
      }
      merged.put(Entity.LOAD_ID, row.get(Entity.LOAD_ID));
      merged.put(Entity.LOADED_AT, row.get(Entity.LOADED_AT));
      now.present.addAll(before.present);
      if (before.json != null && json != null) {
        ObjectNode both = before.json.deepCopy();
        both.setAll(json);
        now.json = both;
      }
      now.row = merged;
    }
    byId.put(id, now);
  }

  /**
   * For a row that removes a parent with all its rows (a group's {@code @removed}, no member): the
   * parent's id and Graph's reason; else null.
   */
  private static String[] removedParent(Entity entity, String parentColumn, GenericRecord row) {
    if (parentColumn == null
        || !entity.idColumns().stream()
            .filter(c -> !c.equals(parentColumn))
            .allMatch(c -> row.get(c) == null)) {
      return null;
    }
    Object raw = row.get(Entity.RAW_JSON);
    if (raw == null) {
      return null;
    }
    try {
      JsonNode gone = JSON.readTree(raw.toString()).get("@removed");
      return gone == null
          ? null
          : new String[] {
            String.valueOf(row.get(parentColumn)), gone.path("reason").asText("deleted")
          };
    } catch (IOException e) {
      throw new IllegalStateException(
          entity.name()
              + " "
              + Staging.id(entity, row)
              + ": the staged change has no readable raw_json",
          e);
    }
  }

  private static GenericRecord patched(
      Entity entity, GenericRecord old, Change c, boolean keepRawJson) {
    GenericRecord row = new GenericData.Record(entity.avroSchema());
    copy(old, row);
    for (String column : c.present) {
      row.put(column, c.row.get(column));
    }
    row.put(Entity.LOAD_ID, c.row.get(Entity.LOAD_ID));
    row.put(Entity.LOADED_AT, c.row.get(Entity.LOADED_AT));
    String raw = null;
    if (keepRawJson && c.json != null) {
      ObjectNode json = c.json;
      Object before = old.get(Entity.RAW_JSON);
      if (before != null) {
        try {
          ObjectNode merged = (ObjectNode) JSON.readTree(before.toString());
          merged.setAll(c.json);
          json = merged;
        } catch (IOException | ClassCastException unreadable) {
          // the old raw_json is not an object: the change's stands alone
        }
      }
      raw = json.toString();
    }
    row.put(Entity.RAW_JSON, raw);
    return row;
  }

  private static GenericRecord withoutRaw(GenericRecord old) {
    if (old.get(Entity.RAW_JSON) == null) {
      return old;
    }
    GenericRecord row = new GenericData.Record(old.getSchema());
    copy(old, row);
    row.put(Entity.RAW_JSON, null);
    return row;
  }

  private static void copy(GenericRecord from, GenericRecord to) {
    for (Schema.Field f : to.getSchema().getFields()) {
      Schema.Field source = from.getSchema().getField(f.name());
      if (source != null) {
        to.put(f.pos(), from.get(source.pos()));
      }
    }
  }

  // ------------------------------------------------------------------ history

  /**
   * The tenant's history after this load, compared with the history itself (its current versions),
   * not with the current table, so a history committed by a load that never committed its table (a
   * load killed between the two and abandoned) is built on, not duplicated. Each current version of
   * an object the load created, updated or removed is closed at {@code at}; then a version is added
   * for each object created or updated (its columns as {@code next} has them) and one for each
   * removed ({@code deleted}, with the last columns it had and Graph's reason when a delta round
   * gave one). Objects are compared on their columns, not raw_json nor load metadata. Written as
   * one part; null when the load changed nothing (the history stays as it is).
   *
   * @param next the tenant's rows as this load commits them (parts on local disk)
   * @param reasons Graph's reasons for removals, by id (a delta round's), else empty
   */
  public History history(
      Entity entity,
      String tenantId,
      long loadId,
      Instant at,
      List<Path> next,
      Map<String, String> reasons) {
    Entity history = Entities.history(entity); // built once, with its schema
    long micros = IcebergLake.micros(at);
    int created = 0;
    int updated = 0;
    int removed = 0;
    long versions = rows(history, tenantId);
    long rows = Math.max(versions, Staging.rows(next));
    Staging.Output out = staging.output(history, loadId, history.name(), "history");
    if (versions == 0) {
      // The tenant's first history: every row is created, with nothing to compare it with.
      int[] first = new int[1];
      try {
        forEachLocal(
            entity,
            next,
            row -> {
              out.write(version(history, row, micros, "created", null, loadId));
              first[0]++;
            });
      } finally {
        out.close();
      }
      if (first[0] == 0) {
        deleteQuietly(out.path());
        return null;
      }
      return new History(out.path(), first[0], 0, 0);
    }
    try (Buckets buckets =
        new Buckets(
            rows,
            staging.bucketRows(),
            staging.scratch(loadId, history.name()),
            r -> Staging.id(entity, r))) {
      Buckets.Source current =
          buckets.split(
              "versions", history.avroSchema(), r -> forEachCurrent(history, tenantId, r));
      Buckets.Source now =
          buckets.split("next", entity.avroSchema(), r -> forEachLocal(entity, next, r));
      for (int b = 0; b < buckets.count(); b++) {
        Map<String, Long> before = new HashMap<>(); // id → digest of its current, live version
        current.forEach(
            b,
            row -> {
              if (row.get(Entity.VALID_TO) == null
                  && !"deleted".equals(String.valueOf(row.get(Entity.CHANGE_KIND)))) {
                before.put(Staging.id(entity, row), digest(entity, row));
              }
            });
        Map<String, String> kinds = new HashMap<>(); // id → created | updated
        now.forEach(
            b,
            row -> {
              String id = Staging.id(entity, row);
              Long was = before.remove(id);
              if (was == null) {
                kinds.put(id, "created");
              } else if (was != digest(entity, row)) {
                kinds.put(id, "updated");
              }
            });
        Set<String> deleted = before.keySet();
        current.forEach(
            b,
            row -> {
              String id = Staging.id(entity, row);
              if (row.get(Entity.VALID_TO) != null
                  || !(kinds.containsKey(id) || deleted.contains(id))) {
                out.write(row);
                return;
              }
              GenericRecord closed = new GenericData.Record(history.avroSchema());
              copy(row, closed);
              closed.put(Entity.VALID_TO, micros);
              out.write(closed);
              if (deleted.contains(id)
                  && !"deleted".equals(String.valueOf(row.get(Entity.CHANGE_KIND)))) {
                out.write(version(history, row, micros, "deleted", reasons.get(id), loadId));
              }
            });
        now.forEach(
            b,
            row -> {
              String kind = kinds.get(Staging.id(entity, row));
              if (kind != null) {
                out.write(version(history, row, micros, kind, null, loadId));
              }
            });
        int bucketCreated = (int) kinds.values().stream().filter("created"::equals).count();
        created += bucketCreated;
        updated += kinds.size() - bucketCreated;
        removed += deleted.size();
      }
    } finally {
      out.close();
    }
    if (created + updated + removed == 0) {
      deleteQuietly(out.path());
      return null;
    }
    return new History(out.path(), created, updated, removed);
  }

  /** The tenant's rows in the table's current snapshot, from the manifests (no file is read). */
  private long rows(Entity entity, String tenantId) {
    return currentFiles(entity, tenantId).stream().mapToLong(DataFile::recordCount).sum();
  }

  /** The data files that hold the tenant's rows in the table's current snapshot (none: empty). */
  private List<DataFile> currentFiles(Entity entity, String tenantId) {
    if (!lake.exists(entity)) {
      return List.of();
    }
    Table table = lake.table(entity);
    table.refresh();
    if (table.currentSnapshot() == null) {
      return List.of();
    }
    return lake.files(table, entity, tenantId, null, null, false);
  }

  private static void deleteQuietly(Path part) {
    try {
      Files.deleteIfExists(part);
    } catch (IOException e) {
      // an unused part in the load's staging: deleted with it
    }
  }

  /** A history part and what the load changed. */
  public record History(Path part, int created, int updated, int deleted) {}

  private static GenericRecord version(
      Entity history, GenericRecord row, long from, String kind, String reason, long loadId) {
    GenericRecord v = new GenericData.Record(history.avroSchema());
    copy(row, v);
    v.put(Entity.VALID_FROM, from);
    v.put(Entity.VALID_TO, null);
    v.put(Entity.CHANGE_KIND, kind);
    v.put(Entity.REMOVED_REASON, reason);
    v.put(Entity.LOAD_ID, loadId);
    v.put(Entity.RAW_JSON, null);
    return v;
  }

  /** A 64-bit digest of a row's columns (not raw_json, not load metadata). */
  static long digest(Entity entity, GenericRecord row) {
    long h = 0xcbf29ce484222325L;
    for (Column c : entity.columns()) {
      Object v = row.get(c.name());
      String s = v == null ? "\u0000null" : normal(v);
      for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
        h ^= b;
        h *= 0x100000001b3L;
      }
      h ^= 0x1f;
      h *= 0x100000001b3L;
    }
    return h;
  }

  private static String normal(Object v) {
    if (v instanceof List<?> list) {
      List<String> items = new ArrayList<>(list.size());
      for (Object o : list) {
        items.add(o == null ? "\u0000null" : o.toString());
      }
      return items.toString();
    }
    return v.toString();
  }
}
