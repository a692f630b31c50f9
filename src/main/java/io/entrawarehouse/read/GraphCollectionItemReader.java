package io.entrawarehouse.read;

import com.fasterxml.jackson.databind.JsonNode;
import io.entrawarehouse.graph.GraphClient;
import io.entrawarehouse.graph.Reading;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

/**
 * Reads every item of one Graph collection, page by page, following {@code @odata.nextLink}.
 *
 * <p>Restart: {@link #update} saves the current page link and the offset of the next item under
 * {@code <name>.link} and {@code <name>.offset}; Spring Batch calls it when a chunk commits, so the
 * saved position is never ahead of what was written. {@link #open} resumes there. Not thread-safe.
 */
public class GraphCollectionItemReader implements ItemStreamReader<JsonNode> {

  private final String name;
  private final PageCursor cursor;

  /**
   * @param name the state key prefix: the entity name
   * @param reading the entity as messages name it, with what reading it needs
   * @param firstLink the absolute URL of the first page, with its query
   * @param eventual whether the query needs {@code ConsistencyLevel: eventual}
   */
  public GraphCollectionItemReader(
      GraphClient graph, String name, Reading reading, String firstLink, boolean eventual) {
    this.name = name;
    this.cursor = new PageCursor(graph, reading, firstLink, eventual);
  }

  @Override
  public void open(ExecutionContext context) {
    if (context.containsKey(name + ".link")) {
      cursor.resume(context.getString(name + ".link"), context.getInt(name + ".offset"));
    }
  }

  @Override
  public JsonNode read() {
    return cursor.next();
  }

  /** Once {@link #read} has returned null: the last page's deltaLink, or null (not a delta). */
  public String deltaLink() {
    return cursor.deltaLink();
  }

  @Override
  public void update(ExecutionContext context) {
    context.putString(name + ".link", cursor.link());
    context.putInt(name + ".offset", cursor.offset());
  }
}
