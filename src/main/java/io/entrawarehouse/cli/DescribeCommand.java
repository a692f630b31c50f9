package io.entrawarehouse.cli;

import io.entrawarehouse.warehouse.Column;
import io.entrawarehouse.warehouse.Entities;
import io.entrawarehouse.warehouse.Entity;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code describe}: the column reference of the warehouse, from the tables' descriptors (the same
 * ones that write the tables), so it cannot drift from them.
 */
@Command(
    name = "describe",
    mixinStandardHelpOptions = true,
    description = {
      "The column reference: describe lists the tables; describe <table> prints its columns, each"
          + " with its DuckDB type and the Graph property it is read from, its key, the Graph"
          + " request and the permission it needs. Needs no warehouse."
    })
public final class DescribeCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(arity = "0..1", paramLabel = "TABLE", description = "A table; none lists them.")
  String table;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Map<String, Entity> tables = Entities.tables();
    if (table == null) {
      out.printf("%-28s %s%n", "table", "rows");
      tables.values().forEach(e -> out.printf("%-28s %s%n", e.name(), rows(e)));
      out.flush();
      return LoadCommands.OK;
    }
    Entity entity = tables.get(table);
    if (entity == null) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("describe: " + LoadCommands.unknownTable(table));
      err.flush();
      return LoadCommands.BAD_INPUT;
    }
    out.println(entity.name() + ": " + rows(entity));
    out.println("  key: " + String.join(", ", key(entity)));
    if (entity.readFromGraph()) {
      out.println(
          "  Graph: GET " + entity.path() + "; permission " + entity.permission().display());
      if (entity.licence() != null) {
        out.println("  licence: " + entity.licence());
      }
    }
    out.printf("  %-34s %-12s %s%n", "column", "type", "from");
    out.printf("  %-34s %-12s %s%n", Entity.TENANT, "VARCHAR", "the tenant's id (partition)");
    for (Column c : entity.columns()) {
      out.printf("  %-34s %-12s %s%n", c.name(), c.type().duckdb(), from(entity, c));
    }
    out.printf("  %-34s %-12s %s%n", Entity.LOAD_ID, "BIGINT", "the load that wrote the row");
    out.printf("  %-34s %-12s %s%n", Entity.LOADED_AT, "TIMESTAMPTZ", "when that load read it");
    out.printf(
        "  %-34s %-12s %s%n",
        Entity.RAW_JSON, "JSON", "the item as Graph sent it, where raw_json keeps it, else NULL");
    out.flush();
    return LoadCommands.OK;
  }

  private static String rows(Entity e) {
    if (e.historyOf() != null) {
      return "every version of each of " + e.historyOf().what() + " (SCD2)";
    }
    if (e.closureOf() != null) {
      return e.what() + ", computed from " + e.closureOf().name();
    }
    return e.isLog()
        ? e.what() + ", one row per event"
        : "the tenant's " + e.what() + ", one row each";
  }

  private static List<String> key(Entity e) {
    List<String> key = new ArrayList<>();
    key.add(Entity.TENANT);
    key.addAll(e.idColumns());
    return key;
  }

  private static String from(Entity e, Column c) {
    if (c.path() != null && c.path().startsWith("@")) {
      return "the history's own: " + c.path().substring(1); // valid_from, change_kind …
    }
    if (!e.readFromGraph() || c.path() == null || c.path().isEmpty()) {
      return "";
    }
    return c.path() + (c.field() == null ? "" : "[]." + c.field());
  }
}
