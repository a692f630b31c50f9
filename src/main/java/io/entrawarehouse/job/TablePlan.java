package io.entrawarehouse.job;

import io.entrawarehouse.graph.ODataQuery;
import io.entrawarehouse.warehouse.Entity;
import java.time.Instant;
import java.util.List;

/**
 * One table's part of a launch, resolved once from {@link LoadParameters}: the query Graph is
 * asked, how, and what the load does with the answer. Steps, readers and tasklets are given their
 * table's plan, never the launch. Immutable.
 *
 * @param entity the table
 * @param withExtra the first page's query with the entity's {@link Entity.Extra} when the launch
 *     wants it, without a log's window
 * @param withoutExtra the same query without the extra (Graph refused it, or the cloud lacks it);
 *     null when the query carries none
 * @param eventual whether the query is an advanced one ({@code ConsistencyLevel: eventual})
 * @param given the launch parameters the query was built from ({@code filter.users=…}), which a
 *     refused query's message names
 * @param deltaSelect the {@code $select} a delta round tracks, or null when the table is read in
 *     full
 * @param rawJson whether rows keep Graph's item in {@code raw_json}
 * @param extraWanted whether the launch asks for the entity's extra
 * @param filtered whether the user's own {@code $filter} narrows the table (a log's mark then
 *     stays)
 * @param window the launch's window (a log's reads; a directory table's ignore it)
 */
public record TablePlan(
    Entity entity,
    ODataQuery withExtra,
    ODataQuery withoutExtra,
    boolean eventual,
    List<String> given,
    String deltaSelect,
    boolean rawJson,
    boolean extraWanted,
    boolean filtered,
    LogWindow window) {

  public TablePlan {
    given = List.copyOf(given);
  }

  /** The first page's query, a log's window from what Graph keeps now to {@code until}. */
  public String query() {
    return query(window.effectiveSince(Instant.now()), window.until(), true);
  }

  /** The first page's query of a directory table, with or without its extra. */
  public String query(boolean extra) {
    return query(null, null, extra);
  }

  /**
   * The first page's query: a log's within [{@code from}, {@code to}) (one slice of the window),
   * with or without the entity's extra.
   */
  public String query(Instant from, Instant to, boolean extra) {
    ODataQuery q = extra || withoutExtra == null ? this.withExtra : withoutExtra;
    if (entity.isLog()) {
      String time = entity.timeProperty();
      q = q.within(time + " ge " + from + " and " + time + " lt " + to);
    }
    return q.toString();
  }

  /**
   * What to fix when Graph refuses the query, from where it came: the user's parameters, the log
   * window (from {@code from}), or the product itself.
   */
  public String hint(Instant from) {
    if (!given.isEmpty()) {
      return "Fix " + String.join(" or ", given) + ".";
    }
    if (entity.isLog()) {
      return "The query is the window ["
          + from
          + ", "
          + window.until()
          + ") and no filter of yours: Graph refuses times older than it keeps "
          + entity.what()
          + " (30 days with Entra ID P1/P2, 7 without), so set since= within that, e.g."
          + " since=-P7D.";
    }
    return "The query carried no filter or select of yours (the product's defaults): report this"
        + " with the message above.";
  }
}
