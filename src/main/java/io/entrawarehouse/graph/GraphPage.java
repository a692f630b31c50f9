package io.entrawarehouse.graph;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** One page of a Graph collection: its items as raw JSON and the link to the next page, if any. */
public record GraphPage(List<JsonNode> items, String nextLink) {}
