package io.entrawarehouse.simulator;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Graph's delta functions ({@code /users/delta} and the others {@link Catalog#DELTA_ROUTES} names):
 * rounds of pages whose tokens carry their state, the changes of the tenant's days between two
 * tokens, and {@code members@delta} for groups. Thread-safe.
 */
final class DeltaRounds {

  private final SimulatorSettings settings;
  private final DemoTenant tenant;
  private final RequestLog log;
  private final TokenService tokens;
  private final Queries queries;
  private final Paging paging;
  private final Admission admission;
  private final Faults faults;

  /** Delta tokens issued before the last {@link #expireTokens} are refused with 410. */
  private final AtomicInteger deltaGeneration = new AtomicInteger();

  DeltaRounds(
      SimulatorSettings settings,
      DemoTenant tenant,
      RequestLog log,
      TokenService tokens,
      Queries queries,
      Paging paging,
      Admission admission,
      Faults faults) {
    this.settings = settings;
    this.tenant = tenant;
    this.log = log;
    this.tokens = tokens;
    this.queries = queries;
    this.paging = paging;
    this.admission = admission;
    this.faults = faults;
  }

  /** Makes every delta token issued so far invalid: the next use answers 410 Gone. */
  void expireTokens() {
    deltaGeneration.incrementAndGet();
  }

  /** How long a directory object's delta token lasts, in the tenant's days (Microsoft: 7 days). */
  static final int DELTA_TOKEN_DAYS = 7;

  /**
   * A delta round's state, as its tokens carry it: the kind, the day the changes are counted from
   * (-1: the initial round, every object), the day they reach, the token generation, the position
   * of the next item, and the {@code $select} of the round's first request.
   */
  private record DeltaState(
      int kind, int from, int to, int generation, int position, String select) {

    String encode() {
      String payload =
          kind + "," + from + "," + to + "," + generation + "," + position + "," + select;
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString(payload.getBytes(StandardCharsets.UTF_8));
    }

    static DeltaState decode(String token, int kind) {
      try {
        String[] p =
            new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8).split(",", 6);
        DeltaState s =
            new DeltaState(
                Integer.parseInt(p[0]),
                Integer.parseInt(p[1]),
                Integer.parseInt(p[2]),
                Integer.parseInt(p[3]),
                Integer.parseInt(p[4]),
                p[5]);
        if (s.kind != kind) {
          throw GraphError.badRequest("The delta token is not valid for this resource.");
        }
        return s;
      } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
        throw GraphError.badRequest("The specified delta token value is invalid.");
      }
    }
  }

  /**
   * {@code /users/delta}, {@code /groups/delta} and {@code /devices/delta} as Microsoft documents
   * them: an initial round lists every object; its last page carries a deltaLink whose token, used
   * later, lists what changed since (created and restored objects whole; updated ones whole, or
   * with {@code Prefer: return=minimal} only their changed properties; removed ones as {@code id}
   * and {@code @removed} with reason {@code changed} (restorable) or {@code deleted}). Query
   * parameters are taken on the first request only and carried by the tokens; {@code
   * $deltatoken=latest} answers at once with a deltaLink for now. A token more than {@link
   * #DELTA_TOKEN_DAYS} days old, or issued before {@link #expireTokens}, gets 410 Gone.
   */
  void serve(
      HttpExchange exchange, Routes.DeltaRoute route, String requestId, String clientRequestId)
      throws IOException {
    String resource = route.resource();
    GraphCollection collection = route.collection();
    int kind = route.kind();
    log.request(collection.name() + "/delta");
    Map<String, String> params = Paging.parseQuery(exchange.getRequestURI().getRawQuery());
    TokenService.Claims claims =
        tokens.verify(exchange.getRequestHeaders().getFirst("Authorization"));
    for (String option : params.keySet()) {
      if (Set.of("$top", "$orderby", "$expand", "$search", "$count").contains(option)) {
        throw GraphError.badRequest(
            "The query option '" + option + "' is not supported with delta queries.");
      }
      if (option.equals("$filter")) {
        throw new GraphError(
            501,
            "NotImplemented",
            "The Entra Warehouse simulator does not implement $filter (id eq) on delta queries.");
      }
    }
    String prefer = exchange.getRequestHeaders().getFirst("Prefer");
    boolean minimal = prefer != null && prefer.contains("return=minimal");
    int today = tenant.day();
    DeltaState state;
    if (params.containsKey("$skiptoken")) {
      state = DeltaState.decode(params.get("$skiptoken"), kind);
    } else if ("latest".equals(params.get("$deltatoken"))) {
      Set<String> select = deltaSelect(collection, params.get("$select"));
      state =
          new DeltaState(
              kind,
              today,
              today,
              deltaGeneration.get(),
              0,
              select == null ? "" : String.join(" ", select));
    } else if (params.containsKey("$deltatoken")) {
      DeltaState stored = DeltaState.decode(params.get("$deltatoken"), kind);
      state = new DeltaState(kind, stored.to(), today, stored.generation(), 0, stored.select());
    } else {
      Set<String> select = deltaSelect(collection, params.get("$select"));
      state =
          new DeltaState(
              kind,
              -1,
              today,
              deltaGeneration.get(),
              0,
              select == null ? "" : String.join(" ", select));
    }
    Set<String> select =
        state.select().isEmpty() ? null : new LinkedHashSet<>(List.of(state.select().split(" ")));
    if (select != null && select.contains("signInActivity")) {
      throw GraphError.badRequest("Property 'signInActivity' is not supported for delta queries.");
    }
    Access.authorize(settings, collection, claims, false);
    if (state.generation() != deltaGeneration.get()) {
      throw new GraphError(
          410,
          "resyncRequired",
          "The delta token is no longer valid; start again with a full synchronization.");
    }
    if (state.from() >= 0 && today - state.from() > DELTA_TOKEN_DAYS) {
      throw new GraphError(
          410,
          "syncStateNotFound",
          "The delta token has expired: tokens for directory objects last "
              + DELTA_TOKEN_DAYS
              + " days.");
    }
    Map<String, String> headers =
        admission.admit(collection, claims, select != null, requestId, clientRequestId);
    FaultRule.Kind fault = faults.next(collection.name() + "/delta");
    if (fault != null) {
      faults.beforeAnswer(fault, exchange, collection);
    }
    List<Map<String, Object>> entries = deltaEntries(collection, kind, state, select, minimal);
    int end = Math.min(entries.size(), state.position() + collection.defaultTop());
    List<Map<String, Object>> items = entries.subList(state.position(), end);
    String base = paging.graphBaseUrl() + "/" + resource + "/delta?";
    String link = end < entries.size() ? "@odata.nextLink" : "@odata.deltaLink";
    String target =
        end < entries.size()
            ? base
                + "$skiptoken="
                + new DeltaState(
                        kind, state.from(), state.to(), state.generation(), end, state.select())
                    .encode()
            : base
                + "$deltatoken="
                + new DeltaState(
                        kind, state.to(), state.to(), state.generation(), 0, state.select())
                    .encode();
    String context = paging.contextUrl(collection, select);
    byte[] body = Responses.page(context, null, link, target, items);
    Map<String, String> all = new LinkedHashMap<>(headers);
    if (minimal) {
      all.put("Preference-Applied", "return=minimal");
    }
    Responses.pause(
        settings.latencyPerPage().plus(settings.latencyPerItem().multipliedBy(items.size())));
    Responses.send(exchange, 200, Responses.JSON_TYPE, body, all);
  }

  /**
   * A delta query's $select: as a listing's, and a group's {@code members} navigation property
   * besides (its changes come as {@code members@delta}).
   */
  private Set<String> deltaSelect(GraphCollection collection, String raw) {
    if (raw == null || collection != Catalog.GROUPS) {
      return queries.select(collection, raw);
    }
    List<String> names = new ArrayList<>(List.of(raw.split(",")));
    boolean members = names.removeIf(n -> n.trim().equals("members"));
    Set<String> rest = names.isEmpty() ? null : queries.select(collection, String.join(",", names));
    if (!members) {
      return rest;
    }
    Set<String> all = rest == null ? new LinkedHashSet<>(List.of("id")) : new LinkedHashSet<>(rest);
    all.add("members");
    return all;
  }

  /** The last round's items, by its state without the position: a round's pages share them. */
  private final Map<String, List<Map<String, Object>>> deltaRounds =
      Collections.synchronizedMap(
          new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, List<Map<String, Object>>> e) {
              return size() > 8;
            }
          });

  /** Members@delta entries are split in groups of this many, as Graph spreads them over items. */
  static final int MEMBERS_PER_ITEM = 100;

  /** A delta round's items, in a stable order so its pages can be served by position. */
  private List<Map<String, Object>> deltaEntries(
      GraphCollection collection, int kind, DeltaState state, Set<String> select, boolean minimal) {
    String key =
        state.kind()
            + ","
            + state.from()
            + ","
            + state.to()
            + ","
            + state.generation()
            + ","
            + state.select()
            + ","
            + minimal
            + ","
            + tenant.day();
    return deltaRounds.computeIfAbsent(
        key, k -> computeDeltaEntries(collection, kind, state, select, minimal));
  }

  private List<Map<String, Object>> computeDeltaEntries(
      GraphCollection collection, int kind, DeltaState state, Set<String> select, boolean minimal) {
    boolean members = select != null && select.contains("members");
    if (members) {
      select = new LinkedHashSet<>(select);
      select.remove("members");
    }
    List<Map<String, Object>> objects = objectEntries(collection, kind, state, select, minimal);
    if (!members) {
      return objects;
    }
    // Members: each group whose members changed carries members@delta, beside its own changes.
    boolean idOnly = select.size() == 1;
    Map<String, Map<String, Object>> byId = new LinkedHashMap<>();
    for (Map<String, Object> o : objects) {
      if (!(idOnly && !o.containsKey("@removed") && state.from() >= 0)) {
        byId.put((String) o.get("id"), o);
      }
    }
    TenantChanges before = state.from() < 0 ? null : tenant.changesAt(state.from());
    List<Map<String, Object>> out = new ArrayList<>();
    for (int g : tenant.alive(DemoTenant.GROUP)) {
      List<Map<String, Object>> delta = new ArrayList<>();
      if (before == null || !before.alive(DemoTenant.GROUP, g)) {
        // A new (or restored) group: its members as its listing has them.
        tenant.groups().liveMembers(g).forEach(ref -> delta.add(memberRef(ref, false)));
      } else {
        // As a group delta counts members: a member soft-deleted, or restored, is no change.
        List<Groups.MemberRef> now = tenant.groups().deltaMembers(g, tenant.changes());
        List<Groups.MemberRef> then = tenant.groups().deltaMembers(g, before);
        Set<Groups.MemberRef> had = new HashSet<>(then);
        Set<Groups.MemberRef> has = new HashSet<>(now);
        now.stream().filter(r -> !had.contains(r)).forEach(r -> delta.add(memberRef(r, false)));
        then.stream().filter(r -> !has.contains(r)).forEach(r -> delta.add(memberRef(r, true)));
      }
      String id = tenant.id(DemoTenant.GROUP, g);
      Map<String, Object> entry = byId.remove(id);
      if (delta.isEmpty()) {
        if (entry != null) {
          out.add(entry);
        }
        continue;
      }
      for (int i = 0; i < delta.size(); i += MEMBERS_PER_ITEM) {
        Map<String, Object> item = new LinkedHashMap<>();
        if (i == 0 && entry != null) {
          item.putAll(entry);
        } else {
          item.put("id", id);
        }
        item.put("members@delta", delta.subList(i, Math.min(delta.size(), i + MEMBERS_PER_ITEM)));
        out.add(item);
      }
    }
    out.addAll(byId.values()); // removed groups
    return out;
  }

  private Map<String, Object> memberRef(Groups.MemberRef ref, boolean removed) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("@odata.type", "#microsoft.graph." + DemoTenant.odataType(ref.kind()));
    m.put("id", tenant.groups().idOf(ref));
    if (removed) {
      m.put("@removed", Map.of("reason", "deleted"));
    }
    return m;
  }

  private List<Map<String, Object>> objectEntries(
      GraphCollection collection, int kind, DeltaState state, Set<String> select, boolean minimal) {
    List<Map<String, Object>> out = new ArrayList<>();
    if (state.from() == state.to()) {
      return out;
    }
    IntFunction<Map<String, Object>> object =
        i ->
            switch (kind) {
              case DemoTenant.USER -> tenant.people().user(i);
              case DemoTenant.GROUP -> tenant.groups().group(i);
              case DemoTenant.SERVICE_PRINCIPAL -> tenant.apps().servicePrincipal(i);
              case DemoTenant.APPLICATION -> tenant.apps().application(i);
              default -> tenant.devices().device(i);
            };
    TenantChanges changes = tenant.changes();
    if (state.from() < 0) {
      for (int i : tenant.alive(kind)) {
        out.add(Queries.project(collection, object.apply(i), select));
      }
      return out;
    }
    Map<Integer, Set<String>> updated = new LinkedHashMap<>();
    Set<Integer> whole = new HashSet<>();
    for (TenantChanges.Change c : changes.since(state.from())) {
      if (c.kind() != kind
          || c.day() > state.to()
          || c.op() == TenantChanges.Op.MEMBER_ADDED
          || c.op() == TenantChanges.Op.MEMBER_REMOVED) {
        continue; // a group's members are not its properties: they come as members@delta
      }
      Set<String> props = updated.computeIfAbsent(c.index(), k -> new LinkedHashSet<>());
      if (c.op() == TenantChanges.Op.UPDATED) {
        props.addAll(c.properties().keySet());
      } else {
        whole.add(c.index());
      }
    }
    TenantChanges.Population population = changes.population(kind);
    for (Map.Entry<Integer, Set<String>> e : updated.entrySet()) {
      int i = e.getKey();
      if (!population.alive(i)) {
        Map<String, Object> removed = new LinkedHashMap<>();
        removed.put("id", tenant.id(kind, i));
        boolean restorable = population.removed.get(i) == TenantChanges.Op.SOFT_DELETED;
        removed.put("@removed", Map.of("reason", restorable ? "changed" : "deleted"));
        out.add(removed);
        continue;
      }
      Map<String, Object> full = Queries.project(collection, object.apply(i), select);
      if (whole.contains(i) || !minimal) {
        if (whole.contains(i) || select == null || !Collections.disjoint(select, e.getValue())) {
          out.add(full);
        }
        continue;
      }
      Map<String, Object> changed = new LinkedHashMap<>();
      changed.put("id", full.get("id"));
      for (String property : e.getValue()) {
        if (full.containsKey(property)) {
          changed.put(property, full.get(property));
        }
      }
      if (changed.size() > 1) {
        out.add(changed);
      }
    }
    return out;
  }
}
