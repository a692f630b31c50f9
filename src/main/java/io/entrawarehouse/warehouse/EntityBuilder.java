package io.entrawarehouse.warehouse;

import io.entrawarehouse.warehouse.Entity.Clause;
import io.entrawarehouse.warehouse.Entity.Delta;
import io.entrawarehouse.warehouse.Entity.Extra;
import io.entrawarehouse.warehouse.Entity.Lookup;
import io.entrawarehouse.warehouse.Entity.MemberSide;
import io.entrawarehouse.warehouse.Entity.Narrowing;
import io.entrawarehouse.warehouse.Entity.Parent;
import io.entrawarehouse.warehouse.Entity.Values;
import io.entrawarehouse.warehouse.Source.Closure;
import io.entrawarehouse.warehouse.Source.Collection;
import io.entrawarehouse.warehouse.Source.Elements;
import io.entrawarehouse.warehouse.Source.History;
import io.entrawarehouse.warehouse.Source.Log;
import io.entrawarehouse.warehouse.Source.PerParent;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds an entity; name, path, permission and columns are required. {@link #build()} checks that
 * the settings make one kind of {@link Source} and that each is consistent with the rest.
 */
final class EntityBuilder {
  final String name;
  final String path;
  String what;
  int pageSize;
  String timeProperty;
  List<Column> columns;
  List<String> ids = List.of("id");
  Parent parent;
  Permission permission;
  String licence;
  boolean rawJson = true;
  String each;
  String expand;
  Lookup lookup;
  List<String> redact = List.of();
  List<String> also = List.of();
  boolean selectable = true;
  Extra extra;
  Entity closureOf;
  Delta delta;
  Entity historyOf;
  List<Narrowing> narrowing = List.of();

  EntityBuilder(String name, String path) {
    this.name = name;
    this.path = path;
    this.what = name.replace('_', ' ');
  }

  EntityBuilder what(String what) {
    this.what = what;
    return this;
  }

  EntityBuilder pageSize(int pageSize) {
    this.pageSize = pageSize;
    return this;
  }

  /** A log: windows filter on this event-time property. */
  EntityBuilder log(String timeProperty) {
    this.timeProperty = timeProperty;
    return this;
  }

  EntityBuilder columns(Column... columns) {
    this.columns = List.of(columns);
    return this;
  }

  EntityBuilder ids(String... ids) {
    this.ids = List.of(ids);
    return this;
  }

  EntityBuilder under(String parentPath) {
    this.parent = new Parent(parentPath, null);
    return this;
  }

  /** Members the parents' own listing leaves out, read from their side ({@link MemberSide}). */
  EntityBuilder memberSide(MemberSide side) {
    this.parent = new Parent(parent.path(), side);
    return this;
  }

  EntityBuilder permission(Permission permission) {
    this.permission = permission;
    return this;
  }

  EntityBuilder licence(String licence) {
    this.licence = licence;
    return this;
  }

  /** Whether raw_json is kept unless a launch says otherwise (default: yes). */
  EntityBuilder rawJson(boolean byDefault) {
    this.rawJson = byDefault;
    return this;
  }

  /** Rows are the elements of this array property of each item. */
  EntityBuilder each(String arrayProperty) {
    this.each = arrayProperty;
    return this;
  }

  /** The array is a relationship, brought by this {@code $expand} (its own $select inside). */
  EntityBuilder expand(String expand) {
    this.expand = expand;
    return this;
  }

  /** Each element's {@code from} joined with the {@code key} of another collection's items. */
  EntityBuilder lookup(String path, String key, String value, String from) {
    this.lookup = new Lookup(path, key, value, from);
    return this;
  }

  /** The endpoint takes no $select (it returns every property). */
  EntityBuilder noSelect() {
    this.selectable = false;
    return this;
  }

  /** A property with its own permission, licence and page size ({@link Extra}). */
  EntityBuilder extra(
      String property, String toggle, Permission permission, String licence, int pageSize) {
    this.extra = new Extra(property, toggle, permission, licence, pageSize);
    return this;
  }

  /** Rows computed as the transitive closure of a membership table, with no request. */
  EntityBuilder closureOf(Entity memberships) {
    this.closureOf = memberships;
    return this;
  }

  /** Graph's delta function for the entity: later loads read only changes. */
  EntityBuilder delta(String deltaPath) {
    this.delta = new Delta(deltaPath, null);
    return this;
  }

  /** Graph's delta function for the entity, always with this $select. */
  EntityBuilder delta(String deltaPath, String select) {
    this.delta = new Delta(deltaPath, select);
    return this;
  }

  /** More collections with the same arrays, read after the path. */
  EntityBuilder also(String... paths) {
    this.also = List.of(paths);
    return this;
  }

  /** Properties never stored: a secret's hint, a certificate's key. */
  EntityBuilder redact(String... paths) {
    this.redact = List.of(paths);
    return this;
  }

  /** A launch toggle that narrows the table ({@link Narrowing}), after any given before. */
  EntityBuilder narrowing(String toggle, Values values, Clause clause) {
    List<Narrowing> all = new ArrayList<>(narrowing);
    all.add(new Narrowing(toggle, values, clause));
    this.narrowing = List.copyOf(all);
    return this;
  }

  /** The entity, its settings checked: each failure names the table and what is wrong. */
  Entity build() {
    check(name.matches("[a-z][a-z0-9_]*"), "the name is not snake_case");
    check(path != null && path.startsWith("/"), "the path must start with /, got " + path);
    check(permission != null, "no permission");
    check(columns != null && !columns.isEmpty(), "no columns");
    Set<String> names = new LinkedHashSet<>();
    for (Column c : columns) {
      check(names.add(c.name()), "column " + c.name() + " is declared twice");
    }
    check(!ids.isEmpty() && names.containsAll(ids), "the id columns " + ids + " are not columns");
    check(pageSize >= 0, "a negative page size");
    check(licence == null || licence.equals("P1") || licence.equals("P2"), "licence " + licence);
    Source source = source();
    boolean underParent = source instanceof PerParent || source instanceof Closure;
    check(
        historyOf != null || path.contains("{id}") == underParent,
        "{id} in the path and a parent collection go together");
    if (source instanceof Log) {
      check(
          columns.stream().anyMatch(c -> c.path().equals(timeProperty)),
          "no column reads the time property " + timeProperty);
      check(pageSize > 0, "a log needs a page size");
    }
    if (extra != null) {
      check(selectable, "an extra property needs $select");
      check(
          extra.pageSize() > 0 && extra.pageSize() <= pageSize,
          "the extra's page size must be within the table's");
    }
    for (Narrowing n : narrowing) {
      check(
          source instanceof Collection,
          "toggle " + n.toggle() + " narrows a collection's $filter only");
    }
    return new Entity(
        name,
        what,
        path,
        pageSize,
        List.copyOf(columns),
        List.copyOf(ids),
        permission,
        licence,
        rawJson,
        List.copyOf(redact),
        selectable,
        source,
        narrowing,
        Entity.rowSchema(name, columns),
        Entity.idSchema(name, columns, ids));
  }

  /** The one kind of source the settings make. */
  private Source source() {
    List<String> kinds = new ArrayList<>();
    if (timeProperty != null) {
      kinds.add("log");
    }
    if (each != null) {
      kinds.add("elements");
    }
    if (closureOf != null) {
      kinds.add("closure");
    }
    if (historyOf != null) {
      kinds.add("history");
    }
    if (parent != null && closureOf == null && historyOf == null) {
      kinds.add("per-parent");
    }
    check(kinds.size() <= 1, "it is at once " + String.join(" and ", kinds));
    check(
        each != null || (expand == null && lookup == null && also.isEmpty()),
        "$expand, a lookup and more paths are for an elements table");
    check(extra == null || kinds.isEmpty(), "an extra property is for a plain collection only");
    check(
        delta == null || kinds.isEmpty() || kinds.equals(List.of("per-parent")),
        "a delta function is for a collection or a per-parent table");
    if (timeProperty != null) {
      return new Log(timeProperty);
    }
    if (each != null) {
      return new Elements(each, expand, also, lookup);
    }
    if (closureOf != null) {
      check(parent != null, "a closure names its parents' collection");
      return new Closure(closureOf, parent);
    }
    if (historyOf != null) {
      return new History(historyOf);
    }
    if (parent != null) {
      return new PerParent(parent, delta);
    }
    return new Collection(delta, extra);
  }

  private void check(boolean ok, String what) {
    if (!ok) {
      throw new IllegalStateException("Entity " + name + ": " + what);
    }
  }
}
