package io.entrawarehouse.read;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entrawarehouse.graph.GraphClient;
import io.entrawarehouse.graph.GraphException;
import io.entrawarehouse.warehouse.Entity;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

/**
 * Reads an entity that has a delta function in one of two modes, chosen when its step first opens
 * and kept across restarts:
 *
 * <ul>
 *   <li>{@link Mode#CHANGES}, when the lake holds a deltaLink for the tenant and the query: the
 *       delta round from that link, items as Graph sends them (whole, partial, or {@code
 *       @removed}), to be merged into the current rows;
 *   <li>{@link Mode#FULL} otherwise: first {@code $deltatoken=latest} for a deltaLink from now
 *       (one request: cheaper than delta's initial round, which pages at Graph's default size,
 *       where listing takes 999 a page), then the whole collection as a listing reads it. Changes
 *       made while the listing runs come again in the next round, which merges them harmlessly.
 * </ul>
 *
 * <p>When Graph no longer honours the stored token (410 Gone, {@code syncStateNotFound}, {@code
 * resyncRequired}) or rejects it as invalid (400 or 404 on the stored link: a damaged token, or one
 * made for another collection) before anything was read in this execution, the reader logs one
 * line and reads
 * in full: a resync. It starts a new round ({@link #ROUND}); parts staged by an earlier round are
 * not committed. Mid-round, it fails instead: the restart resyncs.
 *
 * <p>Restart: mode, round, the link the round started from and the next deltaLink are saved under
 * {@code delta.*} keys beside the inner reader's own. Not thread-safe.
 */
public final class DeltaItemReader implements ItemStreamReader<JsonNode> {

  private static final Logger log = LoggerFactory.getLogger(DeltaItemReader.class);

  /** How the step reads: {@code full} or {@code changes}. */
  public static final String MODE = "delta.mode";

  /** The deltaLink a changes round starts from. */
  public static final String FROM = "delta.from";

  /** The deltaLink to store with the commit: what the next load reads changes from. */
  public static final String NEXT = "delta.next";

  /** The round: 0, one more per resync; only the last round's staged parts are committed. */
  public static final String ROUND = "delta.round";

  /**
   * For memberships read as their parents' {@code members@delta}: how many of the current parent's
   * members were already read when the chunk committed (its position is saved as the parent's).
   */
  public static final String SKIP = "delta.skip";

  /** How a step reads an entity with a delta function. */
  public enum Mode {
    FULL,
    CHANGES
  }

  private final GraphClient graph;
  private final Entity entity;
  private final String select;
  private final Supplier<String> stored;
  private final Supplier<ItemStreamReader<JsonNode>> listing;
  private Mode mode;
  private int round;
  private String from;
  private String next;
  private ItemStreamReader<JsonNode> reader;
  private GraphCollectionItemReader changes;
  private long readSinceOpen;
  private final ArrayDeque<JsonNode> pending = new ArrayDeque<>();
  private int emitted;
  private int skip;

  /**
   * @param select the {@code $select} the deltaLink tracks (a stored link made for another is not
   *     used: {@code stored} returns null then)
   * @param stored the lake's deltaLink for the tenant and this query, or null; asked once, when the
   *     step first opens
   * @param listing the reader of the whole collection (a full read)
   */
  public DeltaItemReader(
      GraphClient graph,
      Entity entity,
      String select,
      Supplier<String> stored,
      Supplier<ItemStreamReader<JsonNode>> listing) {
    this.graph = graph;
    this.entity = entity;
    this.select = select;
    this.stored = stored;
    this.listing = listing;
  }

  /** The mode, once opened. */
  public Mode mode() {
    return mode;
  }

  /** The round, once opened. */
  public int round() {
    return round;
  }

  @Override
  public void open(ExecutionContext context) {
    readSinceOpen = 0;
    pending.clear();
    skip = context.getInt(SKIP, 0);
    if (context.containsKey(MODE)) {
      mode = Mode.valueOf(context.getString(MODE));
      round = context.getInt(ROUND, 0);
      from = context.containsKey(FROM) ? context.getString(FROM) : null;
      next = context.containsKey(NEXT) ? context.getString(NEXT) : null;
    } else {
      from = stored.get();
      if (from != null && !ownLink(from)) {
        // Never follow it: the request would carry the app's token to wherever it points.
        log.warn(
            "{}: the lake's deltaLink is not one of Graph's for {} at {} (it points at {}). Reading"
                + " {} in full instead (a resync).",
            entity.name(),
            entity.delta().path(),
            graph.url(""),
            printable(from),
            entity.what());
        from = null;
      }
      mode = from == null ? Mode.FULL : Mode.CHANGES;
      round = 0;
      next = null;
    }
    if (mode == Mode.CHANGES) {
      log.info("{}: reading what changed since the lake's deltaLink", entity.name());
      changes =
          new GraphCollectionItemReader(graph, entity.name(), entity.reading(), url(from), false);
      reader = changes;
    } else {
      if (next == null) {
        next = latest();
      }
      reader = listing.get();
    }
    reader.open(context);
  }

  @Override
  public JsonNode read() throws Exception {
    while (true) {
      if (!pending.isEmpty()) {
        emitted++;
        readSinceOpen++;
        return pending.poll();
      }
      JsonNode item = readRound();
      if (item == null || mode != Mode.CHANGES || entity.parent() == null) {
        return item;
      }
      flatten(item);
      emitted = 0;
      for (; skip > 0 && !pending.isEmpty(); skip--) {
        pending.poll();
        emitted++;
      }
      skip = 0;
    }
  }

  /**
   * A parent's changed memberships as items of the entity: each of its {@code members@delta} with
   * the parent's id as {@link Entity.Parent#FIELD}; a removed parent as one item with the parent's
   * id and its {@code @removed} (all its memberships go).
   */
  private void flatten(JsonNode parent) {
    String id = parent.path("id").asText();
    if (parent.has("@removed")) {
      ObjectNode gone = JsonNodeFactory.instance.objectNode();
      gone.put(Entity.Parent.FIELD, id);
      gone.set("@removed", parent.get("@removed"));
      pending.add(gone);
    }
    JsonNode members = parent.get("members@delta");
    if (members != null) {
      for (JsonNode m : members) {
        ObjectNode member = m.deepCopy();
        member.put(Entity.Parent.FIELD, id);
        pending.add(member);
      }
    }
  }

  private JsonNode readRound() throws Exception {
    JsonNode item;
    try {
      item = reader.read();
    } catch (GraphException.Resync e) {
      if (mode != Mode.CHANGES) {
        throw e;
      }
      if (readSinceOpen > 0) {
        throw new GraphException.Resync(
            e.getMessage()
                + " Graph withdrew it in the middle of the round: run the same command again; it"
                + " reads "
                + entity.what()
                + " in full (a resync) and commits nothing of this round.",
            e.status(),
            e.code());
      }
      log.warn(
          "{}: {} Reading {} in full instead (a resync); history is kept by comparing with the"
              + " lake's current rows.",
          entity.name(),
          e.getMessage(),
          entity.what());
      item = readInFull();
    } catch (GraphException.Query e) {
      if (mode != Mode.CHANGES || readSinceOpen > 0) {
        throw e;
      }
      // The stored link is Graph's own, opaque to us: a 400 or 404 on it is a token Graph does
      // not accept (damaged, or made for another collection), never a query of ours to fix.
      log.warn(
          "{}: Graph rejected the stored delta link ({}). Reading {} in full instead (a resync);"
              + " history is kept by comparing with the lake's current rows.",
          entity.name(),
          e.getMessage(),
          entity.what());
      item = readInFull();
    } catch (GraphException.Auth e) {
      if (mode != Mode.CHANGES || readSinceOpen > 0 || !e.denied()) {
        throw e;
      }
      // Denied since the last load (a permission withdrawn, a licence gone): the listing meets
      // the same denial, and the table is left as it was while the rest of the load goes on.
      item = readInFull();
    }
    if (item == null && mode == Mode.CHANGES) {
      next = changes.deltaLink();
      if (next == null) {
        throw new GraphException(
            "Graph ended the delta round of "
                + entity.what()
                + " without a deltaLink; nothing of this round is committed. Run the same"
                + " command again, or launch with directory=full.",
            502,
            null);
      }
    }
    if (item != null) {
      readSinceOpen++;
    }
    return item;
  }

  /** Gives up the changes round before anything of it was read: a new round, in full. */
  private JsonNode readInFull() throws Exception {
    reader.close();
    mode = Mode.FULL;
    round++;
    from = null;
    changes = null;
    next = latest();
    reader = listing.get();
    reader.open(new ExecutionContext());
    return reader.read();
  }

  /** A deltaLink for now, from {@code $deltatoken=latest}; null when Graph denies it. */
  private String latest() {
    String url =
        graph.url(
            entity.delta().path()
                + "?$deltatoken=latest"
                + (select == null ? "" : "&$select=" + GraphClient.encode(select)));
    try {
      String link = graph.page(entity.reading(), url, false).deltaLink();
      if (link == null) {
        log.warn(
            "{}: Graph gave no deltaLink for now; the next load reads {} in full again",
            entity.name(),
            entity.what());
      }
      return link;
    } catch (GraphException.Auth e) {
      return null; // the listing meets the same denial and says what to grant
    }
  }

  /**
   * Whether {@code link} is a deltaLink of this entity's delta function on the configured Graph:
   * same scheme, host and port, and the function's path ({@code …/users/delta}, or {@code delta()}
   * as Graph spells it in some links).
   */
  private boolean ownLink(String link) {
    try {
      URI base = URI.create(graph.url(""));
      URI url = URI.create(url(link));
      String path = base.getPath().replaceAll("/$", "") + entity.delta().path();
      return base.getScheme().equalsIgnoreCase(url.getScheme())
          && base.getAuthority().equalsIgnoreCase(url.getAuthority())
          && (path.equals(url.getPath()) || (path + "()").equals(url.getPath()));
    } catch (IllegalArgumentException | NullPointerException e) {
      return false;
    }
  }

  /** A link as a log line may show it: without its query, which holds the token. */
  private static String printable(String link) {
    int q = link.indexOf('?');
    return q < 0 ? link : link.substring(0, q) + "?…";
  }

  private String url(String link) {
    return link.startsWith("/") ? graph.url(link) : link;
  }

  @Override
  public void update(ExecutionContext context) {
    reader.update(context);
    if (!pending.isEmpty()) {
      // Mid-parent: resume at the parent (the item just before the saved offset, on the same
      // page), skipping the memberships already read.
      String offset = entity.name() + ".offset";
      context.putInt(offset, context.getInt(offset) - 1);
      context.putInt(SKIP, emitted);
    } else {
      context.putInt(SKIP, 0);
    }
    context.putString(MODE, mode.name());
    context.putInt(ROUND, round);
    if (from != null) {
      context.putString(FROM, from);
    } else {
      context.remove(FROM);
    }
    if (next != null) {
      context.putString(NEXT, relative(next));
    }
  }

  /** A link under the Graph base URL without it, so a restart at another address follows it. */
  private String relative(String link) {
    String base = graph.baseUrl() + "/";
    return link.startsWith(base) ? link.substring(base.length() - 1) : link;
  }

  @Override
  public void close() {
    if (reader != null) {
      reader.close();
    }
  }
}
