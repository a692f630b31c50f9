package io.entrawarehouse.read;

import com.fasterxml.jackson.databind.JsonNode;
import io.entrawarehouse.graph.GraphClient;
import io.entrawarehouse.graph.GraphException;
import io.entrawarehouse.graph.GraphPage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A position in one paged Graph collection: the link of the page being consumed and the offset of
 * the next item in it. Chunks rarely align with pages, so both are needed to resume. Not
 * thread-safe: one cursor per reader.
 *
 * <p>A saved link that Graph rejects as expired restarts the collection from its first page with a
 * WARN; the rows already written are deduplicated by id when the warehouse is loaded.
 */
final class PageCursor {

  private static final Logger log = LoggerFactory.getLogger(PageCursor.class);

  private final GraphClient graph;
  private final String what;
  private final String firstLink;
  private final boolean eventual;
  private String link;
  private int offset;
  private GraphPage page;

  PageCursor(GraphClient graph, String what, String firstLink, boolean eventual) {
    this.graph = graph;
    this.what = what;
    this.firstLink = firstLink;
    this.eventual = eventual;
    this.link = firstLink;
  }

  /** Resumes at a saved position. */
  void resume(String savedLink, int savedOffset) {
    this.link = savedLink;
    this.offset = savedOffset;
    this.page = null;
  }

  String link() {
    return link;
  }

  int offset() {
    return offset;
  }

  /** The next item, or null at the end of the collection. */
  JsonNode next() {
    while (true) {
      if (page == null) {
        page = fetch();
      }
      if (offset < page.items().size()) {
        return page.items().get(offset++);
      }
      if (page.nextLink() == null) {
        return null;
      }
      link = page.nextLink();
      offset = 0;
      page = null;
    }
  }

  private GraphPage fetch() {
    try {
      return graph.page(what, link, eventual);
    } catch (GraphException.ExpiredLink e) {
      if (link.equals(firstLink)) {
        throw e;
      }
      log.warn(
          "{}: the saved page link has expired; reading {} again from the first page (rows are deduplicated by id on load)",
          what,
          what);
      link = firstLink;
      offset = 0;
      return graph.page(what, link, eventual);
    }
  }
}
