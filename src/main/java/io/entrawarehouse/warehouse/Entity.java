package io.entrawarehouse.warehouse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entrawarehouse.graph.Reading;
import io.entrawarehouse.warehouse.Source.Closure;
import io.entrawarehouse.warehouse.Source.Collection;
import io.entrawarehouse.warehouse.Source.Elements;
import io.entrawarehouse.warehouse.Source.History;
import io.entrawarehouse.warehouse.Source.Log;
import io.entrawarehouse.warehouse.Source.PerParent;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;

/**
 * Everything about one loaded entity in one place: its Graph endpoint, default $select, page size,
 * permission and licence, its warehouse table, columns, Avro schema and partitioning. The generic
 * readers, processor, writers, DDL and {@code check} are configured from it: adding a Graph
 * collection means adding one of these to {@link Entities} (and its data to the simulator).
 *
 * @param name the entity and table name (snake_case): users, sign_ins, …
 * @param what how messages name it
 * @param path the Graph collection path, e.g. {@code /auditLogs/signIns}; for a per-parent
 *     collection with {@code {id}} where the parent's id goes
 * @param pageSize the $top asked for (Graph's maximum for the endpoint), or 0 for an endpoint that
 *     takes no $top
 * @param columns the warehouse columns after {@code tenant_id}
 * @param idColumns the columns whose values, joined by "/", identify a row
 * @param permission the application permission the endpoint needs
 * @param licence the Entra ID licence the endpoint needs ("P1", "P2"), or null
 * @param rawJson whether loads keep each item's Graph JSON in {@code raw_json} unless the launch
 *     says otherwise (chosen per table from what it costs: README, "raw_json")
 * @param redact the item properties never stored anywhere ({@link #removeSecrets})
 * @param selectable whether the endpoint takes {@code $select}; one that does not (registration
 *     details) returns every property and is asked for none
 * @param source where the rows come from, and what that kind of source needs
 * @param narrowing the launch toggles that add a $filter clause to this table's query
 * @param avroSchema the Avro schema of a warehouse row: tenant, the entity's columns, load metadata
 *     ({@link #rowSchema}); built once, with the entity, as rows are made by the million
 * @param idSchema the row schema reduced to the id columns: a read projection for finding rows by
 *     id
 */
public record Entity(
    String name,
    String what,
    String path,
    int pageSize,
    List<Column> columns,
    List<String> idColumns,
    Permission permission,
    String licence,
    boolean rawJson,
    List<String> redact,
    boolean selectable,
    Source source,
    List<Narrowing> narrowing,
    Schema avroSchema,
    Schema idSchema) {

  /**
   * A launch toggle that narrows this table with a $filter clause.
   *
   * @param toggle the launch parameter, e.g. {@code inactive}
   * @param clause the clause for the toggle's value and the launch's {@code until}, or null when
   *     that value adds none
   */
  public record Narrowing(String toggle, Values values, Clause clause) {}

  /**
   * The values a toggle takes.
   *
   * @param pattern what a value must match (lower case)
   * @param described how a message names them, e.g. "include or exclude"
   */
  public record Values(String pattern, String described) {
    public static final Values TRUE_OR_FALSE = new Values("true|false", "true or false");
  }

  /** A narrowing's $filter clause from the toggle's value. */
  @FunctionalInterface
  public interface Clause {
    /**
     * @param value the toggle's value, lower case
     * @param until the end of the launch's window
     * @return the clause, or null when the value adds none
     */
    String of(String value, Instant until);
  }

  /** The event-time property of a log, or null. */
  public String timeProperty() {
    return source instanceof Log l ? l.timeProperty() : null;
  }

  /** The parents' collection of a per-parent table (and its closure and history), or null. */
  public Parent parent() {
    if (source instanceof PerParent p) {
      return p.parent();
    }
    if (source instanceof Closure c) {
      return c.parent();
    }
    return source instanceof History h ? h.of().parent() : null;
  }

  /** The delta function of the table, or null. */
  public Delta delta() {
    if (source instanceof Collection c) {
      return c.delta();
    }
    return source instanceof PerParent p ? p.delta() : null;
  }

  /**
   * Whether a delta round of this table comes from its parents' delta function (group members from
   * the groups' {@code members@delta}), which names each member by id and type only: the round is
   * completed from the member objects' tables.
   */
  public boolean readByParentsDelta() {
    return source instanceof PerParent p && p.delta() != null;
  }

  /** The extra property of a collection, or null. */
  public Extra extra() {
    return source instanceof Collection c ? c.extra() : null;
  }

  /** The array properties of an elements table, or null. */
  public String each() {
    return source instanceof Elements e ? e.each() : null;
  }

  /** The $expand of an elements table, or null. */
  public String expand() {
    return source instanceof Elements e ? e.expand() : null;
  }

  /** The lookup of an elements table, or null. */
  public Lookup lookup() {
    return source instanceof Elements e ? e.lookup() : null;
  }

  /** The more collections an elements table reads. */
  public List<String> also() {
    return source instanceof Elements e ? e.also() : List.of();
  }

  /** The membership table a closure is computed from, or null. */
  public Entity closureOf() {
    return source instanceof Closure c ? c.of() : null;
  }

  /** The table a history table keeps the versions of, or null. */
  public Entity historyOf() {
    return source instanceof History h ? h.of() : null;
  }

  /**
   * A delta function that reads an entity's changes.
   *
   * @param path the function, e.g. {@code /users/delta}
   * @param select the {@code $select} it always takes ({@code members}, for group memberships read
   *     as the groups' {@code members@delta}), or null for the entity's own
   */
  public record Delta(String path, String select) {}

  /** On an element row: the array it came from. */
  public static final String ARRAY = "@array";

  /** On an element row: the collection its item came from, e.g. "servicePrincipals". */
  public static final String SOURCE = "@source";

  /** The collections an element table reads: its path, then {@link #also()}. */
  public List<String> paths() {
    List<String> all = new ArrayList<>();
    all.add(path);
    all.addAll(also());
    return all;
  }

  /**
   * The collection a per-parent endpoint is read under: each parent's id is put in the child's path
   * and in each child item as {@link #FIELD}, which a column reads.
   *
   * @param path the parents' collection, e.g. {@code /groups}
   */
  public record Parent(String path, MemberSide memberSide) {
    /** The item field carrying the parent's id. */
    public static final String FIELD = "@parentId";
  }

  /**
   * Members of one type that each parent's own listing leaves out, found from the members' side:
   * v1.0 {@code /groups/{id}/members} lists no service principals, so each service principal's
   * {@code /servicePrincipals/{id}/memberOf} names its groups (Conformance
   * .V1_MEMBERS_OMIT_SERVICE_PRINCIPALS). Microsoft's other routes are beta, or {@code
   * $expand=members}, which stops at 20 members.
   *
   * @param members the members' collection, e.g. {@code /servicePrincipals}
   * @param path what each member belongs to, e.g. {@code /servicePrincipals/{id}/memberOf}
   * @param memberType the members' {@code @odata.type}
   * @param parentType the {@code @odata.type} of the listed objects that are parents (the rest,
   *     such as directory roles, are left out)
   * @param permission what reading it takes besides the table's own permission
   */
  public record MemberSide(
      String members, String path, String memberType, String parentType, String permission) {}

  /**
   * The per-parent entity that reads {@link MemberSide}: each member's list of parents, its own
   * restart keys ({@code <name>_member_of}); null when the table has none.
   */
  public Entity memberSideReader() {
    if (parent() == null || parent().memberSide() == null) {
      return null;
    }
    MemberSide side = parent().memberSide();
    EntityBuilder reader =
        toBuilder(name + "_member_of", side.path())
            .what(what + " found from the " + side.members().substring(1) + "' side")
            .under(side.members());
    reader.delta = null; // read in full: the table's delta round carries both sides
    return reader.build();
  }

  /**
   * A collection read once per load (one page or a few) to join values into each element: the
   * element's {@code from} property is looked up by the collection items' {@code key}, and their
   * {@code value} is put in the element as {@link #FIELD}, which a column reads.
   *
   * @param path the collection, e.g. {@code /subscribedSkus}
   */
  public record Lookup(String path, String key, String value, String from) {
    /** The element field carrying the looked-up value. */
    public static final String FIELD = "@lookup";
  }

  /**
   * A property of an endpoint that needs its own permission or licence and caps the page size (a
   * user's {@code signInActivity}: AuditLog.Read.All, Entra ID P1, 500 a page). A launch can leave
   * it out; when Graph refuses it on the first page, the table loads without it and its columns are
   * NULL, and the load ends PARTIAL.
   *
   * @param property the $select property
   * @param toggle the launch parameter that turns it off ({@code <toggle>=false})
   * @param pageSize the largest $top Graph allows when it is selected
   */
  public record Extra(
      String property, String toggle, Permission permission, String licence, int pageSize) {}

  /** What reading this entity is to Graph's client: its name for messages, permission, licence. */
  public Reading reading() {
    return new Reading(what, permission.display(), licence);
  }

  /** A collection read on this entity's behalf (its parents, its lookup), under its permission. */
  public Reading readingOf(String collection) {
    return new Reading(collection, permission.display(), licence);
  }

  /** This entity with other columns (schema evolution tests). */
  public Entity withColumns(List<Column> other) {
    return toBuilder(name, path).columns(other.toArray(new Column[0])).build();
  }

  /** Whether loads read the table from Graph (not computed from another table). */
  public boolean readFromGraph() {
    return closureOf() == null;
  }

  /** The path of one parent's collection. */
  public String pathFor(String parentId) {
    return path.replace("{id}", URLEncoder.encode(parentId, StandardCharsets.UTF_8));
  }

  /**
   * Removes from a Graph item, in place, what this entity never stores anywhere ({@link #redact}: a
   * secret's text and hint, a certificate's key): every copy of an item that leaves memory (a row's
   * raw_json, a rejected item) goes through here first.
   */
  public void removeSecrets(JsonNode item) {
    for (String path : redact) {
      int slash = path.indexOf('/');
      JsonNode holder = slash < 0 ? item : item.get(path.substring(0, slash));
      String field = slash < 0 ? path : path.substring(slash + 1);
      if (holder == null) {
        continue;
      }
      for (JsonNode element : holder.isArray() ? holder : List.of(holder)) {
        if (element instanceof ObjectNode o) {
          o.remove(field);
        }
      }
    }
  }

  static EntityBuilder builder(String name, String path) {
    return new EntityBuilder(name, path);
  }

  /** A builder holding this entity's settings, for a table of another name and path. */
  EntityBuilder toBuilder(String newName, String newPath) {
    EntityBuilder b = new EntityBuilder(newName, newPath);
    b.what = what;
    b.pageSize = pageSize;
    b.columns = columns;
    b.ids = idColumns;
    b.permission = permission;
    b.licence = licence;
    b.rawJson = rawJson;
    b.redact = redact;
    b.selectable = selectable;
    b.narrowing = narrowing;
    b.timeProperty = timeProperty();
    b.parent = parent();
    b.delta = delta();
    b.extra = extra();
    b.each = each();
    b.expand = expand();
    b.lookup = lookup();
    b.also = also();
    b.closureOf = closureOf();
    b.historyOf = historyOf();
    return b;
  }

  /** In a history table: when the version began (the load that saw it first). */
  public static final String VALID_FROM = "valid_from";

  /** In a history table: when the version ended (NULL while it is current). */
  public static final String VALID_TO = "valid_to";

  /** In a history table: how the version began: created, updated or deleted. */
  public static final String CHANGE_KIND = "change_kind";

  /**
   * In a history table, on a {@code deleted} version: Graph's reason, {@code changed}
   * (soft-deleted, restorable) or {@code deleted} (gone for good); NULL when a full load found the
   * object gone.
   */
  public static final String REMOVED_REASON = "removed_reason";

  /**
   * The history table of this directory table ({@code <name>_history}): its columns, then {@link
   * #VALID_FROM}, {@link #VALID_TO}, {@link #CHANGE_KIND} and {@link #REMOVED_REASON}; one row per
   * version of each object, written by the loads of this table. Its raw_json is always NULL.
   */
  public Entity history() {
    List<Column> all = new ArrayList<>(columns);
    all.add(Column.of(VALID_FROM, Column.Type.TIMESTAMP, "@" + VALID_FROM));
    all.add(Column.of(VALID_TO, Column.Type.TIMESTAMP, "@" + VALID_TO));
    all.add(Column.of(CHANGE_KIND, Column.Type.STRING, "@" + CHANGE_KIND));
    all.add(Column.of(REMOVED_REASON, Column.Type.STRING, "@" + REMOVED_REASON));
    List<String> ids = new ArrayList<>(idColumns);
    ids.add(VALID_FROM);
    EntityBuilder history = new EntityBuilder(name + "_history", path);
    history.what = what + " history";
    history.columns = List.copyOf(all);
    history.ids = List.copyOf(ids);
    history.permission = permission;
    history.licence = licence;
    history.rawJson = false;
    history.selectable = selectable;
    history.historyOf = this;
    return history.build();
  }

  /** Columns every row carries besides the entity's own. */
  public static final String TENANT = "tenant_id";

  public static final String LOAD_ID = "load_id";
  public static final String LOADED_AT = "loaded_at";

  /**
   * The item as Graph sent it (JSON in DuckDB, a string in Parquet): properties no column models,
   * and those a launch adds with {@code select.<entity>=+property}, are never lost. NULL when the
   * launch does not keep it for the table.
   */
  public static final String RAW_JSON = "raw_json";

  public boolean isLog() {
    return source instanceof Log;
  }

  /** The Hive partition column: event date for logs, load date for directory entities. */
  public String partitionColumn() {
    return isLog() ? "event_date" : "load_date";
  }

  /** The default $select: every property a column reads, never Graph's short default set. */
  public String defaultSelect() {
    if (each() != null) {
      // The items' id and array, not the elements' properties; a relationship comes by $expand.
      return expand() != null ? "id" : "id," + each();
    }
    Set<String> properties = new LinkedHashSet<>();
    for (Column c : columns) {
      if (!c.path().startsWith("@")) {
        properties.add(c.property());
      }
    }
    return String.join(",", properties);
  }

  /** For logs, the column holding the event time. */
  public Column timeColumn() {
    return columns.stream().filter(c -> c.path().equals(timeProperty())).findFirst().orElseThrow();
  }

  public Column column(String name) {
    return columns.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
  }

  /** The Avro schema of a warehouse row: tenant, the columns, load metadata. */
  static Schema rowSchema(String name, List<Column> columns) {
    SchemaBuilder.FieldAssembler<Schema> fields =
        SchemaBuilder.record(name).namespace("io.entrawarehouse.warehouse").fields();
    fields.name(TENANT).type().stringType().noDefault();
    for (Column c : columns) {
      fields.name(c.name()).type(nullable(avroType(c.type()))).withDefault(null);
    }
    fields.name(LOAD_ID).type().longType().noDefault();
    fields.name(LOADED_AT).type(timestampMicros()).noDefault();
    fields.name(RAW_JSON).type(nullable(Schema.create(Schema.Type.STRING))).withDefault(null);
    return fields.endRecord();
  }

  /** The row schema reduced to the id columns. */
  static Schema idSchema(String name, List<Column> columns, List<String> ids) {
    SchemaBuilder.FieldAssembler<Schema> fields =
        SchemaBuilder.record(name).namespace("io.entrawarehouse.warehouse").fields();
    for (String id : ids) {
      Column c = columns.stream().filter(x -> x.name().equals(id)).findFirst().orElseThrow();
      fields.name(id).type(nullable(avroType(c.type()))).withDefault(null);
    }
    return fields.endRecord();
  }

  /** The names of all warehouse columns, in order. */
  public List<String> allColumns() {
    List<String> names = new ArrayList<>();
    names.add(TENANT);
    columns.forEach(c -> names.add(c.name()));
    names.add(LOAD_ID);
    names.add(LOADED_AT);
    names.add(RAW_JSON);
    return names;
  }

  /** CREATE TABLE for DuckDB. */
  public String duckdbDdl() {
    StringBuilder b = new StringBuilder("CREATE TABLE IF NOT EXISTS ").append(name).append(" (\n");
    b.append("  ").append(TENANT).append(" VARCHAR NOT NULL,\n");
    for (Column c : columns) {
      b.append("  ").append(c.name()).append(' ').append(c.type().duckdb()).append(",\n");
    }
    b.append("  ").append(LOAD_ID).append(" BIGINT NOT NULL,\n");
    b.append("  ").append(LOADED_AT).append(" TIMESTAMPTZ NOT NULL,\n");
    b.append("  ").append(RAW_JSON).append(" JSON\n");
    return b.append(");\n").toString();
  }

  private static Schema avroType(Column.Type type) {
    return switch (type) {
      case STRING, JSON -> Schema.create(Schema.Type.STRING);
      case BOOLEAN -> Schema.create(Schema.Type.BOOLEAN);
      case INT -> Schema.create(Schema.Type.INT);
      case LONG -> Schema.create(Schema.Type.LONG);
      case DOUBLE -> Schema.create(Schema.Type.DOUBLE);
      case TIMESTAMP -> timestampMicros();
      case STRING_LIST -> Schema.createArray(Schema.create(Schema.Type.STRING));
    };
  }

  private static Schema timestampMicros() {
    return LogicalTypes.timestampMicros().addToSchema(Schema.create(Schema.Type.LONG));
  }

  private static Schema nullable(Schema s) {
    return Schema.createUnion(Schema.create(Schema.Type.NULL), s);
  }
}
