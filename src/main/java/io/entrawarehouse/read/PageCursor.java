package io.entrawarehouse.read;

import com.fasterxml.jackson.databind.JsonNode;
import io.entrawarehouse.graph.GraphClient;
import io.entrawarehouse.graph.GraphException;
import io.entrawarehouse.graph.GraphPage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A position in one paged Graph collection: the link of the page being consumed and the offset of
 * the next item in it. Chunks rarely align with pages, so both are needed to resume. Not
 * thread-safe: one cursor per reader.
 *
 * <p>While a page is consumed, the next one is already being fetched in the background, so Graph's
 * latency overlaps the processing and writing of the current page. The prefetched page is only a
 * cache: the saved position is still the consumed page's link and offset.
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
  private String deltaLink;
  private String prefetchedLink;
  private Future<GraphPage> prefetched;

  // Unbounded, because the readers bound it: each cursor has at most one page in flight, and the
  // group members reader keeps entra.graph.concurrency cursors ahead. Idle threads end after 60 s.
  private static final ExecutorService PREFETCH =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "graph-prefetch");
            t.setDaemon(true);
            return t;
          });

  PageCursor(GraphClient graph, String what, String firstLink, boolean eventual) {
    this.graph = graph;
    this.what = what;
    this.firstLink = firstLink;
    this.eventual = eventual;
    this.link = firstLink;
  }

  /** Resumes at a saved position ({@link #link()}: relative to the Graph base URL, or absolute). */
  void resume(String savedLink, int savedOffset) {
    this.link = savedLink.startsWith("/") ? graph.url(savedLink) : savedLink;
    this.offset = savedOffset;
    this.page = null;
  }

  /**
   * The link of the page being consumed, to save: relative to the Graph base URL when it is under
   * it, so a restart reaching the same tenant at another address (the demo tenant on a new port, a
   * proxy or private endpoint changed in between) still follows it.
   */
  String link() {
    String base = graph.baseUrl() + "/";
    return link.startsWith(base) ? link.substring(base.length() - 1) : link;
  }

  int offset() {
    return offset;
  }

  /** Once the last page is consumed: its deltaLink, if Graph gave one (a delta round). */
  String deltaLink() {
    return deltaLink;
  }

  /** Starts fetching the current link in the background (the first page of a later group). */
  void prefetch() {
    if (page == null && prefetched == null) {
      prefetch(link);
    }
  }

  private void prefetch(String target) {
    prefetchedLink = target;
    prefetched = PREFETCH.submit(() -> graph.page(what, target, eventual));
  }

  /** The next item, or null at the end of the collection. */
  JsonNode next() {
    while (true) {
      if (page == null) {
        page = take();
        if (page.nextLink() != null) {
          prefetch(page.nextLink());
        }
      }
      if (offset < page.items().size()) {
        return page.items().get(offset++);
      }
      if (page.nextLink() == null) {
        deltaLink = page.deltaLink();
        return null;
      }
      link = page.nextLink();
      offset = 0;
      page = null;
    }
  }

  /** The page at {@code link}: the prefetched one when it is that page, else fetched now. */
  private GraphPage take() {
    if (prefetched != null && link.equals(prefetchedLink)) {
      Future<GraphPage> f = prefetched;
      prefetched = null;
      try {
        return f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new GraphException("Interrupted while reading " + what, e);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof RuntimeException r) {
          throw r;
        }
        throw new GraphException("Reading " + what + " failed: " + e.getCause(), e.getCause());
      }
    }
    if (prefetched != null) {
      prefetched.cancel(true);
      prefetched = null;
    }
    return fetch();
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
