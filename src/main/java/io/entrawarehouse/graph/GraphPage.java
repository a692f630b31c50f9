package io.entrawarehouse.graph;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One page of a Graph collection: its items as raw JSON, the link to the next page, if any, and on
 * the last page of a delta round the deltaLink that later reads what changes after it; {@code
 * count} is Graph's {@code @odata.count}, when the request asked for it.
 */
public record GraphPage(List<JsonNode> items, String nextLink, String deltaLink, Long count) {

  public GraphPage(List<JsonNode> items, String nextLink) {
    this(items, nextLink, null, null);
  }
}
