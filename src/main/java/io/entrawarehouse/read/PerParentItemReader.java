package io.entrawarehouse.read;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entrawarehouse.graph.GraphClient;
import io.entrawarehouse.graph.GraphException;
import io.entrawarehouse.warehouse.Entity;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

/**
 * Reads a per-parent collection (a group's members, a service principal's app role assignments):
 * lists the parents' ids, then pages through each parent's collection. Each item gets a {@link
 * Entity.Parent#FIELD} field naming its parent.
 *
 * <p>While a parent is read, the first pages of the next {@code lookahead} parents are already
 * being fetched: most parents' collections fit in one page, so the step is thousands of small
 * requests whose latency, not Graph's throughput, would otherwise bound it. Prefetched pages are
 * only a cache.
 *
 * <p>A parent deleted while it is read (404) is left out with a WARN, and counted under {@link
 * #goneKey}.
 *
 * <p>Restart: saves the parent id being read with its page link and offset under {@code
 * <entity>.parent}, {@code .link} and {@code .offset}. Not thread-safe.
 */
public class PerParentItemReader implements ItemStreamReader<JsonNode> {

  private static final Logger log = LoggerFactory.getLogger(PerParentItemReader.class);
  private static final String DONE = "-done-";

  private final Entity entity;
  private final String key;
  private final GraphClient graph;
  private final String query;
  private final boolean eventual;
  private final int lookahead;
  private final boolean named;
  private List<String> parents;
  private List<String> names;
  private int parent = -1;
  private PageCursor cursor;
  // Cursors of the parents after the current one, in order, each with its first page requested.
  private final ArrayDeque<PageCursor> upcoming = new ArrayDeque<>();
  private String resumeParent;
  private String resumeLink;
  private int resumeOffset;
  private int gone;

  /** With {@code named}: the item field carrying its parent's display name. */
  static final String PARENT_NAME = "@parentName";

  /** In the step's context: how many parents were deleted while they were read (404). */
  public static String goneKey(Entity entity) {
    return entity.name() + ".gone";
  }

  /**
   * @param entity a per-parent entity ({@link Entity#parent()} set)
   * @param query the query string for each parent's request, e.g. {@code
   *     $select=id,displayName&$top=999}
   * @param lookahead how many of the next parents' first pages to fetch ahead (1 or more)
   */
  public PerParentItemReader(
      GraphClient graph, Entity entity, String query, boolean eventual, int lookahead) {
    this(graph, entity, query, eventual, lookahead, false);
  }

  /**
   * @param named whether the parents are listed with their display names, each item getting its
   *     parent's as {@link #PARENT_NAME}
   */
  PerParentItemReader(
      GraphClient graph,
      Entity entity,
      String query,
      boolean eventual,
      int lookahead,
      boolean named) {
    this.named = named;
    if (lookahead < 1) {
      throw new IllegalArgumentException("lookahead must be 1 or more");
    }
    if (entity.parent() == null) {
      throw new IllegalArgumentException(entity.name() + " is not read per parent");
    }
    this.entity = entity;
    this.key = entity.name() + ".parent";
    this.graph = graph;
    this.query = query;
    this.eventual = eventual;
    this.lookahead = lookahead;
  }

  @Override
  public void open(ExecutionContext context) {
    gone = context.getInt(goneKey(entity), 0);
    if (context.containsKey(key)) {
      resumeParent = context.getString(key);
      resumeLink = context.getString(entity.name() + ".link");
      resumeOffset = context.getInt(entity.name() + ".offset");
    }
  }

  @Override
  public JsonNode read() {
    if (DONE.equals(resumeParent)) {
      return null;
    }
    if (parents == null) {
      start();
    }
    while (cursor != null) {
      JsonNode member;
      try {
        member = cursor.next();
      } catch (GraphException.Query e) {
        if (e.status() != 404) {
          throw e;
        }
        // Deleted since the parents were listed: it has no members to read any more.
        gone++;
        log.warn(
            "{}: {} {} was deleted while the load read it ({}); left out",
            entity.what(),
            entity.parent().path().substring(1),
            parents.get(parent),
            e.getMessage());
        advance();
        continue;
      }
      if (member != null) {
        ((ObjectNode) member).put(Entity.Parent.FIELD, parents.get(parent));
        if (named) {
          ((ObjectNode) member).put(PARENT_NAME, names.get(parent));
        }
        return member;
      }
      advance();
    }
    return null;
  }

  private void start() {
    parents = new ArrayList<>();
    names = new ArrayList<>();
    String collection = entity.parent().path();
    PageCursor ids =
        new PageCursor(
            graph,
            entity.readingOf(collection.substring(1)),
            graph.url(collection + "?$select=" + (named ? "id,displayName" : "id") + "&$top=999"),
            false);
    for (JsonNode g = ids.next(); g != null; g = ids.next()) {
      parents.add(g.get("id").asText());
      if (named) {
        names.add(g.path("displayName").asText(null));
      }
    }
    if (resumeParent != null) {
      int index = parents.indexOf(resumeParent);
      if (index >= 0) {
        parent = index;
        cursor = new PageCursor(graph, entity.reading(), childLink(resumeParent), eventual);
        cursor.resume(resumeLink, resumeOffset);
        fetchAhead();
        return;
      }
      log.warn(
          "{}: {} {} being read when the last run stopped no longer exists; resuming from the first"
              + " (rows are deduplicated on load)",
          entity.what(),
          entity.parent().path().substring(1),
          resumeParent);
    }
    advance();
  }

  private void advance() {
    parent++;
    if (parent >= parents.size()) {
      cursor = null;
      return;
    }
    PageCursor next = upcoming.poll();
    cursor =
        next != null
            ? next
            : new PageCursor(graph, entity.reading(), childLink(parents.get(parent)), eventual);
    fetchAhead();
  }

  /** Tops up the cursors of the parents after the current one to {@code lookahead}. */
  private void fetchAhead() {
    for (int g = parent + 1 + upcoming.size();
        g < parents.size() && upcoming.size() < lookahead;
        g++) {
      PageCursor ahead =
          new PageCursor(graph, entity.reading(), childLink(parents.get(g)), eventual);
      ahead.prefetch();
      upcoming.add(ahead);
    }
  }

  private String childLink(String parentId) {
    return graph.url(entity.pathFor(parentId) + "?" + query);
  }

  @Override
  public void update(ExecutionContext context) {
    context.putInt(goneKey(entity), gone);
    if (cursor != null) {
      context.putString(key, parents.get(parent));
      context.putString(entity.name() + ".link", cursor.link());
      context.putInt(entity.name() + ".offset", cursor.offset());
    } else if (parents != null) {
      context.putString(key, DONE);
      context.putString(entity.name() + ".link", "");
      context.putInt(entity.name() + ".offset", 0);
    }
  }
}
