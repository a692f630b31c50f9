package io.entrawarehouse.read;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entrawarehouse.graph.GraphClient;
import io.entrawarehouse.warehouse.Entity;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

/**
 * Reads the elements of array properties of every item of one or more collections ({@link
 * Entity#each()}, {@link Entity#paths()}): a user's assigned licences; the key and password
 * credentials of applications and service principals. Each element gets its item's id as {@link
 * Entity.Parent#FIELD}, its array's name as {@link Entity#ARRAY}, its collection's as {@link
 * Entity#SOURCE} and, when the entity has a {@link Entity#lookup()}, the looked-up value as {@link
 * Entity.Lookup#FIELD} (the lookup collection is read once, on the first read).
 *
 * <p>Restart: saves the collection being read, its page link, the offset of the item whose elements
 * are being read and the index of its next element, under {@code <entity>.source}, {@code .link},
 * {@code .offset} and {@code .element}, so a chunk that ends inside an item's elements resumes at
 * the next element, exactly. Not thread-safe.
 */
public class ElementsItemReader implements ItemStreamReader<JsonNode> {

  private final Entity entity;
  private final GraphClient graph;
  private final String query;
  private final boolean eventual;
  private final List<String> arrays;
  private final List<String> paths;
  private int source;
  private PageCursor cursor;
  private Map<String, String> lookup;
  private List<JsonNode> elements;
  private JsonNode item;
  private int element;
  private int skip;

  /**
   * @param query the query string of each collection's first page ({@code $select=id,…})
   */
  public ElementsItemReader(GraphClient graph, Entity entity, String query, boolean eventual) {
    if (entity.each() == null) {
      throw new IllegalArgumentException(entity.name() + " is not read element by element");
    }
    this.entity = entity;
    this.graph = graph;
    this.query = query;
    this.eventual = eventual;
    this.arrays = List.of(entity.each().split(","));
    this.paths = entity.paths();
    this.cursor = cursor(0);
  }

  private PageCursor cursor(int index) {
    String path = paths.get(index);
    return new PageCursor(graph, entity.reading(), graph.url(path + "?" + query), eventual);
  }

  @Override
  public void open(ExecutionContext context) {
    String key = entity.name();
    if (context.containsKey(key + ".link")) {
      source = context.containsKey(key + ".source") ? context.getInt(key + ".source") : 0;
      cursor = cursor(source);
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
      if (item != null && element < elements.size()) {
        return elements.get(element++);
      }
      item = cursor.next();
      while (item == null && source + 1 < paths.size()) {
        cursor = cursor(++source);
        item = cursor.next();
      }
      if (item == null) {
        return null;
      }
      elements = elements(item);
      element = skip;
      skip = 0;
    }
  }

  /** The item's elements, in array order, each with the fields a row reads besides its own. */
  private List<JsonNode> elements(JsonNode item) {
    List<JsonNode> out = new ArrayList<>();
    String sourceName = paths.get(source).substring(1);
    for (String array : arrays) {
      JsonNode values = item.get(array);
      if (values == null || !values.isArray()) {
        continue;
      }
      for (JsonNode e : values) {
        ObjectNode row = e.isObject() ? ((ObjectNode) e).deepCopy() : wrap(e);
        row.put(Entity.Parent.FIELD, item.path("id").asText(null));
        row.put(Entity.ARRAY, array);
        row.put(Entity.SOURCE, sourceName);
        if (lookup != null) {
          JsonNode from = row.get(entity.lookup().from());
          row.put(Entity.Lookup.FIELD, from == null ? null : lookup.get(from.asText()));
        }
        out.add(row);
      }
    }
    return out;
  }

  private static ObjectNode wrap(JsonNode value) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.set("value", value);
    return o;
  }

  private Map<String, String> readLookup() {
    Entity.Lookup l = entity.lookup();
    PageCursor items =
        new PageCursor(
            graph,
            entity.readingOf(l.path().substring(1)),
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
    context.putInt(key + ".source", source);
    context.putString(key + ".link", cursor.link());
    // Inside an item's elements: the item's own offset (the cursor is one past it, on its page).
    context.putInt(key + ".offset", item == null ? cursor.offset() : cursor.offset() - 1);
    context.putInt(key + ".element", item == null ? 0 : element);
  }
}
