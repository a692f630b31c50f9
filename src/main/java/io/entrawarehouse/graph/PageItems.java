package io.entrawarehouse.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * A page's items kept as the page's bytes and each item's span in them, made a tree only when asked
 * for ({@link #get}, a fresh tree each call). A tree costs several times its JSON (about 5x for a
 * sign-in: a map entry, a node and a string per property), and a reader holds a page being consumed
 * and the next one fetched ahead: as bytes, each step's pages stay a few MB and only the chunk in
 * hand is trees. The spans come from a full tokenizing pass, so a malformed page fails where it is
 * fetched and retried, not item by item later. Immutable; thread-safe.
 */
final class PageItems extends AbstractList<JsonNode> implements RandomAccess {

  private final ObjectMapper json;
  private final byte[] body;
  private final int[] starts;
  private final int[] ends;

  PageItems(ObjectMapper json, byte[] body, int[] starts, int[] ends) {
    this.json = json;
    this.body = body;
    this.starts = starts;
    this.ends = ends;
  }

  @Override
  public JsonNode get(int index) {
    try {
      return json.readTree(body, starts[index], ends[index] - starts[index]);
    } catch (IOException e) {
      // The span was tokenized whole when the page was read.
      throw new UncheckedIOException("item " + index + " of a Graph page is not JSON", e);
    }
  }

  @Override
  public int size() {
    return starts.length;
  }
}
