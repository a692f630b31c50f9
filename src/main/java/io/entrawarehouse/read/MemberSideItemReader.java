package io.entrawarehouse.read;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entrawarehouse.graph.GraphClient;
import io.entrawarehouse.graph.GraphException;
import io.entrawarehouse.warehouse.Entity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

/**
 * The rows of a per-parent table that its parents' own listings leave out ({@link
 * Entity.MemberSide}): for each member (a service principal), the parents it names (its groups),
 * each as the row a parent's listing would have given: the member's type, id and display name, the
 * parent's id as {@link Entity.Parent#FIELD}. Listed objects of other types (directory roles) are
 * left out.
 *
 * <p>Reading the members' side takes its own permission (Application.Read.All): refused, these rows
 * are left out with one WARN, and {@link #REFUSED} in the step's context says why, so the load ends
 * PARTIAL instead of failing the table. Restart: as {@link PerParentItemReader}, under the side's
 * own keys.
 */
public final class MemberSideItemReader implements ItemStreamReader<JsonNode> {

  private static final Logger log = LoggerFactory.getLogger(MemberSideItemReader.class);

  /** In the step's context: why the members' side was not read, when Graph refused it. */
  public static final String REFUSED = "member-side.refused";

  private final Entity table;
  private final Entity.MemberSide side;
  private final PerParentItemReader reader;
  private String refused;

  public MemberSideItemReader(GraphClient graph, Entity table, int lookahead) {
    this.table = table;
    this.side = table.parent().memberSide();
    this.reader =
        new PerParentItemReader(
            graph, table.memberSideReader(), "$select=id&$top=999", false, lookahead, true);
  }

  @Override
  public void open(ExecutionContext context) {
    refused = context.containsKey(REFUSED) ? context.getString(REFUSED) : null;
    reader.open(context);
  }

  @Override
  public JsonNode read() {
    while (refused == null) {
      JsonNode listed;
      try {
        listed = reader.read();
      } catch (GraphException.Auth e) {
        if (!e.denied()) {
          throw e;
        }
        refused =
            side.members().substring(1)
                + " that are members are left out of "
                + table.name()
                + ": Graph refused "
                + side.path()
                + " ("
                + e.getMessage()
                + "). Grant "
                + side.permission()
                + " to the app to load them.";
        log.warn("{}: {}", table.name(), refused);
        return null;
      }
      if (listed == null) {
        return null;
      }
      if (!side.parentType().equals(listed.path("@odata.type").asText())) {
        continue;
      }
      ObjectNode row = JsonNodeFactory.instance.objectNode();
      row.put("@odata.type", side.memberType());
      row.set("id", listed.get(Entity.Parent.FIELD));
      row.set("displayName", listed.get(PerParentItemReader.PARENT_NAME));
      row.set(Entity.Parent.FIELD, listed.get("id"));
      return row;
    }
    return null;
  }

  @Override
  public void update(ExecutionContext context) {
    reader.update(context);
    if (refused != null) {
      context.putString(REFUSED, refused);
    }
  }
}
