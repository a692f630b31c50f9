package io.entrawarehouse.simulator;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiFunction;

/**
 * How the demo tenant changes day by day: on each day after day 0, about {@code rate} of its users,
 * groups and devices are created, updated, soft-deleted, restored or hard-deleted. A pure function
 * of the seed, the base tenant and the day, so the tenant at day {@code D+1} is always the tenant
 * at {@code D} with that day's changes, and any day can be described again. Immutable and
 * thread-safe.
 *
 * <p>Changes are replayed from day 0 for each {@link #at} (a day of a medium tenant is a few
 * hundred changes), so no state outlives the value.
 */
final class TenantChanges {

  /** What happened to an object on a day, as delta queries report it. */
  enum Op {
    CREATED,
    UPDATED,
    SOFT_DELETED,
    RESTORED,
    HARD_DELETED,
    /** On a group: a member added ({@code properties}: "member" → the member's ref). */
    MEMBER_ADDED,
    /** On a group: a member removed. */
    MEMBER_REMOVED
  }

  /** One change: the day, the kind and index of the object, what happened, the new values. */
  record Change(int day, int kind, int index, Op op, Map<String, Object> properties) {}

  /** The kinds whose objects are created, updated and deleted: users, groups and devices. */
  static final int[] KINDS = {DemoTenant.USER, DemoTenant.GROUP, DemoTenant.DEVICE};

  /**
   * The kinds whose objects are only updated (their app role assignments and credentials stay as
   * generated): service principals and applications.
   */
  static final int[] UPDATED_ONLY = {DemoTenant.SERVICE_PRINCIPAL, DemoTenant.APPLICATION};

  /** One kind's objects on a day. */
  static final class Population {
    final int baseCount;
    int next;
    final Map<Integer, Map<String, Object>> overrides = new HashMap<>();
    final Map<Integer, Integer> createdOn = new HashMap<>();

    /** Index → why it is gone: {@link Op#SOFT_DELETED} (restorable) or {@link Op#HARD_DELETED}. */
    final Map<Integer, Op> removed = new TreeMap<>();

    Population(int baseCount) {
      this.baseCount = baseCount;
      this.next = baseCount;
    }

    boolean alive(int index) {
      return index >= 0 && index < next && !removed.containsKey(index);
    }

    /** The living indices, ascending. */
    int[] alive() {
      int[] out = new int[next - removed.size()];
      int n = 0;
      for (int i = 0; i < next; i++) {
        if (!removed.containsKey(i)) {
          out[n++] = i;
        }
      }
      return n == out.length ? out : Arrays.copyOf(out, n);
    }
  }

  private final int day;
  private final Map<Integer, Population> populations;
  private final List<Change> journal;

  /** Per group: members added after day 0, in the order added. */
  private final Map<Integer, List<Groups.MemberRef>> added = new HashMap<>();

  /** Per group: members it had on day 0 that were removed from it since. */
  private final Map<Integer, Set<Groups.MemberRef>> dropped = new HashMap<>();

  private TenantChanges(int day, Map<Integer, Population> populations, List<Change> journal) {
    this.day = day;
    this.populations = populations;
    this.journal = journal;
  }

  /** Day 0: the base tenant, unchanged. */
  static TenantChanges none(DemoTenant tenant) {
    return at(tenant, 0, 0, (k, i) -> Map.of());
  }

  /**
   * The tenant's changes up to {@code day}, each day changing about {@code rate} of each kind's
   * living objects (at least one). {@code current} gives an object's properties before a change
   * (for flips such as accountEnabled).
   */
  static TenantChanges at(
      DemoTenant tenant,
      int day,
      double rate,
      BiFunction<Integer, Integer, Map<String, Object>> current) {
    Map<Integer, Population> populations = new LinkedHashMap<>();
    populations.put(DemoTenant.USER, new Population(tenant.scale().users()));
    populations.put(DemoTenant.GROUP, new Population(tenant.scale().groups()));
    populations.put(DemoTenant.DEVICE, new Population(tenant.scale().devices()));
    populations.put(
        DemoTenant.SERVICE_PRINCIPAL, new Population(tenant.scale().servicePrincipals()));
    populations.put(DemoTenant.APPLICATION, new Population(tenant.apps().applications()));
    List<Change> journal = new ArrayList<>();
    TenantChanges changes = new TenantChanges(day, populations, journal);
    for (int d = 1; d <= day; d++) {
      for (int kind : KINDS) {
        changes.change(tenant, d, kind, rate, current);
      }
      changes.changeMembers(tenant, d, rate);
      for (int kind : UPDATED_ONLY) {
        changes.updateSome(tenant, d, kind, rate, current);
      }
    }
    return changes;
  }

  /**
   * About {@code rate} of the day-0 memberships added or removed: a living user added to a living
   * group, or a member removed from one.
   */
  private void changeMembers(DemoTenant tenant, int d, double rate) {
    Population groups = populations.get(DemoTenant.GROUP);
    Population users = populations.get(DemoTenant.USER);
    int count = Math.max(1, (int) Math.round(rate * tenant.groups().memberships()));
    addCreatedToday(tenant, d);
    for (int i = 0; i < count; i++) {
      Pick p = new Pick(Hashing.hash(tenant.seed(), 400, (long) d * 1_000_000 + i));
      int g = pick(groups, p);
      if (g < 0) {
        continue;
      }
      List<Groups.MemberRef> members = tenant.groups().liveMembers(g, this);
      if (p.chance(0.5) && !members.isEmpty()) {
        Groups.MemberRef gone = members.get(p.below(members.size()));
        List<Groups.MemberRef> extra = added.get(g);
        if (extra == null || !extra.remove(gone)) {
          dropped.computeIfAbsent(g, k -> new HashSet<>()).add(gone);
        }
        journal.add(new Change(d, DemoTenant.GROUP, g, Op.MEMBER_REMOVED, Map.of("member", gone)));
      } else {
        int u = pick(users, p);
        if (u < 0) {
          continue;
        }
        Groups.MemberRef ref = new Groups.MemberRef(DemoTenant.MemberKind.USER, u);
        if (members.contains(ref)) {
          continue;
        }
        Set<Groups.MemberRef> gone = dropped.get(g);
        if (gone == null || !gone.remove(ref)) {
          added.computeIfAbsent(g, k -> new ArrayList<>()).add(ref);
        }
        journal.add(new Change(d, DemoTenant.GROUP, g, Op.MEMBER_ADDED, Map.of("member", ref)));
      }
    }
  }

  /**
   * The devices and users created on day {@code d}, each added to a group the same day: a new
   * laptop enrolled into a device group, a new starter into a team (memberships whose objects are
   * new in the same night's load).
   */
  private void addCreatedToday(DemoTenant tenant, int d) {
    Population groups = populations.get(DemoTenant.GROUP);
    int n = 0;
    for (int kind : new int[] {DemoTenant.DEVICE, DemoTenant.USER}) {
      Population pop = populations.get(kind);
      DemoTenant.MemberKind memberKind =
          kind == DemoTenant.DEVICE ? DemoTenant.MemberKind.DEVICE : DemoTenant.MemberKind.USER;
      for (Map.Entry<Integer, Integer> created : new TreeMap<>(pop.createdOn).entrySet()) {
        if (created.getValue() != d || !pop.alive(created.getKey())) {
          continue;
        }
        Pick p = new Pick(Hashing.hash(tenant.seed(), 410, (long) d * 1_000_000 + n++));
        int g = pick(groups, p);
        if (g < 0) {
          continue;
        }
        Groups.MemberRef ref = new Groups.MemberRef(memberKind, created.getKey());
        added.computeIfAbsent(g, k -> new ArrayList<>()).add(ref);
        journal.add(new Change(d, DemoTenant.GROUP, g, Op.MEMBER_ADDED, Map.of("member", ref)));
      }
    }
  }

  /** Whether a day-0 member of group {@code g} was removed from it since. */
  boolean dropped(int g, Groups.MemberRef ref) {
    Set<Groups.MemberRef> gone = dropped.get(g);
    return gone != null && gone.contains(ref);
  }

  /** The members added to group {@code g} since day 0. */
  List<Groups.MemberRef> added(int g) {
    return added.getOrDefault(g, List.of());
  }

  private void change(
      DemoTenant tenant,
      int d,
      int kind,
      double rate,
      BiFunction<Integer, Integer, Map<String, Object>> current) {
    Population pop = populations.get(kind);
    int living = pop.next - pop.removed.size();
    if (living == 0) {
      return;
    }
    int count = Math.max(1, (int) Math.round(rate * living));
    Instant today = tenant.now().plus(Duration.ofDays(d));
    for (int i = 0; i < count; i++) {
      Pick p = new Pick(Hashing.hash(tenant.seed(), 300 + kind, (long) d * 1_000_000 + i));
      double u = p.unit();
      List<Integer> soft =
          pop.removed.entrySet().stream()
              .filter(e -> e.getValue() == Op.SOFT_DELETED)
              .map(Map.Entry::getKey)
              .toList();
      if (u < 0.2) {
        int index = pop.next++;
        pop.createdOn.put(index, d);
        Map<String, Object> created = new LinkedHashMap<>();
        created.put("createdDateTime", DemoTenant.seconds(today.minusSeconds(p.below(86_000))));
        pop.overrides.put(index, created);
        journal.add(new Change(d, kind, index, Op.CREATED, Map.copyOf(created)));
      } else if (u < 0.32 && !soft.isEmpty()) {
        int index = p.one(soft);
        pop.removed.remove(index);
        journal.add(new Change(d, kind, index, Op.RESTORED, Map.of()));
      } else {
        int index = pick(pop, p);
        if (index < 0) {
          continue;
        }
        if (u < 0.45) {
          pop.removed.put(index, Op.SOFT_DELETED);
          journal.add(new Change(d, kind, index, Op.SOFT_DELETED, Map.of()));
        } else if (u < 0.5) {
          pop.removed.put(index, Op.HARD_DELETED);
          journal.add(new Change(d, kind, index, Op.HARD_DELETED, Map.of()));
        } else {
          Map<String, Object> now = new LinkedHashMap<>(current.apply(kind, index));
          now.putAll(pop.overrides.getOrDefault(index, Map.of()));
          Map<String, Object> update = update(kind, index, d, p, now, today);
          pop.overrides.computeIfAbsent(index, k -> new LinkedHashMap<>()).putAll(update);
          journal.add(new Change(d, kind, index, Op.UPDATED, Map.copyOf(update)));
        }
      }
    }
  }

  /** About {@code rate} of a kind's objects updated (at least one). */
  private void updateSome(
      DemoTenant tenant,
      int d,
      int kind,
      double rate,
      BiFunction<Integer, Integer, Map<String, Object>> current) {
    Population pop = populations.get(kind);
    if (pop.next == 0) {
      return;
    }
    int count = Math.max(1, (int) Math.round(rate * pop.next));
    Instant today = tenant.now().plus(Duration.ofDays(d));
    for (int i = 0; i < count; i++) {
      Pick p = new Pick(Hashing.hash(tenant.seed(), 300 + kind, (long) d * 1_000_000 + i));
      int index = p.below(pop.next);
      Map<String, Object> now = new LinkedHashMap<>(current.apply(kind, index));
      now.putAll(pop.overrides.getOrDefault(index, Map.of()));
      Map<String, Object> update = update(kind, index, d, p, now, today);
      pop.overrides.computeIfAbsent(index, k -> new LinkedHashMap<>()).putAll(update);
      journal.add(new Change(d, kind, index, Op.UPDATED, Map.copyOf(update)));
    }
  }

  /** A living index, drawn uniformly; -1 when a few draws found none. */
  private static int pick(Population pop, Pick p) {
    for (int attempt = 0; attempt < 32; attempt++) {
      int index = p.below(pop.next);
      if (pop.alive(index)) {
        return index;
      }
    }
    return -1;
  }

  private static final List<String> JOB_TITLES =
      List.of("Engineer", "Senior Engineer", "Analyst", "Manager", "Director", "Consultant");
  private static final List<String> NEW_SURNAMES =
      List.of("Okafor", "Virtanen", "Moreau", "Haddad", "Sato", "Jensen");
  private static final List<String> DEPARTMENTS =
      List.of("Finance", "Sales", "Engineering", "Legal", "Marketing", "Operations");

  /** New values for one or two properties of an object, as an administrator would change them. */
  private static Map<String, Object> update(
      int kind, int index, int d, Pick p, Map<String, Object> now, Instant today) {
    Map<String, Object> m = new LinkedHashMap<>();
    switch (kind) {
      case DemoTenant.USER -> {
        switch (p.below(4)) {
          case 0 -> m.put("accountEnabled", !Boolean.TRUE.equals(now.get("accountEnabled")));
          case 1 -> {
            // A new surname: the name every membership of the user shows changes too.
            String surname = p.one(NEW_SURNAMES);
            m.put("surname", surname);
            m.put("displayName", now.get("givenName") + " " + surname);
          }
          case 2 -> {
            m.put("department", p.one(DEPARTMENTS));
            m.put("jobTitle", p.one(JOB_TITLES));
          }
          default -> {
            if (p.chance(0.5)) {
              m.put("jobTitle", p.one(JOB_TITLES));
            } else {
              m.put("officeLocation", p.digits(2) + "/" + p.digits(4));
            }
          }
        }
      }
      case DemoTenant.DEVICE -> {
        switch (p.below(4)) {
          case 0 -> m.put("accountEnabled", !Boolean.TRUE.equals(now.get("accountEnabled")));
          case 1 -> m.put("isCompliant", !Boolean.TRUE.equals(now.get("isCompliant")));
          case 2 -> m.put("displayName", "RENAMED-" + p.digits(6));
          default ->
              m.put(
                  "approximateLastSignInDateTime",
                  DemoTenant.seconds(today.minusSeconds(p.below(86_000))));
        }
      }
      case DemoTenant.SERVICE_PRINCIPAL -> {
        // Never renamed: an application's name is its service principal's, and the two would
        // part (the application's delta would not say so).
        if (p.chance(0.5)) {
          m.put("accountEnabled", !Boolean.TRUE.equals(now.get("accountEnabled")));
        } else {
          m.put("tags", List.of("WindowsAzureActiveDirectoryIntegratedApp", "Reviewed-" + d));
        }
      }
      case DemoTenant.GROUP -> {
        if (p.chance(0.3)) {
          m.put("displayName", now.get("displayName") + " " + p.digits(2));
        } else {
          m.put("description", "Changed on day " + d + " (" + p.digits(4) + ")");
        }
      }
      default -> m.put("description", "Changed on day " + d + " (" + p.digits(4) + ")");
    }
    return m;
  }

  int day() {
    return day;
  }

  Population population(int kind) {
    return populations.get(kind);
  }

  /** Whether the object is soft-deleted today: gone, and restorable. */
  boolean softDeleted(int kind, int index) {
    Population pop = populations.get(kind);
    return pop != null && pop.removed.get(index) == Op.SOFT_DELETED;
  }

  /** Whether the object is there today; kinds that never change always are. */
  boolean alive(int kind, int index) {
    Population pop = populations.get(kind);
    return pop == null || pop.alive(index);
  }

  /** The object with today's values: the base properties, then every update since day 0. */
  Map<String, Object> apply(int kind, int index, Map<String, Object> base) {
    Population pop = populations.get(kind);
    Map<String, Object> o = pop == null ? null : pop.overrides.get(index);
    if (o == null) {
      return base;
    }
    base.putAll(o);
    return base;
  }

  /** Every change after day {@code from} up to today, in the order made. */
  List<Change> since(int from) {
    return journal.stream().filter(c -> c.day() > from).toList();
  }
}
