package io.entrawarehouse.simulator;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.function.ToIntFunction;

/**
 * How the route table ({@link Catalog#ROUTES}) is read: a path pattern to a collection and its
 * items in the tenant, matched segment by segment, and the resources with a delta function. The
 * server is generic over it: a new collection is a catalog entry and its tenant data, not a branch
 * here.
 */
final class Routes {

  private Routes() {}

  /** Where a request's items come from: a size and an item by position. */
  interface Source {
    long size();

    Map<String, Object> item(long index);
  }

  static Source source(long size, LongFunction<Map<String, Object>> item) {
    return new Source() {
      @Override
      public long size() {
        return size;
      }

      @Override
      public Map<String, Object> item(long index) {
        return item.apply(index);
      }
    };
  }

  /** A collection's items in a tenant; {@code id} is the parent's, for a per-parent path. */
  interface Items {
    Source of(DemoTenant tenant, String id);
  }

  /**
   * One entry of the route table.
   *
   * @param pattern the path under {@code /v1.0/}, with {@code {id}} for a parent's id
   * @param collection what the path serves and the query rules Graph applies to it
   * @param countable whether {@code /$count} is served on it
   * @param items its items in the tenant
   * @param known the properties {@code $select} and {@code $filter} know
   */
  record Route(
      String pattern,
      GraphCollection collection,
      boolean countable,
      Items items,
      Function<DemoTenant, Set<String>> known) {

    Set<String> knownProperties(DemoTenant tenant) {
      return known.apply(tenant);
    }
  }

  /** A request's path matched to its route: the items of this tenant, parent included. */
  record Match(Route route, Source source, String path, boolean countOnly) {
    GraphCollection collection() {
      return route.collection();
    }
  }

  /**
   * A collection's objects, by index: its items in a tenant, and the first object ever generated,
   * whose properties are the collection's (whether or not it is listed today).
   */
  record Objects(Items items, ObjIntFunction<DemoTenant, Map<String, Object>> object) {}

  static Route route(String pattern, GraphCollection collection, Objects objects) {
    return new Route(
        pattern, collection, true, objects.items(), t -> objects.object().apply(t, 0).keySet());
  }

  static Route uncounted(String pattern, GraphCollection collection, Objects objects) {
    return new Route(
        pattern, collection, false, objects.items(), t -> objects.object().apply(t, 0).keySet());
  }

  /** The objects of a kind that are alive today, as a listing shows them. */
  static Objects alive(int kind, ObjIntFunction<DemoTenant, Map<String, Object>> object) {
    return new Objects(
        (tenant, id) -> {
          int[] alive = tenant.alive(kind);
          return source(alive.length, i -> object.apply(tenant, alive[(int) i]));
        },
        object);
  }

  /** Objects by index, as many as the tenant says. */
  static Objects indexed(
      ToIntFunction<DemoTenant> size, ObjIntFunction<DemoTenant, Map<String, Object>> object) {
    return new Objects(
        (tenant, id) -> source(size.applyAsInt(tenant), i -> object.apply(tenant, (int) i)),
        object);
  }

  /** A function of an object and an int. */
  interface ObjIntFunction<T, R> {
    R apply(T t, int i);
  }

  static int parent(String id, int index) {
    if (index < 0) {
      throw GraphError.notFound(id);
    }
    return index;
  }

  /** The route a request's path takes, with the tenant's items; Graph's 400 for none. */
  static Match match(DemoTenant tenant, String path) {
    String[] segments = path.substring(1).split("/");
    boolean countOnly = segments[segments.length - 1].equals("$count");
    int n = countOnly ? segments.length - 1 : segments.length;
    for (Route route : Catalog.ROUTES) {
      String[] pattern = route.pattern().split("/");
      if (pattern.length != n || (countOnly && !route.countable())) {
        continue;
      }
      String id = null;
      boolean matches = true;
      for (int i = 0; i < n && matches; i++) {
        if (pattern[i].equals("{id}")) {
          id = segments[i].toLowerCase(Locale.ROOT);
        } else {
          matches = pattern[i].equals(segments[i]);
        }
      }
      if (matches) {
        return new Match(route, route.items().of(tenant, id), path, countOnly);
      }
    }
    throw GraphError.badRequest("Resource not found for the segment '" + segments[n - 1] + "'.");
  }

  /** A resource's delta function: what it serves and the tenant's kind of object. */
  record DeltaRoute(String resource, GraphCollection collection, int kind) {}

  /** The delta route of a {@code /<resource>/delta} path, or null when it is none. */
  static DeltaRoute delta(String path) {
    for (DeltaRoute d : Catalog.DELTA_ROUTES) {
      if (path.equals("/" + d.resource() + "/delta")
          || path.equals("/" + d.resource() + "/delta()")) {
        return d;
      }
    }
    return null;
  }
}
