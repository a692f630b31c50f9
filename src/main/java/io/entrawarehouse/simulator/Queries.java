package io.entrawarehouse.simulator;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A listing's query options as Graph checks and applies them: {@code $select} against the
 * properties a collection knows, {@code $top} within its bounds, {@code $filter} with the
 * advanced-query rules and log retention, {@code $count}, and the projection of each item.
 * Thread-safe.
 */
final class Queries {

  private final SimulatorSettings settings;
  private final DemoTenant tenant;
  private final Paging paging;
  private final Map<GraphCollection, Set<String>> knownProperties = new LinkedHashMap<>();
  private final Map<String, Long> countCache = new ConcurrentHashMap<>();

  Queries(SimulatorSettings settings, DemoTenant tenant, Paging paging) {
    this.settings = settings;
    this.tenant = tenant;
    this.paging = paging;
    for (Routes.Route route : Catalog.ROUTES) {
      knownProperties.putIfAbsent(route.collection(), route.knownProperties(tenant));
    }
  }

  /**
   * A validated request: everything needed to produce one page. {@code first} is where the filtered
   * range begins, {@code start} where this page begins.
   */
  record Query(
      Set<String> select,
      ODataFilter filter,
      int top,
      boolean count,
      long first,
      long start,
      long end) {}

  /** The $select names in order, as a set: projection tests membership for every property. */
  Set<String> select(GraphCollection collection, String raw) {
    if (raw == null) {
      return null;
    }
    Set<String> names = new LinkedHashSet<>();
    for (String name : raw.split(",")) {
      String trimmed = name.trim();
      if (trimmed.isEmpty()) {
        continue;
      }
      if (!knownProperties.get(collection).contains(trimmed)) {
        throw new GraphError(
            400,
            "Request_BadRequest",
            "Could not find a property named '"
                + trimmed
                + "' on type '"
                + collection.odataType()
                + "'.");
      }
      names.add(trimmed);
    }
    return names.isEmpty() ? null : names;
  }

  Query query(
      Routes.Match route,
      Map<String, String> params,
      Set<String> select,
      boolean advanced,
      boolean signInActivity) {
    GraphCollection collection = route.collection();
    int maxTop = signInActivity ? 500 : collection.maxTop();
    int top = collection.defaultTop();
    if (maxTop == 0) {
      // A collection served whole, that takes no $top (subscribedSkus).
      if (params.containsKey("$top")) {
        throw GraphError.badRequest("Query option 'Top' is not allowed.");
      }
    } else if (params.containsKey("$top")) {
      try {
        top = Integer.parseInt(params.get("$top").trim());
      } catch (NumberFormatException e) {
        throw GraphError.badRequest(
            "Invalid value '" + params.get("$top") + "' for query option $top.");
      }
      if (top < 1 || top > maxTop) {
        throw GraphError.unsupportedQuery(
            "Invalid page size specified: '"
                + top
                + "'. Must be between 1 and "
                + maxTop
                + " inclusive.");
      }
    } else {
      top = Math.min(top, maxTop);
    }
    ODataFilter filter = filter(collection, params.get("$filter"), advanced);
    long start = 0;
    long end = route.source().size();
    if (collection.isLog()) {
      long[] range = timeRange(collection, filter);
      start = range[0];
      end = range[1];
    }
    long first = start;
    String skipToken = params.get("$skiptoken");
    if (skipToken != null) {
      start = Math.max(start, paging.readSkipToken(route, params, skipToken));
    }
    return new Query(select, filter, top, advanced, first, start, end);
  }

  ODataFilter filter(GraphCollection collection, String raw, boolean advanced) {
    if (raw == null || raw.isBlank()) {
      return null;
    }
    ODataFilter filter;
    try {
      filter = ODataFilter.parse(raw);
    } catch (ODataFilter.SyntaxException e) {
      throw collection.isLog()
          ? GraphError.invalidFilter()
          : GraphError.badRequest("Invalid filter clause: " + e.getMessage());
    }
    for (String property : filter.properties()) {
      FilterSupport support = collection.filterable().get(property);
      if (support == null) {
        String top = property.split("/")[0];
        if (collection.isLog()) {
          throw GraphError.invalidFilter();
        }
        if (!knownProperties.get(collection).contains(top)) {
          throw GraphError.badRequest(
              "Could not find a property named '"
                  + top
                  + "' on type '"
                  + collection.odataType()
                  + "'.");
        }
        throw GraphError.notIndexed(property, collection.resource());
      }
      if (support == FilterSupport.ADVANCED && !advanced) {
        throw GraphError.notIndexed(property, collection.resource());
      }
    }
    if (!advanced) {
      // Microsoft's table marks comparing some default-filterable properties with null as
      // advanced-only (its "null value" column): Conformance.ADVANCED_QUERY_TABLE.
      for (String property : filter.comparedWithNull()) {
        if (Catalog.nullNeedsAdvanced(collection, property)) {
          throw GraphError.notIndexed(property, collection.resource());
        }
      }
    }
    Set<String> operators = filter.operators();
    if (collection.isLog()) {
      if (operators.contains("not") || operators.contains("endswith")) {
        throw GraphError.invalidFilter();
      }
      checkLogTimes(collection, filter);
    } else if (!advanced) {
      for (String op : List.of("ne", "not", "endswith")) {
        if (operators.contains(op)) {
          throw GraphError.advancedQueryRequired(
              op.equals("endswith") ? "endsWith" : op.equals("not") ? "Not" : op);
        }
      }
    }
    return filter;
  }

  /** Log timestamps must be unquoted DateTimeOffsets inside the tenant's retention window. */
  private void checkLogTimes(GraphCollection collection, ODataFilter filter) {
    Instant oldest = settings.clock().instant().minus(Duration.ofDays(settings.premium() ? 30 : 7));
    for (Object value : filter.literalsComparedWith(collection.timeProperty())) {
      if (value instanceof String || (value instanceof Instant t && t.isBefore(oldest))) {
        throw GraphError.invalidFilter();
      }
    }
  }

  /**
   * The index range [start, end) of log items inside the filter's time bounds (none: all), by
   * binary search, and never an event that has not happened yet by the simulator's clock: a tenant
   * whose {@code tenantNow} is ahead of the clock shows its newest events as the clock reaches
   * them, as Graph shows events created after a load began to the next load only.
   */
  private long[] timeRange(GraphCollection collection, ODataFilter filter) {
    Instant[] bounds =
        filter == null ? new Instant[2] : filter.timeBounds(collection.timeProperty());
    Instant happened = settings.clock().instant();
    if (bounds[1] == null || bounds[1].isAfter(happened)) {
      bounds[1] = happened;
    }
    int kind = collection == Catalog.SIGN_INS ? DemoTenant.SIGN_IN : DemoTenant.AUDIT;
    int count =
        collection == Catalog.SIGN_INS
            ? tenant.scale().signIns()
            : tenant.scale().directoryAudits();
    // Times decrease with the index: items newer than 'to' come first, older than 'from' last.
    long start = bounds[1] == null ? 0 : firstIndexAtOrBefore(kind, count, bounds[1]);
    long end = bounds[0] == null ? count : firstIndexBefore(kind, count, bounds[0]);
    return new long[] {start, Math.max(start, end)};
  }

  private long firstIndexAtOrBefore(int kind, int count, Instant t) {
    int lo = 0;
    int hi = count;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (!tenant.logs().logTime(kind, mid, count).isAfter(t)) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  private long firstIndexBefore(int kind, int count, Instant t) {
    int lo = 0;
    int hi = count;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (tenant.logs().logTime(kind, mid, count).isBefore(t)) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  long count(Routes.Match route, ODataFilter filter, long start, long end) {
    if (filter == null) {
      return end - start;
    }
    String key = route.path() + "\n" + filter.text();
    Long cached = countCache.get(key);
    if (cached != null) {
      return cached;
    }
    long n = 0;
    for (long i = start; i < end; i++) {
      if (filter.test(route.source().item(i))) {
        n++;
      }
    }
    if (countCache.size() > 1_000) {
      countCache.clear();
    }
    countCache.put(key, n);
    return n;
  }

  static Map<String, Object> project(
      GraphCollection collection, Map<String, Object> item, Set<String> select) {
    Collection<String> keep = select != null ? select : collection.defaultSelect();
    if (keep.isEmpty()) {
      return item;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    Object type = item.get("@odata.type");
    if (type != null) {
      out.put("@odata.type", type);
    }
    if (select != null) {
      // Directory objects always carry their id, selected or not (see Microsoft's
      // user-with-signInActivity example); log entries return only what was selected.
      boolean withId = !collection.isLog();
      for (Map.Entry<String, Object> e : item.entrySet()) {
        if (keep.contains(e.getKey()) || (withId && e.getKey().equals("id"))) {
          out.put(e.getKey(), e.getValue());
        }
      }
    } else {
      for (String key : keep) {
        out.put(key, item.get(key));
      }
    }
    return out;
  }
}
