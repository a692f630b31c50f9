package io.entrawarehouse.read;

import com.fasterxml.jackson.databind.JsonNode;
import io.entrawarehouse.graph.GraphClient;
import io.entrawarehouse.warehouse.Entity;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

/** The reader an entity's descriptor calls for: per parent, per array element, or a collection. */
public final class GraphReaders {

  private GraphReaders() {}

  /**
   * @param query the query string of each first page ({@code $select=…&$top=…})
   * @param concurrency for a per-parent entity, how many parents' first pages are fetched ahead
   */
  public static ItemStreamReader<JsonNode> of(
      GraphClient graph, Entity entity, String query, boolean eventual, int concurrency) {
    if (entity.parent() != null) {
      PerParentItemReader own =
          new PerParentItemReader(graph, entity, query, eventual, concurrency);
      return entity.memberSideReader() == null
          ? own
          : new ConcatItemReader(
              entity.name(), own, new MemberSideItemReader(graph, entity, concurrency));
    }
    if (entity.each() != null) {
      return new ElementsItemReader(graph, entity, query, eventual);
    }
    return new GraphCollectionItemReader(
        graph, entity.name(), entity.reading(), graph.url(entity.path() + "?" + query), eventual);
  }
}
