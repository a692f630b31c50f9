package io.entrawarehouse.simulator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.IntFunction;

/**
 * The tenant's ground truth: per warehouse table, the row count and an order-independent checksum
 * of the row ids, so a test can compare a loaded warehouse with the tenant exactly.
 *
 * <p>The checksum is the sum, modulo 2^64, of the first 8 bytes of MD5(id) read as an unsigned
 * big-endian number; for {@code group_members} the id is {@code groupId + "/" + memberId}.
 */
public final class GroundTruth {

  /** One table's truth. */
  public record Entity(long count, long checksum) {
    public String checksumHex() {
      return String.format(Locale.ROOT, "%016x", checksum);
    }
  }

  private GroundTruth() {}

  /** Every membership today as {@code groupId/memberId}, as /members documents them. */
  public static List<String> memberships(DemoTenant tenant) {
    List<String> out = new ArrayList<>();
    for (int g : tenant.alive(DemoTenant.GROUP)) {
      String groupId = tenant.id(DemoTenant.GROUP, g);
      for (String member : tenant.groups().memberIds(g)) {
        out.add(groupId + "/" + member);
      }
    }
    return out;
  }

  /**
   * Every membership today as a row, {@code groupId|memberId|type|name}, as /members documents them
   * (service principals included); with {@code transitive}, as /transitiveMembers does.
   */
  public static Set<String> membershipRows(DemoTenant tenant, boolean transitive) {
    Set<String> out = new TreeSet<>();
    for (int g : tenant.alive(DemoTenant.GROUP)) {
      String groupId = tenant.id(DemoTenant.GROUP, g);
      for (Map<String, Object> m :
          transitive ? tenant.groups().transitiveMembers(g) : tenant.groups().members(g)) {
        out.add(
            groupId
                + "|"
                + m.get("id")
                + "|"
                + ((String) m.get("@odata.type")).replace("#microsoft.graph.", "")
                + "|"
                + m.get("displayName"));
      }
    }
    return out;
  }

  /**
   * The truth of every table: a plain collection's (its items are the rows) under its path, e.g.
   * {@code /users}, derived from the route table; a table shaped from other items (memberships,
   * array elements, expanded relationships) under its table name, written here.
   */
  public static Map<String, Entity> of(DemoTenant tenant) {
    Map<String, Entity> out = new LinkedHashMap<>();
    for (Routes.Route route : Catalog.ROUTES) {
      if (!route.pattern().contains("{")) {
        Routes.Source items = route.items().of(tenant, null);
        out.put(
            "/" + route.pattern(), ids((int) items.size(), i -> (String) items.item(i).get("id")));
      }
    }
    TenantScale s = tenant.scale();
    int[] users = tenant.alive(DemoTenant.USER);
    int[] groups = tenant.alive(DemoTenant.GROUP);
    int[] devices = tenant.alive(DemoTenant.DEVICE);
    long count = 0;
    long sum = 0;
    for (int g : groups) {
      String groupId = tenant.id(DemoTenant.GROUP, g);
      for (String member : tenant.groups().memberIds(g)) {
        sum += Hashing.idChecksumTerm(groupId + "/" + member);
        count++;
      }
    }
    out.put("group_members", new Entity(count, sum));
    long transitive = 0;
    long transitiveSum = 0;
    for (int g : groups) {
      String groupId = tenant.id(DemoTenant.GROUP, g);
      for (String member : tenant.groups().transitiveMemberIds(g)) {
        transitiveSum += Hashing.idChecksumTerm(groupId + "/" + member);
        transitive++;
      }
    }
    out.put("group_members_transitive", new Entity(transitive, transitiveSum));
    long grants = 0;
    long grantSum = 0;
    for (int sp = 0; sp < s.servicePrincipals(); sp++) {
      for (int j = 0; j < tenant.apps().appRoleAssignments(sp); j++) {
        grantSum +=
            Hashing.idChecksumTerm((String) tenant.apps().appRoleAssignment(sp, j).get("id"));
        grants++;
      }
    }
    out.put("app_role_assignments", new Entity(grants, grantSum));
    long credentials = 0;
    long credentialSum = 0;
    for (int kind = 0; kind < 2; kind++) {
      for (int i = 0; i < s.servicePrincipals(); i++) {
        Map<String, Object> owner =
            kind == 0 ? tenant.apps().application(i) : tenant.apps().servicePrincipal(i);
        for (String array : new String[] {"keyCredentials", "passwordCredentials"}) {
          @SuppressWarnings("unchecked")
          List<Map<String, Object>> list = (List<Map<String, Object>>) owner.get(array);
          for (Map<String, Object> c : list) {
            credentialSum += Hashing.idChecksumTerm(owner.get("id") + "/" + c.get("keyId"));
            credentials++;
          }
        }
      }
    }
    out.put("app_credentials", new Entity(credentials, credentialSum));
    long licences = 0;
    long licenceSum = 0;
    for (int u : users) {
      Map<String, Object> user = tenant.people().user(u);
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> assigned = (List<Map<String, Object>>) user.get("assignedLicenses");
      for (Map<String, Object> l : assigned) {
        licenceSum += Hashing.idChecksumTerm(user.get("id") + "/" + l.get("skuId"));
        licences++;
      }
    }
    out.put("user_licenses", new Entity(licences, licenceSum));
    long owners = 0;
    long ownerSum = 0;
    for (int d : devices) {
      Map<String, Object> device = tenant.devices().device(d);
      Map<String, Object> owner = tenant.devices().deviceOwner(device);
      if (owner != null) {
        ownerSum += Hashing.idChecksumTerm(device.get("id") + "/" + owner.get("id"));
        owners++;
      }
    }
    out.put("device_owners", new Entity(owners, ownerSum));
    return out;
  }

  /**
   * What a warehouse's history tables should record for a load on day {@code to} after one on day
   * {@code from} (-1: the first load), per table ({@code users}, {@code groups}, {@code devices},
   * {@code group_members}) and id ({@code groupId/memberId} for memberships): {@code created},
   * {@code updated}, or {@code deleted/<reason>}, the reason being Graph's ({@code changed}:
   * soft-deleted, restorable; {@code deleted}: gone) as a delta round gives it. Objects changed and
   * changed back between the two days, or created and deleted, have none.
   */
  public static Map<String, Map<String, String>> changes(DemoTenant tenant, int from, int to) {
    TenantChanges before = from < 0 ? null : tenant.changesAt(from);
    TenantChanges after = tenant.changesAt(to);
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    String[] tables = {"users", "groups", "devices", "service_principals", "applications"};
    int[] kinds = {
      DemoTenant.USER,
      DemoTenant.GROUP,
      DemoTenant.DEVICE,
      DemoTenant.SERVICE_PRINCIPAL,
      DemoTenant.APPLICATION
    };
    for (int k = 0; k < kinds.length; k++) {
      int kind = kinds[k];
      Map<String, String> table = new TreeMap<>();
      int next = after.population(kind).next;
      for (int i = 0; i < next; i++) {
        boolean was = before != null && before.alive(kind, i);
        boolean is = after.alive(kind, i);
        String id = tenant.id(kind, i);
        if (!was && is) {
          table.put(id, "created");
        } else if (was && !is) {
          table.put(id, "deleted/" + reason(after, kind, i));
        } else if (was && !tenant.object(kind, i, before).equals(tenant.object(kind, i, after))) {
          table.put(id, "updated");
        }
      }
      out.put(tables[k], table);
    }
    // Memberships as /members documents them: a removed member's are gone with the member's
    // reason, a renamed member's are updated (the row names its member).
    Map<String, String> members = new TreeMap<>();
    int groups = after.population(DemoTenant.GROUP).next;
    for (int g = 0; g < groups; g++) {
      String groupId = tenant.id(DemoTenant.GROUP, g);
      Map<String, Groups.MemberRef> had = new LinkedHashMap<>();
      if (before != null && before.alive(DemoTenant.GROUP, g)) {
        tenant.groups().liveMembers(g, before).forEach(r -> had.put(tenant.groups().idOf(r), r));
      }
      Map<String, Groups.MemberRef> has = new LinkedHashMap<>();
      if (after.alive(DemoTenant.GROUP, g)) {
        tenant.groups().liveMembers(g, after).forEach(r -> has.put(tenant.groups().idOf(r), r));
      }
      for (Map.Entry<String, Groups.MemberRef> m : has.entrySet()) {
        Groups.MemberRef was = had.get(m.getKey());
        if (was == null) {
          members.put(groupId + "/" + m.getKey(), "created");
        } else if (!Objects.equals(
            tenant.groups().memberName(was, before),
            tenant.groups().memberName(m.getValue(), after))) {
          members.put(groupId + "/" + m.getKey(), "updated");
        }
      }
      for (Map.Entry<String, Groups.MemberRef> m : had.entrySet()) {
        if (!has.containsKey(m.getKey())) {
          Groups.MemberRef ref = m.getValue();
          int kind = DemoTenant.kindOf(ref.kind());
          String reason =
              !after.alive(DemoTenant.GROUP, g)
                  ? reason(after, DemoTenant.GROUP, g)
                  : !after.alive(kind, ref.index()) ? reason(after, kind, ref.index()) : "deleted";
          members.put(groupId + "/" + m.getKey(), "deleted/" + reason);
        }
      }
    }
    out.put("group_members", members);
    return out;
  }

  /** The ids of a group's direct members on a day (empty if the group was not there). */
  public static List<String> members(DemoTenant tenant, int day, String groupId) {
    TenantChanges state = tenant.changesAt(day);
    int groups = state.population(DemoTenant.GROUP).next;
    for (int g = 0; g < groups; g++) {
      if (tenant.id(DemoTenant.GROUP, g).equals(groupId)) {
        return state.alive(DemoTenant.GROUP, g)
            ? tenant.groups().liveMembers(g, state).stream().map(tenant.groups()::idOf).toList()
            : List.of();
      }
    }
    return List.of();
  }

  /** Each user there on a day, by id: whether the account was enabled. */
  public static Map<String, Boolean> accountEnabled(DemoTenant tenant, int day) {
    TenantChanges state = tenant.changesAt(day);
    Map<String, Boolean> out = new TreeMap<>();
    for (int u : state.population(DemoTenant.USER).alive()) {
      out.put(
          tenant.id(DemoTenant.USER, u),
          (Boolean) tenant.object(DemoTenant.USER, u, state).get("accountEnabled"));
    }
    return out;
  }

  private static String reason(TenantChanges state, int kind, int index) {
    return state.population(kind).removed.get(index) == TenantChanges.Op.SOFT_DELETED
        ? "changed"
        : "deleted";
  }

  /** The checksum of a set of ids, computed as {@link #of} does: for comparing a warehouse. */
  public static long checksum(Iterable<String> ids) {
    long sum = 0;
    for (String id : ids) {
      sum += Hashing.idChecksumTerm(id);
    }
    return sum;
  }

  private static Entity ids(int n, IntFunction<String> id) {
    long sum = 0;
    for (int i = 0; i < n; i++) {
      sum += Hashing.idChecksumTerm(id.apply(i));
    }
    return new Entity(n, sum);
  }

  /** The truth as JSON, for {@code simulator --describe}: {@code truth} by warehouse table. */
  public static String json(DemoTenant tenant, Map<String, Entity> truth) {
    StringBuilder b = new StringBuilder();
    b.append("{\n");
    b.append("  \"tenantId\": \"").append(tenant.tenantId()).append("\",\n");
    b.append("  \"seed\": ").append(tenant.seed()).append(",\n");
    b.append("  \"scale\": \"").append(tenant.scale().name()).append("\",\n");
    b.append("  \"now\": \"").append(tenant.now()).append("\",\n");
    b.append("  \"day\": ").append(tenant.day()).append(",\n");
    b.append("  \"logWindow\": {\"since\": \"")
        .append(tenant.oldestLog())
        .append("\", \"until\": \"")
        .append(tenant.now())
        .append("\"},\n");
    b.append("  \"checksum\": \"sum mod 2^64 of the first 8 bytes of MD5(id), big-endian;")
        .append(" group_members and group_members_transitive id = groupId/memberId\",\n");
    b.append("  \"entities\": {\n");
    int i = 0;
    for (Map.Entry<String, Entity> e : truth.entrySet()) {
      b.append("    \"")
          .append(e.getKey())
          .append("\": {\"count\": ")
          .append(e.getValue().count())
          .append(", \"idChecksum\": \"")
          .append(e.getValue().checksumHex())
          .append("\"}")
          .append(++i < truth.size() ? ",\n" : "\n");
    }
    b.append("  }");
    if (tenant.day() > 0) {
      // The history a warehouse loaded once a day from day 0 should hold: per day and table, what
      // that day's load created, updated and deleted ({@link #changes}), counted, with the
      // checksum of the ids.
      b.append(",\n  \"history\": {\n");
      for (int day = 0; day <= tenant.day(); day++) {
        b.append("    \"day ").append(day).append("\": {");
        Map<String, Map<String, String>> changes = changes(tenant, day - 1, day);
        int t = 0;
        for (Map.Entry<String, Map<String, String>> table : changes.entrySet()) {
          long[] counts = new long[3];
          for (String kind : table.getValue().values()) {
            counts[kind.equals("created") ? 0 : kind.equals("updated") ? 1 : 2]++;
          }
          b.append(t++ == 0 ? "" : ", ")
              .append('"')
              .append(table.getKey())
              .append("_history\": {\"created\": ")
              .append(counts[0])
              .append(", \"updated\": ")
              .append(counts[1])
              .append(", \"deleted\": ")
              .append(counts[2])
              .append(", \"idChecksum\": \"")
              .append(new Entity(0, checksum(table.getValue().keySet())).checksumHex())
              .append("\"}");
        }
        b.append(day < tenant.day() ? "},\n" : "}\n");
      }
      b.append("  }");
    }
    b.append("\n}\n");
    return b.toString();
  }
}
