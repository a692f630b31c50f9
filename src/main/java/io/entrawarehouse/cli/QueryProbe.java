package io.entrawarehouse.cli;

import io.entrawarehouse.graph.GraphClient;
import io.entrawarehouse.graph.GraphException;
import io.entrawarehouse.graph.GraphPage;
import io.entrawarehouse.job.LoadParameters;
import io.entrawarehouse.job.TablePlan;
import io.entrawarehouse.warehouse.Entity;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A table's query asked of Graph for one item ({@code $top=1}), as {@code check} and {@code run}
 * do.
 */
final class QueryProbe {

  private QueryProbe() {}

  /**
   * Asks Graph for the first item of the table's query (of a per-parent table, under its first
   * parent); throws what Graph answered when it refused.
   */
  static void probe(GraphClient graph, TablePlan plan, String query) {
    Entity entity = plan.entity();
    query = query.replaceFirst("\\$top=\\d+", "\\$top=1");
    if (entity.parent() != null) {
      String parents = entity.parent().path();
      GraphPage first =
          graph.page(
              entity.readingOf(parents.substring(1)),
              graph.url(parents + "?$select=id&$top=1"),
              false);
      if (first.items().isEmpty()) {
        return;
      }
      String id = first.items().get(0).get("id").asText();
      graph.page(entity.reading(), graph.url(entity.pathFor(id) + "?" + query), plan.eventual());
      return;
    }
    graph.page(entity.reading(), graph.url(entity.path() + "?" + query), plan.eventual());
  }

  /**
   * The launch's queries Graph refuses as a bad request, each as Graph's message with what to fix,
   * probed before a load starts so that a mistyped {@code filter.<table>} or {@code select.<table>}
   * fails the run with nothing changed. Only the queries the user shaped are asked (the product's
   * own are known to Graph, and each probe of a log costs one of the reports budget's 5 requests
   * per 10 s); a denial or a failure to connect is left to the load, which handles it per table.
   */
  static List<String> refused(GraphClient graph, LoadParameters launch) {
    List<String> refused = new ArrayList<>();
    Instant from = launch.window().effectiveSince(Instant.now());
    for (TablePlan plan : launch.plans()) {
      if (plan.given().isEmpty() || !plan.entity().readFromGraph()) {
        continue;
      }
      try {
        probe(graph, plan, plan.query(from, launch.window().until(), false));
      } catch (GraphException.Query e) {
        refused.add(e.withHint(plan.hint(from)).getMessage());
      } catch (GraphException e) {
        // Denied, unlicensed, unreachable: the load meets it and handles it per table.
      }
    }
    return refused;
  }
}
