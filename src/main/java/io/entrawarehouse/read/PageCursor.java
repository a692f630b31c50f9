package io.entrawarehouse.read;

import com.fasterxml.jackson.databind.JsonNode;
import io.entrawarehouse.graph.GraphClient;
import io.entrawarehouse.graph.GraphException;
import io.entrawarehouse.graph.GraphPage;
import io.entrawarehouse.graph.PageSizes;
import io.entrawarehouse.graph.Reading;
import java.net.URI;
import java.util.HashSet;
import java.util.Set;
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
 * <p>A page link Graph will not follow (an expired or unknown page token) restarts the collection
 * from its first page with a WARN, at most {@link #MAX_RESTARTS} times; the rows already written
 * are deduplicated by id when the warehouse is loaded. A nextLink to a page already read in this
 * pass (a paging cycle, which would never end) restarts it once; a second cycle fails the read.
 *
 * <p>A report page Graph answers too slowly ({@link GraphException.SlowPage}) restarts the
 * collection from its first page at half the page size, down to {@link PageSizes#FLOOR}; the
 * smaller size holds for the collection's later queries until {@link PageSizes#GROW_AFTER} pages
 * answer in time ({@link PageSizes}).
 */
final class PageCursor {

  private static final Logger log = LoggerFactory.getLogger(PageCursor.class);

  private final GraphClient graph;
  private final Reading reading;
  private final String what;
  private String firstLink;
  private final boolean eventual;
  private String link;
  private int offset;
  private GraphPage page;
  private String deltaLink;
  private String prefetchedLink;
  private Future<GraphPage> prefetched;

  /** How many times a collection may be read again from its first page before the read fails. */
  static final int MAX_RESTARTS = 3;

  private int restarts;
  private boolean cycled;

  /** The links of the pages read since the first page of this pass: a cycle returns to one. */
  private final Set<String> passed = new HashSet<>();

  // Unbounded, because the readers bound it: each cursor has at most one page in flight, and the
  // group members reader keeps entra.graph.concurrency cursors ahead. Idle threads end after 60 s.
  private static final ExecutorService PREFETCH =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "graph-prefetch");
            t.setDaemon(true);
            return t;
          });

  PageCursor(GraphClient graph, Reading reading, String firstLink, boolean eventual) {
    this.graph = graph;
    this.reading = reading;
    this.what = reading.what();
    this.firstLink = graph.pageSizes().apply(what, firstLink);
    this.eventual = eventual;
    this.link = this.firstLink;
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
    prefetched = PREFETCH.submit(() -> graph.page(reading, target, eventual));
  }

  /** The next item, or null at the end of the collection. */
  JsonNode next() {
    while (true) {
      if (page == null) {
        page = take();
        graph.pageSizes().answered(what);
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
      passed.add(canonical(link));
      if (passed.contains(canonical(page.nextLink()))) {
        if (cycled) {
          throw new GraphException(
              "Graph's paging of "
                  + what
                  + " loops: a nextLink leads back to a page already read, again after reading"
                  + " from the first page. The table is not loaded; run the same command again"
                  + " later, and report it to Microsoft if it persists.",
              0,
              null);
        }
        cycled = true;
        log.warn(
            "{}: a nextLink leads back to a page already read (a paging cycle); reading {} again"
                + " from the first page (rows are deduplicated by id on load)",
            what,
            what);
        restartFromFirstPage();
        continue;
      }
      link = page.nextLink();
      offset = 0;
      page = null;
    }
  }

  /** A link as Graph means it, whatever its percent-encoding: host, path and decoded query. */
  private static String canonical(String link) {
    try {
      URI u = URI.create(link);
      return u.getScheme() + "://" + u.getAuthority() + u.getPath() + "?" + u.getQuery();
    } catch (IllegalArgumentException unparsable) {
      return link;
    }
  }

  /** Drops the position, and any page fetched ahead, for the collection's first page. */
  private void restartFromFirstPage() {
    if (prefetched != null) {
      prefetched.cancel(true);
      prefetched = null;
    }
    passed.clear();
    link = firstLink;
    offset = 0;
    page = null;
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
        if (e.getCause() instanceof GraphException.ExpiredLink expired) {
          restartAfter(expired);
          return fetch();
        }
        if (e.getCause() instanceof GraphException.SlowPage slow) {
          smallerAfter(slow);
          return fetch();
        }
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
    while (true) {
      try {
        return graph.page(reading, link, eventual);
      } catch (GraphException.ExpiredLink e) {
        restartAfter(e);
      } catch (GraphException.SlowPage e) {
        smallerAfter(e);
      }
    }
  }

  /**
   * After a report page timed out: the collection from its first page at half the page size, or, at
   * the floor, the failure with what to change.
   */
  private void smallerAfter(GraphException.SlowPage e) {
    int smaller = graph.pageSizes().shrink(what, link);
    if (smaller < 0) {
      throw new GraphException.Unavailable(
          e.getMessage()
              + ", even at "
              + Math.max(PageSizes.top(link), 0)
              + " items a page. Raise entra.graph.reports-timeout, or read a shorter window"
              + " (since=, until=); restart resumes after the last committed chunk.",
          e);
    }
    log.warn(
        "{}: {}; reading {} again from the first page, {} items a page (rows are deduplicated by"
            + " id on load)",
        what,
        e.getMessage(),
        what,
        smaller);
    firstLink = PageSizes.withTop(firstLink, Math.min(smaller, PageSizes.top(firstLink)));
    restartFromFirstPage();
  }

  /**
   * After Graph refused to follow the current link: back to the first page, or, on the first page
   * itself or after {@link #MAX_RESTARTS} restarts, the refusal with what was tried.
   */
  private void restartAfter(GraphException.ExpiredLink e) {
    if (link.equals(firstLink) || restarts >= MAX_RESTARTS) {
      throw new GraphException.ExpiredLink(
          e.getMessage()
              + (restarts > 0
                  ? " Read again from the first page "
                      + restarts
                      + " times, it still failed: run the same command again later."
                  : ""),
          e.status(),
          e.code());
    }
    restarts++;
    log.warn(
        "{}: {} Reading {} again from the first page ({} of at most {}; rows are deduplicated by"
            + " id on load)",
        what,
        e.getMessage(),
        what,
        restarts,
        MAX_RESTARTS);
    restartFromFirstPage();
  }
}
