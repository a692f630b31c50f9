package io.entrawarehouse.simulator;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One collection endpoint of the simulated Graph: what it serves and the query rules Graph applies
 * to it. The server is generic over these descriptors; {@link Catalog} holds the instances.
 *
 * @param name the endpoint key used by faults and the request log ("users", "signIns", …)
 * @param resource the resource name Graph uses in error messages ("User")
 * @param odataType the type name in "Could not find a property" errors ("microsoft.graph.user")
 * @param contextPath the path after {@code $metadata#}
 * @param defaultTop page size without {@code $top}
 * @param maxTop the largest {@code $top} accepted
 * @param resourceUnits the documented throttling cost of one request, before adjustments
 * @param reports whether the reports limit (requests per window) applies instead of resource units
 * @param anyOfPermissions the request needs at least one of these
 * @param allOfPermissions and every one of these
 * @param defaultSelect the properties returned without {@code $select}; empty means all
 * @param filterable the properties {@code $filter} accepts and how
 * @param timeProperty for logs, the timestamp property items are ordered by (newest first)
 */
record GraphCollection(
    String name,
    String resource,
    String odataType,
    String contextPath,
    int defaultTop,
    int maxTop,
    int resourceUnits,
    boolean reports,
    Set<String> anyOfPermissions,
    Set<String> allOfPermissions,
    List<String> defaultSelect,
    Map<String, FilterSupport> filterable,
    String timeProperty) {

  /** The same collection under another name, at another cost in resource units. */
  GraphCollection as(String otherName, int otherResourceUnits) {
    return new GraphCollection(
        otherName,
        resource,
        odataType,
        contextPath,
        defaultTop,
        maxTop,
        otherResourceUnits,
        reports,
        anyOfPermissions,
        allOfPermissions,
        defaultSelect,
        filterable,
        timeProperty);
  }

  boolean isLog() {
    return timeProperty != null;
  }

  boolean permits(Set<String> granted) {
    return granted.containsAll(allOfPermissions)
        && (anyOfPermissions.isEmpty() || anyOfPermissions.stream().anyMatch(granted::contains));
  }
}
