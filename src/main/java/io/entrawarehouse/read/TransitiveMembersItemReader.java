package io.entrawarehouse.read;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entrawarehouse.warehouse.Entity;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamException;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

/**
 * Every group's members at any depth, computed from the direct memberships (one snapshot of the
 * lake's {@code group_members}) with no request to Graph: per group, a breadth-first walk through
 * nested groups, each member once, the group itself never, so a membership cycle ends. Items are
 * shaped as Graph's {@code transitiveMembers} items ({@code id}, {@code @odata.type}, {@code
 * displayName}) with the group's id as {@link Entity.Parent#FIELD}, so the table's columns read
 * them as they read group members.
 *
 * <p>Restart: {@link #update} saves the snapshot, the index of the current group (in id order) and
 * the offset of the next member in its walk, under {@code <name>.snapshot}, {@code .group} and
 * {@code .offset}. The walk is deterministic for a snapshot (members in id order), so {@link #open}
 * rebuilds it from the same snapshot and resumes exactly there. Not thread-safe.
 */
public final class TransitiveMembersItemReader implements ItemStreamReader<JsonNode> {

  /** The direct memberships of one tenant, as a table of the lake holds them. */
  public interface Memberships {
    /** The snapshot to read now, or -1 when the table has none (never loaded). */
    long current();

    /**
     * Gives each membership at the snapshot as {group id, member id, member type, member display
     * name}, member type as the table stores it ("user", "group").
     */
    void forEach(long snapshot, Consumer<String[]> membership);
  }

  private final String name;
  private final Memberships memberships;

  private long snapshot = -1;
  private String[] ids; // object index -> id
  private String[] types;
  private String[] names;
  private int[] groups; // object indexes of the groups with members, in id order
  private int[][] members; // object index -> direct members, in id order (null: none)
  private int[] seen; // object index -> the walk that last reached it (group position + 1)
  private int group;
  private int[] walk = new int[0];
  private int walkSize = -1; // -1: the current group's walk is not computed yet
  private int offset;

  /**
   * @param name the state key prefix: the entity name
   */
  public TransitiveMembersItemReader(String name, Memberships memberships) {
    this.name = name;
    this.memberships = memberships;
  }

  @Override
  public void open(ExecutionContext context) {
    snapshot =
        context.containsKey(name + ".snapshot")
            ? context.getLong(name + ".snapshot")
            : memberships.current();
    if (snapshot < 0) {
      throw new ItemStreamException(
          name
              + " is computed from group_members, which the lake does not hold yet: load"
              + " group_members first (in the same launch, or before).");
    }
    build();
    group = context.getInt(name + ".group", 0);
    offset = context.getInt(name + ".offset", 0);
    walkSize = -1;
  }

  private void build() {
    Map<String, Integer> index = new HashMap<>();
    List<String> idList = new ArrayList<>();
    List<String> typeList = new ArrayList<>();
    List<String> nameList = new ArrayList<>();
    // Edges as pairs in one int array: 8 bytes a membership, where an int[2] each took 32.
    int[][] edges = {new int[1024]};
    int[] count = {0};
    memberships.forEach(
        snapshot,
        m -> {
          int g = intern(index, idList, typeList, nameList, m[0], "group", null);
          int member = intern(index, idList, typeList, nameList, m[1], m[2], m[3]);
          if (2 * count[0] + 2 > edges[0].length) {
            edges[0] = Arrays.copyOf(edges[0], edges[0].length * 2);
          }
          edges[0][2 * count[0]] = g;
          edges[0][2 * count[0] + 1] = member;
          count[0]++;
        });
    index.clear();
    int n = idList.size();
    ids = idList.toArray(new String[0]);
    types = typeList.toArray(new String[0]);
    names = nameList.toArray(new String[0]);
    int[] degree = new int[n];
    for (int e = 0; e < count[0]; e++) {
      degree[edges[0][2 * e]]++;
    }
    members = new int[n][];
    for (int i = 0; i < n; i++) {
      members[i] = degree[i] == 0 ? null : new int[degree[i]];
    }
    int[] filled = new int[n];
    for (int e = 0; e < count[0]; e++) {
      int g = edges[0][2 * e];
      members[g][filled[g]++] = edges[0][2 * e + 1];
    }
    edges[0] = null;
    List<Integer> withMembers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (members[i] != null) {
        Integer[] sorted = Arrays.stream(members[i]).boxed().toArray(Integer[]::new);
        Arrays.sort(sorted, (a, b) -> ids[a].compareTo(ids[b]));
        for (int k = 0; k < sorted.length; k++) {
          members[i][k] = sorted[k];
        }
        withMembers.add(i);
      }
    }
    withMembers.sort((a, b) -> ids[a].compareTo(ids[b]));
    groups = withMembers.stream().mapToInt(Integer::intValue).toArray();
    seen = new int[n];
  }

  /** The object's index, added on first sight; a member row's type and name fill in a group's. */
  private static int intern(
      Map<String, Integer> index,
      List<String> ids,
      List<String> types,
      List<String> names,
      String id,
      String type,
      String displayName) {
    Integer known = index.get(id);
    if (known != null) {
      if (displayName != null && names.get(known) == null) {
        types.set(known, type == null ? null : type.intern());
        names.set(known, displayName);
      }
      return known;
    }
    index.put(id, ids.size());
    ids.add(id);
    types.add(type == null ? null : type.intern()); // a handful of kinds, one string each
    names.add(displayName);
    return ids.size() - 1;
  }

  @Override
  public JsonNode read() {
    while (group < groups.length) {
      if (walkSize < 0) {
        walk(group);
      }
      if (offset < walkSize) {
        int member = walk[offset++];
        ObjectNode item = JsonNodeFactory.instance.objectNode();
        item.put("@odata.type", "#microsoft.graph." + types[member]);
        item.put("id", ids[member]);
        item.put("displayName", names[member]);
        item.put(Entity.Parent.FIELD, ids[groups[group]]);
        return item;
      }
      group++;
      offset = 0;
      walkSize = -1;
    }
    return null;
  }

  /** The breadth-first walk from the group at this position, into {@link #walk}. */
  private void walk(int position) {
    int start = groups[position];
    int mark = position + 1;
    seen[start] = mark;
    walkSize = 0;
    int next = -1; // -1: the start group's own members first, then each walked group's
    int from = start;
    while (true) {
      int[] direct = members[from];
      if (direct != null) {
        for (int m : direct) {
          if (seen[m] != mark) {
            seen[m] = mark;
            if (walkSize == walk.length) {
              walk = Arrays.copyOf(walk, Math.max(16, walk.length * 2));
            }
            walk[walkSize++] = m;
          }
        }
      }
      // The next member of the walk that is a group with members of its own.
      do {
        next++;
      } while (next < walkSize && members[walk[next]] == null);
      if (next >= walkSize) {
        return;
      }
      from = walk[next];
    }
  }

  @Override
  public void update(ExecutionContext context) {
    context.putLong(name + ".snapshot", snapshot);
    context.putInt(name + ".group", group);
    context.putInt(name + ".offset", offset);
  }
}
