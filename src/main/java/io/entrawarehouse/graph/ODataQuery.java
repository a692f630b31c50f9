package io.entrawarehouse.graph;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The query options of a first page, as Graph reads them: {@code $select}, {@code $top}, {@code
 * $expand} and {@code $filter}, and whether the query is an advanced one ({@code $count=true}, sent
 * with {@code ConsistencyLevel: eventual}). Immutable; {@link #toString()} is the encoded query
 * string.
 *
 * @param select the properties, comma-separated; null for the endpoint's own default
 * @param top the page size; 0 to send none
 * @param expand the navigation property to expand, or null
 * @param filter the $filter, or null
 * @param advanced whether to ask for {@code $count=true} (only with a filter, as Graph needs it)
 */
public record ODataQuery(String select, int top, String expand, String filter, boolean advanced) {

  /** A Graph property name as $select takes it (extension properties included). */
  private static final Pattern PROPERTY = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");

  /** A query of these properties, at this page size, with no filter. */
  public static ODataQuery of(String select, int top) {
    return new ODataQuery(select, top, null, null, false);
  }

  public ODataQuery expand(String navigation) {
    return new ODataQuery(select, top, navigation, filter, advanced);
  }

  /** The same query filtered by {@code clause} (a user's $filter), in place of any filter. */
  public ODataQuery filter(String clause) {
    return new ODataQuery(select, top, expand, clause, advanced);
  }

  /** The same query within {@code window} (a log's time range): the window first, then the rest. */
  public ODataQuery within(String window) {
    return filter(filter == null ? window : window + " and (" + filter + ")");
  }

  /** The same query with {@code clause} added to its filter, what came before parenthesised. */
  public ODataQuery and(String clause) {
    return filter(filter == null ? clause : "(" + filter + ") and " + clause);
  }

  public ODataQuery advanced(boolean count) {
    return new ODataQuery(select, top, expand, filter, count);
  }

  @Override
  public String toString() {
    List<String> parts = new ArrayList<>();
    if (select != null) {
      parts.add("$select=" + GraphClient.encode(select));
    }
    if (top > 0) {
      parts.add("$top=" + top);
    }
    if (expand != null) {
      parts.add("$expand=" + GraphClient.encode(expand));
    }
    if (filter != null) {
      parts.add("$filter=" + GraphClient.encode(filter));
      if (advanced) {
        parts.add("$count=true");
      }
    }
    return String.join("&", parts);
  }

  /**
   * A $select from the defaults and what the user gave: their list in its place, or the defaults
   * plus the properties of a {@code +a,b}; {@code without} left out of the defaults (null: none).
   */
  public static String select(String defaults, String given, String without) {
    Set<String> all = new LinkedHashSet<>();
    if (given == null || given.startsWith("+")) {
      all.addAll(List.of(defaults.split(",")));
      all.remove(without);
      if (given != null) {
        for (String p : given.substring(1).split(",")) {
          if (!p.isBlank()) {
            all.add(p.trim());
          }
        }
      }
    } else {
      for (String p : given.split(",")) {
        all.add(p.trim());
      }
    }
    return String.join(",", all);
  }

  /**
   * A user's $select when it names properties ({@code a,b}, or {@code +a,b} to add to the
   * defaults), each a property name: an empty value would read nothing but ids, and any other
   * character would change the query Graph receives.
   *
   * @param key how the user gave it, for the message ({@code select.users})
   */
  public static String checkedSelect(String key, String value) {
    String list = value.strip();
    String properties = list.startsWith("+") ? list.substring(1) : list;
    if (properties.isBlank()) {
      throw new IllegalArgumentException(
          key
              + " names no property: give the properties to read ("
              + key
              + "=id,displayName), +a,b to add to the defaults, or leave "
              + key
              + " out for the defaults.");
    }
    for (String p : properties.split(",", -1)) {
      if (!PROPERTY.matcher(p.strip()).matches()) {
        throw new IllegalArgumentException(
            key
                + ": '"
                + p.strip()
                + "' is not a property name (letters, digits and _, comma-separated, e.g. "
                + key
                + "=+employeeId,department).");
      }
    }
    return list;
  }
}
