package io.entrawarehouse.write.iceberg;

import io.entrawarehouse.warehouse.Entities;
import io.entrawarehouse.warehouse.Entity;
import io.entrawarehouse.write.parquet.Staging;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema.Field;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Completes a delta round of group memberships from the directory tables as this load committed
 * them. A group delta sends a member's id and type only, and says nothing when a member is deleted
 * or restored (Conformance.GROUP_DELTA_MEMBER_DELETIONS), so:
 *
 * <ul>
 *   <li>a member this load's users, groups, devices or service principals removed, soft or hard,
 *       leaves every group, Graph's reason for the member kept for the history;
 *   <li>a member this load restored gets back the memberships the warehouse removed since it was
 *       deleted, in the groups that are still there;
 *   <li>every row is named as the directory tables name its member now, so a rename, or a member
 *       new tonight, shows in the same load; a member they do not hold keeps its name.
 * </ul>
 *
 * What this load did to the objects is read from their history tables (versions written by this
 * load), so a restart after those commits completes the round the same way.
 */
public final class Memberships {

  /** The tables whose objects groups hold, and which name them. */
  private static final List<Entity> OBJECTS =
      List.of(Entities.USERS, Entities.GROUPS, Entities.DEVICES, Entities.SERVICE_PRINCIPALS);

  private final IcebergLake lake;
  private final Versions versions;
  private final Staging staging;

  public Memberships(IcebergLake lake, Versions versions, Staging staging) {
    this.lake = lake;
    this.versions = versions;
    this.staging = staging;
  }

  /**
   * The completed part, its removals (row id → reason, the round's own and the members'), and how
   * many rows were restored and renamed.
   */
  public record Completed(Path part, Map<String, String> removed, int restored, int renamed) {}

  /** What this load's object histories say: removed (id → reason) and created or restored ids. */
  private record Objects(Map<String, String> removed, Map<String, Long> restored) {}

  /**
   * @param table the memberships table ({@code group_members})
   * @param merged the delta round merged into the lake's rows (one part)
   * @param removed the round's own removals (row id → reason)
   */
  public Completed complete(
      Entity table,
      String tenantId,
      long loadId,
      Instant loadedAt,
      Path merged,
      Map<String, String> removed) {
    Objects objects = objects(tenantId, loadId);
    Set<String> members = new HashSet<>();
    Versions.forEachLocal(
        table, List.of(merged), r -> members.add(String.valueOf(r.get("member_id"))));
    List<GenericRecord> restores =
        restores(table, tenantId, loadId, IcebergLake.micros(loadedAt), objects.restored());
    restores.forEach(r -> members.add(String.valueOf(r.get("member_id"))));
    Map<String, String> names = names(tenantId, members);

    Map<String, String> reasons = new HashMap<>(removed);
    int[] renamed = {0};
    Set<String> kept = new HashSet<>();
    Staging.Output out = staging.output(table, loadId, table.name() + ".completed", "completed");
    int restored = 0;
    try {
      Versions.forEachLocal(
          table,
          List.of(merged),
          row -> {
            String member = String.valueOf(row.get("member_id"));
            String reason = objects.removed().get(member);
            if (reason != null) {
              reasons.put(Staging.id(table, row), reason);
              return;
            }
            renamed[0] += name(row, names.get(member));
            kept.add(Staging.id(table, row));
            out.write(row);
          });
      for (GenericRecord row : restores) {
        row.put(Entity.LOAD_ID, loadId);
        row.put(Entity.LOADED_AT, IcebergLake.micros(loadedAt));
        String id = Staging.id(table, row);
        // Not one the round itself removed: Graph said the member left that group meanwhile.
        if (!removed.containsKey(id) && kept.add(id)) {
          name(row, names.get(String.valueOf(row.get("member_id"))));
          out.write(row);
          restored++;
        }
      }
    } finally {
      out.close();
    }
    return new Completed(out.path(), reasons, restored, renamed[0]);
  }

  /** Sets the row's member name when the directory has one; 1 when that changed it. */
  private static int name(GenericRecord row, String name) {
    if (name == null) {
      return 0;
    }
    Object was = row.get("member_display_name");
    row.put("member_display_name", name);
    return was != null && name.equals(was.toString()) ? 0 : 1;
  }

  /**
   * This load's versions of the objects groups hold, each history read once: removals with Graph's
   * reason, and restores (created now, deleted by an earlier load: since which load).
   */
  private Objects objects(String tenantId, long loadId) {
    Map<String, String> removed = new HashMap<>();
    Set<String> created = new HashSet<>();
    Map<String, Long> deletedBefore = new HashMap<>();
    for (Entity object : OBJECTS) {
      Entity history = Entities.history(object);
      if (!lake.exists(history)) {
        continue;
      }
      versions.forEachCurrent(
          history,
          tenantId,
          v -> {
            String id = String.valueOf(v.get("id"));
            String kind = String.valueOf(v.get(Entity.CHANGE_KIND));
            long load = ((Number) v.get(Entity.LOAD_ID)).longValue();
            if (load != loadId) {
              if (kind.equals("deleted")) {
                deletedBefore.merge(id, load, Math::max);
              }
            } else if (kind.equals("deleted")) {
              Object reason = v.get(Entity.REMOVED_REASON);
              removed.put(id, reason == null ? "deleted" : reason.toString());
            } else if (kind.equals("created")) {
              created.add(id);
            }
          });
    }
    deletedBefore.keySet().retainAll(created);
    return new Objects(removed, deletedBefore);
  }

  /**
   * The memberships of restored members that the warehouse removed since the member was deleted
   * (their last version a deletion, written then or later), in groups the lake still holds.
   */
  private List<GenericRecord> restores(
      Entity table, String tenantId, long loadId, long loadedAt, Map<String, Long> restored) {
    List<GenericRecord> rows = new ArrayList<>();
    Entity history = Entities.history(table);
    if (restored.isEmpty() || !lake.exists(history)) {
      return rows;
    }
    Set<String> groups = new HashSet<>();
    if (lake.exists(Entities.GROUPS)) {
      versions.forEachCurrent(
          Entities.GROUPS, tenantId, g -> groups.add(String.valueOf(g.get("id"))));
    }
    Map<String, GenericRecord> latest = new LinkedHashMap<>();
    versions.forEachCurrent(
        history,
        tenantId,
        v -> {
          Long since = restored.get(String.valueOf(v.get("member_id")));
          // The version that was the latest before this load (a restart finds this load's
          // versions already committed to the history, and the ones they closed).
          Object to = v.get(Entity.VALID_TO);
          long load = ((Number) v.get(Entity.LOAD_ID)).longValue();
          if (since != null
              && load != loadId
              && (to == null || ((Number) to).longValue() == loadedAt)
              && "deleted".equals(String.valueOf(v.get(Entity.CHANGE_KIND)))
              && load >= since
              && groups.contains(String.valueOf(v.get("group_id")))) {
            GenericRecord row = new GenericData.Record(table.avroSchema());
            for (Field f : table.avroSchema().getFields()) {
              if (v.getSchema().getField(f.name()) != null) {
                row.put(f.name(), v.get(f.name()));
              }
            }
            latest.put(Staging.id(table, row), row);
          }
        });
    rows.addAll(latest.values());
    return rows;
  }

  /** The display names the directory tables hold now for the given ids. */
  private Map<String, String> names(String tenantId, Set<String> wanted) {
    Map<String, String> names = new HashMap<>();
    for (Entity e : OBJECTS) {
      if (!lake.exists(e)) {
        continue;
      }
      versions.forEachCurrent(
          e,
          tenantId,
          row -> {
            String id = String.valueOf(row.get("id"));
            Object name = row.get("display_name");
            if (name != null && wanted.contains(id)) {
              names.put(id, name.toString());
            }
          });
    }
    return names;
  }
}
