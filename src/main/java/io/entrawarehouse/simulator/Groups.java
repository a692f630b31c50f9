package io.entrawarehouse.simulator;

import static io.entrawarehouse.simulator.DemoTenant.*;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The demo tenant's groups and who is in them: heavy-tailed sizes, a mix of member kinds, one
 * membership cycle, members on any day of changes, and the transitive closure Graph lists.
 * Immutable and thread-safe, as the tenant.
 */
public final class Groups {

  private final DemoTenant t;
  private final int[] groupSizes;
  private final int[][] groupComposition;
  private final long memberships;

  /**
   * The membership cycle every demo tenant has, as real tenants can (Entra ID does not refuse a
   * group nested in its own member): group {@code cycle[0]} holds group {@code cycle[1]}, whose
   * last member is group {@code cycle[0]}. Null in a tenant with no nesting.
   */
  private final int[] cycle;

  private final Map<String, Integer> groupIndexById;

  private volatile TenantChanges memberOfDay;
  private volatile Map<Integer, List<Integer>> memberOf;

  Groups(DemoTenant tenant) {
    this.t = tenant;
    TenantScale scale = tenant.scale();
    this.groupSizes = new int[scale.groups()];
    this.groupComposition = new int[scale.groups()][];
    this.memberships = planMemberships();
    this.cycle = findCycle();
    this.groupIndexById = new HashMap<>(scale.groups() * 2);
    for (int g = 0; g < scale.groups(); g++) {
      groupIndexById.put(tenant.id(GROUP, g), g);
    }
  }

  /** Total memberships actually generated: the scale's figure unless groups could not hold it. */
  public long memberships() {
    return memberships;
  }

  public int groupSize(int group) {
    return group < groupSizes.length ? groupSizes[group] : 0;
  }

  /** The index of the group with this id, or -1. */
  public int groupIndex(String id) {
    Integer g = groupIndexById.get(id);
    TenantChanges.Population groups = t.changes().population(GROUP);
    if (g == null) {
      for (int i = groups.baseCount; i < groups.next; i++) {
        if (t.id(GROUP, i).equals(id)) {
          g = i;
        }
      }
    }
    return g == null || !groups.alive(g) ? -1 : g;
  }

  GroupType groupType(int g) {
    double bits = Hashing.mix(Hashing.hash(t.seed(), GROUP + 200, g)) >>> 11 & ((1L << 53) - 1);
    double u = bits / (1L << 53);
    if (u < 0.45) {
      return GroupType.SECURITY;
    } else if (u < 0.53) {
      return GroupType.SYNCED_SECURITY;
    } else if (u < 0.83) {
      return GroupType.UNIFIED;
    } else if (u < 0.95 || t.scale().devices() == 0) {
      return GroupType.DYNAMIC_USERS;
    }
    return GroupType.DYNAMIC_DEVICES;
  }

  /** Group {@code g}, with the properties (and order) of the documented v1.0 group. */
  public Map<String, Object> group(int g) {
    return t.changes().apply(GROUP, g, baseGroup(g));
  }

  Map<String, Object> baseGroup(int g) {
    Pick p = t.pick(GROUP + 100, g);
    GroupType type = groupType(g);
    String dept = p.one(People.DEPARTMENTS);
    String name =
        switch (type) {
          case SECURITY -> dept + " Security " + g;
          case SYNCED_SECURITY -> "SG-" + People.ascii(dept) + "-" + g;
          case UNIFIED -> dept + " Team " + g;
          case DYNAMIC_USERS -> "All " + dept + " " + g;
          case DYNAMIC_DEVICES -> "All " + p.one("Windows", "iOS", "Android") + " devices " + g;
        };
    String nickname = People.ascii(name) + g;
    boolean unified = type == GroupType.UNIFIED;
    boolean synced = type == GroupType.SYNCED_SECURITY;
    Instant created = t.now().minusSeconds(86_400L + p.below(6L * 365 * 86_400));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", t.id(GROUP, g));
    m.put("deletedDateTime", null);
    m.put("classification", unified && p.chance(0.3) ? p.one("Low", "Medium", "High") : null);
    m.put("createdDateTime", seconds(created));
    m.put("description", p.chance(0.8) ? "Group for " + dept.toLowerCase(Locale.ROOT) : null);
    m.put("displayName", name);
    m.put("expirationDateTime", null);
    List<Object> groupTypes = new ArrayList<>();
    if (unified) {
      groupTypes.add("Unified");
    }
    if (type == GroupType.DYNAMIC_USERS || type == GroupType.DYNAMIC_DEVICES) {
      groupTypes.add("DynamicMembership");
    }
    m.put("groupTypes", groupTypes);
    m.put("isAssignableToRole", type == GroupType.SECURITY && p.chance(0.05) ? Boolean.TRUE : null);
    m.put("mail", unified ? nickname + "@contoso.com" : null);
    m.put("mailEnabled", unified);
    m.put("mailNickname", nickname);
    m.put(
        "membershipRule",
        switch (type) {
          case DYNAMIC_USERS -> "user.department -eq \"" + dept + "\"";
          case DYNAMIC_DEVICES -> "device.deviceOSType -eq \"Windows\"";
          default -> null;
        });
    m.put(
        "membershipRuleProcessingState",
        type == GroupType.DYNAMIC_USERS || type == GroupType.DYNAMIC_DEVICES ? "On" : null);
    m.put(
        "onPremisesLastSyncDateTime",
        synced ? seconds(t.now().minusSeconds(p.below(7_200))) : null);
    m.put(
        "onPremisesSecurityIdentifier",
        synced ? "S-1-5-21-" + p.digits(10) + "-" + p.digits(4) : null);
    m.put("onPremisesSyncEnabled", synced ? Boolean.TRUE : null);
    m.put("preferredDataLocation", unified && p.chance(0.2) ? p.one("CAN", "EUR", "NAM") : null);
    m.put("preferredLanguage", null);
    m.put(
        "proxyAddresses",
        unified
            ? List.of("smtp:" + nickname + "@" + t.domain(), "SMTP:" + nickname + "@contoso.com")
            : List.of());
    m.put("renewedDateTime", seconds(created));
    m.put("resourceBehaviorOptions", List.of());
    m.put("resourceProvisioningOptions", unified && p.chance(0.5) ? List.of("Team") : List.of());
    m.put("securityEnabled", !unified || p.chance(0.1));
    m.put("theme", null);
    m.put("visibility", unified ? p.one("Public", "Private") : null);
    m.put("onPremisesProvisioningErrors", List.of());
    return m;
  }

  /**
   * Decides every group's size and mix of member kinds. Sizes are heavy-tailed (a few large groups,
   * many small ones, some empty) and sum to the t.scale()'s memberships unless the groups cannot
   * hold that many distinct members.
   */
  private long planMemberships() {
    int groups = t.scale().groups();
    if (groups == 0) {
      return 0;
    }
    double[] weight = new double[groups];
    long[] capacity = new long[groups];
    double total = 0;
    for (int g = 0; g < groups; g++) {
      Pick p = t.pick(MEMBERS, g);
      weight[g] = p.chance(0.05) ? 0 : 1 / Math.pow(1e-3 + p.unit(), 0.8);
      total += weight[g];
      capacity[g] = capacity(g);
    }
    long target = t.scale().memberships();
    long assigned = 0;
    for (int g = 0; g < groups; g++) {
      long size = total == 0 ? 0 : (long) Math.floor(target * weight[g] / total);
      size = Math.min(Math.min(size, capacity[g]), Integer.MAX_VALUE);
      groupSizes[g] = (int) size;
      assigned += size;
    }
    // Hand out what rounding and capacity left over, round-robin over groups with room.
    boolean progress = true;
    while (assigned < target && progress) {
      progress = false;
      for (int g = 0; g < groups && assigned < target; g++) {
        if (groupSizes[g] < capacity[g] && weight[g] > 0) {
          long add =
              Math.min(Math.max(1, (target - assigned) / groups), capacity[g] - groupSizes[g]);
          groupSizes[g] += (int) add;
          assigned += add;
          progress = true;
        }
      }
    }
    for (int g = 0; g < groups; g++) {
      groupComposition[g] = composition(g, groupSizes[g]);
    }
    return assigned;
  }

  private long capacity(int g) {
    return switch (groupType(g)) {
      case UNIFIED, DYNAMIC_USERS -> t.scale().users();
      case DYNAMIC_DEVICES -> t.scale().devices();
      case SECURITY, SYNCED_SECURITY ->
          (long) t.scale().users()
              + t.scale().devices()
              + t.scale().servicePrincipals()
              + (t.scale().groups() - g - 1);
    };
  }

  /** Member counts per {@link MemberKind} for a group of the given size. */
  private int[] composition(int g, int size) {
    int[] pool = pools(g);
    int[] counts = new int[4];
    switch (groupType(g)) {
      case UNIFIED, DYNAMIC_USERS -> counts[0] = size;
      case DYNAMIC_DEVICES -> counts[2] = size;
      default -> {
        counts[1] = Math.min(pool[1], (int) Math.round(size * 0.05));
        counts[2] = Math.min(pool[2], (int) Math.round(size * 0.07));
        counts[3] = Math.min(pool[3], (int) Math.round(size * 0.03));
        counts[0] = size - counts[1] - counts[2] - counts[3];
        // Too few users for the rest: move the overflow to the other kinds.
        for (int k = 2; counts[0] > pool[0]; k = k % 3 + 1) {
          if (counts[k] < pool[k]) {
            counts[k]++;
            counts[0]--;
          }
        }
      }
    }
    return counts;
  }

  private int[] pools(int g) {
    return new int[] {
      t.scale().users(),
      t.scale().groups() - g - 1,
      t.scale().devices(),
      t.scale().servicePrincipals()
    };
  }

  /** Where member {@code j} of group {@code g} points: its kind and its index in that kind. */
  public record MemberRef(MemberKind kind, int index) {}

  private MemberRef locate(int g, int j) {
    if (cycle != null && g == cycle[1] && j == groupSizes[g] - 1) {
      return new MemberRef(MemberKind.GROUP, cycle[0]);
    }
    int[] counts = groupComposition[g];
    int k = 0;
    int position = j;
    while (position >= counts[k]) {
      position -= counts[k];
      k++;
    }
    int index = permute(g, k, position, pools(g)[k]);
    MemberKind kind = MemberKind.values()[k];
    // Nested groups are later groups, so the only cycle is the one {@link #cycle} closes.
    return new MemberRef(kind, kind == MemberKind.GROUP ? g + 1 + index : index);
  }

  /**
   * The first group that holds a security group with members of its own, and that group: the
   * latter's last member becomes the former, closing a cycle of two. Null when no group nests one.
   */
  private int[] findCycle() {
    for (int a = 0; a < t.scale().groups(); a++) {
      int[] counts = groupComposition[a];
      if (counts == null || counts[1] == 0) {
        continue;
      }
      for (int j = counts[0]; j < counts[0] + counts[1]; j++) {
        int b = locate(a, j).index();
        GroupType type = groupType(b);
        if (groupSizes[b] > 1
            && (type == GroupType.SECURITY || type == GroupType.SYNCED_SECURITY)) {
          return new int[] {a, b};
        }
      }
    }
    return null;
  }

  /**
   * Group {@code g}'s transitive members, as Graph's {@code /groups/{id}/transitiveMembers} lists
   * them: every object reachable through nested groups, each once, nested groups included, in
   * breadth-first order; the group itself never, even through a cycle.
   */
  public List<Map<String, Object>> transitiveMembers(int g) {
    return transitive(g).stream().map(this::object).toList();
  }

  /** The ids of group {@code g}'s transitive members, without generating the objects. */
  public List<String> transitiveMemberIds(int g) {
    return transitive(g).stream().map(this::idOf).toList();
  }

  private List<MemberRef> transitive(int g) {
    List<MemberRef> members = new ArrayList<>();
    Set<MemberRef> seen = new HashSet<>();
    seen.add(new MemberRef(MemberKind.GROUP, g));
    ArrayDeque<Integer> groups = new ArrayDeque<>();
    groups.add(g);
    while (!groups.isEmpty()) {
      int next = groups.poll();
      for (MemberRef ref : liveMembers(next)) {
        if (seen.add(ref)) {
          members.add(ref);
          if (ref.kind() == MemberKind.GROUP) {
            groups.add(ref.index());
          }
        }
      }
    }
    return members;
  }

  /** Whether a member is there today: users, groups and devices can be deleted. */
  private boolean alive(MemberRef ref) {
    return alive(ref, t.changes());
  }

  private static boolean alive(MemberRef ref, TenantChanges today) {
    return switch (ref.kind()) {
      case USER -> today.alive(USER, ref.index());
      case GROUP -> today.alive(GROUP, ref.index());
      case DEVICE -> today.alive(DEVICE, ref.index());
      case SERVICE_PRINCIPAL -> true;
    };
  }

  List<MemberRef> liveMembers(int g) {
    return liveMembers(g, t.changes());
  }

  /** Group {@code g}'s members on the day of {@code state}: day 0's, as changed since. */
  List<MemberRef> liveMembers(int g, TenantChanges state) {
    List<MemberRef> members = new ArrayList<>(groupSize(g));
    for (int j = 0; j < groupSize(g); j++) {
      MemberRef ref = locate(g, j);
      if (alive(ref, state) && !state.dropped(g, ref)) {
        members.add(ref);
      }
    }
    for (MemberRef ref : state.added(g)) {
      if (alive(ref, state)) {
        members.add(ref);
      }
    }
    return members;
  }

  /**
   * Group {@code g}'s members as a group delta counts them on the day of {@code state}: a
   * soft-deleted member is still one, so losing it (and regaining it on restore) is never sent in
   * {@code members@delta}; a hard-deleted one is gone (Conformance.GROUP_DELTA_MEMBER_DELETIONS).
   */
  List<MemberRef> deltaMembers(int g, TenantChanges state) {
    List<MemberRef> members = new ArrayList<>(groupSize(g));
    for (int j = 0; j < groupSize(g); j++) {
      MemberRef ref = locate(g, j);
      if (counted(ref, state) && !state.dropped(g, ref)) {
        members.add(ref);
      }
    }
    for (MemberRef ref : state.added(g)) {
      if (counted(ref, state)) {
        members.add(ref);
      }
    }
    return members;
  }

  private static boolean counted(MemberRef ref, TenantChanges state) {
    return alive(ref, state) || state.softDeleted(kindOf(ref.kind()), ref.index());
  }

  /** A member's display name on the day of {@code state}. */
  String memberName(MemberRef ref, TenantChanges state) {
    return (String) t.object(kindOf(ref.kind()), ref.index(), state).get("displayName");
  }

  /** Group {@code g}'s members today, as {@code /groups/{id}/members} lists them. */
  public List<Map<String, Object>> members(int g) {
    return liveMembers(g).stream().map(this::object).toList();
  }

  /**
   * Group {@code g}'s members as v1.0 {@code /groups/{id}/members} and {@code /transitiveMembers}
   * list them: without service principals (Conformance.V1_MEMBERS_OMIT_SERVICE_PRINCIPALS).
   */
  public List<MemberRef> v1Members(List<MemberRef> members) {
    return members.stream().filter(r -> r.kind() != MemberKind.SERVICE_PRINCIPAL).toList();
  }

  /**
   * The living groups service principal {@code s} is a direct member of today, as {@code
   * /servicePrincipals/{id}/memberOf} lists them (its directory roles aside), ascending.
   */
  public List<Integer> servicePrincipalGroups(int s) {
    TenantChanges today = t.changes();
    Map<Integer, List<Integer>> index = memberOf;
    if (memberOfDay != today || index == null) {
      index = new HashMap<>();
      for (int g : t.alive(GROUP)) {
        for (MemberRef ref : liveMembers(g, today)) {
          if (ref.kind() == MemberKind.SERVICE_PRINCIPAL) {
            index.computeIfAbsent(ref.index(), k -> new ArrayList<>()).add(g);
          }
        }
      }
      memberOf = index;
      memberOfDay = today;
    }
    return index.getOrDefault(s, List.of());
  }

  /** The ids of group {@code g}'s members today. */
  public List<String> memberIds(int g) {
    return liveMembers(g).stream().map(this::idOf).toList();
  }

  /**
   * Member {@code j} of group {@code g} as generated (day 0), as a Graph directoryObject with its
   * {@code @odata.type}.
   */
  public Map<String, Object> member(int g, int j) {
    return object(locate(g, j));
  }

  Map<String, Object> object(MemberRef ref) {
    Map<String, Object> body =
        switch (ref.kind()) {
          case USER -> t.people().defaultUser(ref.index());
          case GROUP -> group(ref.index());
          case DEVICE -> t.devices().device(ref.index());
          case SERVICE_PRINCIPAL -> t.apps().servicePrincipal(ref.index());
        };
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("@odata.type", "#microsoft.graph." + odataType(ref.kind()));
    m.putAll(body);
    return m;
  }

  /** The id of member {@code j} of group {@code g}, without generating the whole object. */
  public String memberId(int g, int j) {
    return idOf(locate(g, j));
  }

  String idOf(MemberRef ref) {
    return switch (ref.kind()) {
      case USER -> t.id(USER, ref.index());
      case GROUP -> t.id(GROUP, ref.index());
      case DEVICE -> t.id(DEVICE, ref.index());
      case SERVICE_PRINCIPAL -> t.id(SERVICE_PRINCIPAL, ref.index());
    };
  }

  /** Position → distinct pool index: an affine permutation with a stride coprime to the pool. */
  private int permute(int g, int kind, int position, int pool) {
    long h = Hashing.hash(t.seed(), MEMBERS + 10 + kind, g);
    long start = Long.remainderUnsigned(h, pool);
    long stride = pool <= 1 ? 1 : 1 + Long.remainderUnsigned(h >>> 17, pool - 1);
    while (gcd(stride, pool) != 1) {
      stride = stride % pool + 1;
    }
    return (int) ((start + position * stride) % pool);
  }

  private static long gcd(long a, long b) {
    while (b != 0) {
      long t = a % b;
      a = b;
      b = t;
    }
    return a;
  }
}
