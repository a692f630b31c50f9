package io.entrawarehouse.read;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entrawarehouse.graph.GraphClient;
import io.entrawarehouse.warehouse.Entity;
import java.util.HashMap;
import java.util.Map;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

/**
 * Reads the elements of an array property of every item of a collection ({@link Entity#each()}): a
 * user's assigned licences, one row each. Each element gets its item's id as {@link
 * Entity.Parent#FIELD} and, when the entity has a {@link Entity#lookup()}, the looked-up value as
 * {@link Entity.Lookup#FIELD} (the lookup collection is read once, on the first read).
 *
 * <p>Restart: saves the page link, the offset of the item whose elements are being read and the
 * index of its next element, under {@code <entity>.link}, {@code .offset} and {@code .element}, so
 * a chunk that ends inside an item's elements resumes at the next element, exactly. Not
 * thread-safe.
 */
public class ElementsItemReader implements ItemStreamReader<JsonNode> {

  private final Entity entity;
  private final GraphClient graph;
  private final PageCursor cursor;
  private Map<String, String> lookup;
  private JsonNode item;
  private int element;
  private int skip;

  /**
   * @param firstLink the absolute URL of the items' first page, with its query
   */
  public ElementsItemReader(GraphClient graph, Entity entity, String firstLink, boolean eventual) {
    if (entity.each() == null) {
      throw new IllegalArgumentException(entity.name() + " is not read element by element");
    }
    this.entity = entity;
    this.graph = graph;
    this.cursor = new PageCursor(graph, entity.what(), firstLink, eventual);
  }

  @Override
  public void open(ExecutionContext context) {
    String key = entity.name();
    if (context.containsKey(key + ".link")) {
      cursor.resume(context.getString(key + ".link"), context.getInt(key + ".offset"));
      skip = context.containsKey(key + ".element") ? context.getInt(key + ".element") : 0;
    }
  }

  @Override
  public JsonNode read() {
    if (entity.lookup() != null && lookup == null) {
      lookup = readLookup();
    }
    while (true) {
      if (item != null) {
        JsonNode array = item.get(entity.each());
        if (array != null && array.isArray() && element < array.size()) {
          JsonNode e = array.get(element++);
          ObjectNode row = e.isObject() ? ((ObjectNode) e).deepCopy() : wrap(e);
          row.put(Entity.Parent.FIELD, item.path("id").asText(null));
          if (lookup != null) {
            JsonNode from = row.get(entity.lookup().from());
            row.put(Entity.Lookup.FIELD, from == null ? null : lookup.get(from.asText()));
          }
          return row;
        }
      }
      item = cursor.next();
      element = skip;
      skip = 0;
      if (item == null) {
        return null;
      }
    }
  }

  private ObjectNode wrap(JsonNode value) {
    ObjectNode o = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    o.set("value", value);
    return o;
  }

  private Map<String, String> readLookup() {
    Entity.Lookup l = entity.lookup();
    PageCursor items =
        new PageCursor(
            graph,
            l.path().substring(1),
            graph.url(l.path() + "?$select=" + l.key() + "," + l.value()),
            false);
    Map<String, String> values = new HashMap<>();
    for (JsonNode i = items.next(); i != null; i = items.next()) {
      JsonNode k = i.get(l.key());
      JsonNode v = i.get(l.value());
      if (k != null && !k.isNull()) {
        values.put(k.asText(), v == null || v.isNull() ? null : v.asText());
      }
    }
    return values;
  }

  @Override
  public void update(ExecutionContext context) {
    String key = entity.name();
    context.putString(key + ".link", cursor.link());
    // Inside an item's elements: the item's own offset (the cursor is one past it, on its page).
    context.putInt(key + ".offset", item == null ? cursor.offset() : cursor.offset() - 1);
    context.putInt(key + ".element", item == null ? 0 : element);
  }
}
