package io.entrawarehouse.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.entrawarehouse.graph.GraphClient;
import io.entrawarehouse.graph.GraphPage;
import io.entrawarehouse.graph.Reading;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.TenantScale;
import io.entrawarehouse.warehouse.Column;
import io.entrawarehouse.warehouse.Entities;
import io.entrawarehouse.warehouse.Entity;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.batch.core.BatchStatus;

/**
 * One complete row of every table compared, column by column, with the item the simulator serves
 * for the job's own query (fetched here over HTTP, read by this test's own walk of the JSON, not by
 * the product's processor), and {@code raw_json} equal to that item.
 */
class GoldenRowTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void oneRowOfEveryTableEqualsItsGraphItemFieldByField() throws Exception {
    try (LoadHarness h =
        new LoadHarness(
            SimulatorSettings.builder().scale(TenantScale.TINY).throttling(false).build(),
            dir,
            Map.of())) {
      assertThat(h.run(Map.of("raw_json", "all")).getStatus()).isEqualTo(BatchStatus.COMPLETED);
      LoadParameters launch = LoadParameters.parse("t", Map.of(), LocalDate.now(ZoneOffset.UTC));
      try (DirectoryLoadLauncher.Connection graph =
              h.launcher.connect(h.launcher.tenants().get(0));
          Connection db =
              DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("entra.duckdb"))) {
        for (Entity e : Entities.ALL.values()) {
          JsonNode item = item(graph.graph(), launch, e);
          ObjectNode o = (ObjectNode) item;
          JsonNode parent = o.remove(Entity.Parent.FIELD);
          JsonNode looked = o.remove(Entity.Lookup.FIELD);
          JsonNode array = o.remove(Entity.ARRAY);
          JsonNode source = o.remove(Entity.SOURCE);
          for (String secret : e.redact()) {
            if (!secret.contains("/")) {
              o.remove(secret); // never stored: the row's raw_json is the item without it
            }
          }
          Map<String, String> added = new HashMap<>();
          if (array != null) {
            added.put(Entity.ARRAY, array.asText());
            added.put(Entity.SOURCE, source.asText());
          }
          if (looked != null && !looked.isNull()) {
            added.put(Entity.Lookup.FIELD, looked.asText());
          }
          assertRowEquals(db, e, item, parent == null ? null : parent.asText(), added);
        }
      }
    }
  }

  /**
   * The third item of the entity's first page (of its first parent's, per parent; the first element
   * of the first item that has one, per element, with the value this test looks up itself).
   */
  private static JsonNode item(GraphClient graph, LoadParameters launch, Entity e) {
    String query = launch.plan(e).query();
    if (e.each() != null) {
      Map<String, String> lookup = new HashMap<>();
      if (e.lookup() != null) {
        for (JsonNode i :
            graph.page(Reading.of("lookup"), graph.url(e.lookup().path()), false).items()) {
          lookup.put(i.get(e.lookup().key()).asText(), i.get(e.lookup().value()).asText());
        }
      }
      for (JsonNode i : graph.page(e.reading(), graph.url(e.path() + "?" + query), false).items()) {
        String name =
            Arrays.stream(e.each().split(","))
                .filter(a -> i.get(a) != null && !i.get(a).isEmpty())
                .findFirst()
                .orElse(null);
        if (name != null) {
          ObjectNode element = (ObjectNode) i.get(name).get(0).deepCopy();
          element.put(Entity.Parent.FIELD, i.get("id").asText());
          element.put(Entity.ARRAY, name);
          element.put(Entity.SOURCE, e.path().substring(1));
          if (e.lookup() != null) {
            element.put(Entity.Lookup.FIELD, lookup.get(element.get(e.lookup().from()).asText()));
          }
          return element;
        }
      }
      throw new AssertionError(e.name() + ": no item has an element");
    }
    if (e.parent() == null) {
      return graph.page(e.reading(), graph.url(e.path() + "?" + query), false).items().get(2);
    }
    GraphPage parents =
        graph.page(
            Reading.of("parents"), graph.url(e.parent().path() + "?$select=id&$top=999"), false);
    for (JsonNode p : parents.items()) {
      String id = p.get("id").asText();
      List<JsonNode> items =
          graph.page(e.reading(), graph.url(e.pathFor(id) + "?" + query), false).items();
      if (!items.isEmpty()) {
        ObjectNode first = (ObjectNode) items.get(0);
        first.put(Entity.Parent.FIELD, id);
        return first;
      }
    }
    throw new AssertionError(e.name() + ": no parent has an item");
  }

  private static void assertRowEquals(
      Connection db, Entity e, JsonNode item, String parent, Map<String, String> added)
      throws Exception {
    List<String> where = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    for (String id : e.idColumns()) {
      where.add(id + " = ?");
      Column c = e.column(id);
      keys.add(c.path().equals(Entity.Parent.FIELD) ? parent : item.get(c.path()).asText());
    }
    try (PreparedStatement s =
        db.prepareStatement(
            "SELECT * FROM " + e.name() + " WHERE " + String.join(" AND ", where))) {
      for (int i = 0; i < keys.size(); i++) {
        s.setString(i + 1, keys.get(i));
      }
      try (ResultSet r = s.executeQuery()) {
        assertThat(r.next()).as(e.name() + " row " + keys).isTrue();
        for (Column c : e.columns()) {
          Object expected = expected(c, item, parent, added);
          Object actual = actual(c, r);
          assertThat(actual).as(e.name() + "." + c.name() + " of " + keys).isEqualTo(expected);
        }
        if (e.readFromGraph()) {
          assertThat(JSON.readTree(r.getString(Entity.RAW_JSON)))
              .as(e.name() + ".raw_json of " + keys)
              .isEqualTo(item);
        } else {
          assertThat(r.getString(Entity.RAW_JSON))
              .as(e.name() + ": computed, so Graph sent no item to keep, even with raw_json=all")
              .isNull();
        }
        assertThat(r.next()).as(e.name() + " row " + keys + " once").isFalse();
      }
    }
  }

  /** What the column should hold, from the wire JSON as the column's path and type say. */
  private static Object expected(Column c, JsonNode item, String parent, Map<String, String> added)
      throws Exception {
    if (c.path().equals(Entity.Parent.FIELD)) {
      return parent;
    }
    JsonNode v = item;
    if (c.path().startsWith("@") && added.containsKey(c.path())) {
      v = TextNode.valueOf(added.get(c.path()));
    } else {
      for (String segment : c.path().split("/")) {
        v = v == null ? null : v.get(segment);
      }
    }
    if (c.name().startsWith("last_") && c.path().startsWith("signInActivity/")) {
      // Graph's "never": an empty string (Microsoft's example) or the year 1.
      if (v != null && (v.asText().isEmpty() || v.asText().startsWith("0001-"))) {
        return null;
      }
    } else if (v != null && !v.isNull() && c.transform() == Column.ODATA_TYPE_NAME) {
      // This test's own reading of the type-name transform, whatever the column.
      v = TextNode.valueOf(v.asText().replace("#microsoft.graph.", ""));
    } else if (v != null && !v.isNull() && c.transform() != null) {
      // This test's own reading of what each other transformed column documents.
      v =
          switch (c.name()) {
            case "owner_kind" ->
                TextNode.valueOf(
                    v.asText().equals("applications") ? "application" : "servicePrincipal");
            case "credential_type" ->
                TextNode.valueOf(v.asText().equals("keyCredentials") ? "certificate" : "password");
            default -> throw new AssertionError(c.name() + ": a transform this test does not know");
          };
    }
    if (v == null || v.isNull()) {
      return null;
    }
    return switch (c.type()) {
      case STRING -> v.isValueNode() ? v.asText() : v.toString();
      case BOOLEAN -> v.booleanValue();
      case INT -> v.intValue();
      case LONG -> v.longValue();
      case DOUBLE -> v.doubleValue();
      case TIMESTAMP -> OffsetDateTime.parse(v.asText()).toInstant();
      case JSON -> v;
      case STRING_LIST -> {
        List<String> out = new ArrayList<>();
        for (JsonNode el : v) {
          JsonNode x = c.field() == null ? el : el.get(c.field());
          if (x != null && !x.isNull()) {
            out.add(x.asText());
          }
        }
        yield out;
      }
    };
  }

  private static Object actual(Column c, ResultSet r) throws Exception {
    Object o = r.getObject(c.name());
    if (o == null) {
      return null;
    }
    return switch (c.type()) {
      case STRING -> r.getString(c.name());
      case BOOLEAN -> r.getBoolean(c.name());
      case INT -> r.getInt(c.name());
      case LONG -> r.getLong(c.name());
      case DOUBLE -> r.getDouble(c.name());
      case TIMESTAMP -> r.getObject(c.name(), OffsetDateTime.class).toInstant();
      case JSON -> JSON.readTree(r.getString(c.name()));
      case STRING_LIST -> {
        Array a = r.getArray(c.name());
        List<String> out = new ArrayList<>();
        for (Object x : (Object[]) a.getArray()) {
          out.add((String) x);
        }
        yield out;
      }
    };
  }
}
