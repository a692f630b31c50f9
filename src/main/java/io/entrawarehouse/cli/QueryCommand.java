package io.entrawarehouse.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrawarehouse.config.EntraProperties;
import io.entrawarehouse.write.duckdb.AnalystSql;
import io.entrawarehouse.write.duckdb.Views;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code query}: SQL over {@code entra.duckdb}, opened read-only, so it works while a load runs (a
 * load writes a copy and swaps it in; this session keeps the state it opened). It only reads: one
 * statement of a reading kind, on a connection that can touch no other file ({@link AnalystSql}),
 * with variables bound as values.
 */
@Command(
    name = "query",
    mixinStandardHelpOptions = true,
    description = {
      "Runs SQL against entra.duckdb, opened read-only (it works while a load runs), and prints the"
          + " rows: query \"SELECT …\", or query <view> for one of the views every load creates"
          + " (stale_devices, users_without_mfa, …; 'query views' lists them)."
    })
public final class QueryCommand implements Callable<Integer> {

  /** How wide a cell of the table format may be before it is cut. */
  static final int CELL = 40;

  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "SQL|VIEW",
      description =
          "A SQL statement, the name of a view (sql/views), or 'views' for the views and what each"
              + " answers.")
  String query;

  @Option(names = "--format", description = "table (default), csv or json.", defaultValue = "table")
  String format;

  @Option(
      names = "--set",
      paramLabel = "NAME=VALUE",
      description =
          "A variable the view or SQL reads (getvariable), bound as a value of its type, e.g."
              + " --set group_name='All Engineering 170' or --set stale_days=30.")
  List<String> variables = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!List.of("table", "csv", "json").contains(format)) {
      err.println("query: --format must be table, csv or json, got '" + format + "'.");
      err.flush();
      return LoadCommands.BAD_INPUT;
    }
    Path file = WarehouseLocation.duckDbWithoutConfigurationFiles();
    if (file == null) {
      EntraProperties.Warehouse warehouse = SpringBootstrap.builtWarehouse("query", err);
      if (warehouse == null) {
        return LoadCommands.FAILED;
      }
      file = warehouse.duckdbFile();
    }
    Map<String, Views.View> views = Views.all();
    String sql;
    Map<String, String> takes;
    if (views.containsKey(query)) {
      sql = "SELECT * FROM " + query;
      takes = views.get(query).variables();
    } else if (query.equals("views")) {
      sql =
          "SELECT view_name AS view, comment AS answers FROM duckdb_views()"
              + " WHERE NOT internal ORDER BY view_name";
      takes = Map.of();
    } else {
      try {
        sql = AnalystSql.readingStatement(query);
      } catch (IllegalArgumentException e) {
        return refuse(err, e.getMessage() + " Nothing was run.");
      }
      // Its own getvariable('…') names, and those of the views it may select from.
      takes = new TreeMap<>(Views.VARIABLES);
      takes.putAll(Views.variablesRead(sql));
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (String v : variables) {
      int eq = v.indexOf('=');
      if (eq < 1) {
        return refuse(err, "--set takes NAME=VALUE, got '" + v + "'. Nothing was run.");
      }
      String name = v.substring(0, eq).trim();
      if (!takes.containsKey(name)) {
        return refuse(err, unknownVariable(name, query, takes, views));
      }
      values.put(name, literal(v.substring(eq + 1).strip(), takes.get(name)));
    }
    Connection opened;
    try {
      opened = AnalystSql.openReadOnly(file, Map.of());
    } catch (SQLException e) {
      err.println(
          "query: "
              + file
              + " cannot be opened ("
              + e.getMessage().lines().findFirst().orElse("")
              + "). The lake is untouched: 'refresh' builds the file anew from it, and the next"
              + " load does the same.");
      err.flush();
      return LoadCommands.FAILED;
    }
    try (Connection c = opened) {
      for (Map.Entry<String, String> v : values.entrySet()) {
        try {
          AnalystSql.setVariable(c, v.getKey(), takes.get(v.getKey()), v.getValue());
        } catch (IllegalArgumentException e) {
          return refuse(err, "--set " + e.getMessage() + " Nothing was run.");
        }
      }
      try (Statement st = c.createStatement();
          ResultSet r = st.executeQuery(sql)) {
        switch (format) {
          case "csv" -> csv(r, out);
          case "json" -> json(r, out);
          // The views' own descriptions are printed whole: they are what 'views' is asked for.
          default -> table(r, out, query.equals("views") ? Integer.MAX_VALUE : CELL);
        }
      } catch (SQLException e) {
        err.println("query: " + e.getMessage().lines().findFirst().orElse(e.getMessage()));
        err.println("Tables: " + String.join(", ", names(c, "BASE TABLE")));
        List<String> created = names(c, "VIEW");
        err.println("Views: " + String.join(", ", created));
        List<String> missing = new ArrayList<>(views.keySet());
        missing.removeAll(created);
        if (!missing.isEmpty()) {
          err.println(
              "Not created yet, their tables not loaded: " + String.join(", ", missing) + ".");
        }
        err.flush();
        return LoadCommands.BAD_INPUT;
      }
    }
    out.flush();
    return LoadCommands.OK;
  }

  private static int refuse(PrintWriter err, String message) {
    err.println("query: " + message);
    err.flush();
    return LoadCommands.BAD_INPUT;
  }

  /** The refusal of a variable {@code query} does not read, with what each view reads. */
  private static String unknownVariable(
      String name, String query, Map<String, String> takes, Map<String, Views.View> views) {
    StringBuilder b =
        new StringBuilder("--set " + name + ": ")
            .append(
                views.containsKey(query)
                    ? "the view " + query + " reads no such variable"
                    : "no view reads it, nor getvariable('" + name + "') in this SQL")
            .append(
                takes.isEmpty()
                    ? "; it reads none."
                    : "; it reads " + String.join(", ", takes.keySet()) + ".")
            .append(" Nothing was run. The views' variables:");
    views.values().stream()
        .filter(v -> !v.variables().isEmpty())
        .forEach(
            v ->
                b.append("\n  ")
                    .append(v.name())
                    .append(": ")
                    .append(
                        String.join(
                            ", ",
                            v.variables().entrySet().stream()
                                .map(e -> e.getKey() + " " + e.getValue())
                                .toList())));
    return b.toString();
  }

  /**
   * A --set value as the plain value it stands for: SQL's spelling is taken too, a quoted string
   * ({@code 'All Sales'}, {@code ''} for a quote) or a typed literal ({@code TIMESTAMPTZ
   * '2026-11-24 00:00:00+00'}), so that what {@code SET VARIABLE} takes in the DuckDB CLI works
   * here. The value is bound as a parameter, never part of the SQL.
   */
  static String literal(String value, String type) {
    String v = value;
    if (v.regionMatches(true, 0, type, 0, type.length())
        && v.length() > type.length()
        && Character.isWhitespace(v.charAt(type.length()))) {
      String rest = v.substring(type.length()).strip();
      if (rest.length() >= 2 && rest.startsWith("'") && rest.endsWith("'")) {
        v = rest;
      }
    }
    if (v.length() >= 2 && v.startsWith("'") && v.endsWith("'")) {
      return v.substring(1, v.length() - 1).replace("''", "'");
    }
    return v;
  }

  /** The warehouse's tables or views ({@code type} as information_schema names it). */
  private static List<String> names(Connection c, String type) throws SQLException {
    List<String> names = new ArrayList<>();
    try (PreparedStatement q =
        c.prepareStatement(
            "SELECT table_name FROM information_schema.tables"
                + " WHERE table_schema = 'main' AND table_type = ? ORDER BY table_name")) {
      q.setString(1, type);
      ResultSet r = q.executeQuery();
      while (r.next()) {
        names.add(r.getString(1));
      }
    }
    return names;
  }

  /** Column-aligned, each cell cut to {@code cell} characters, with the row count. */
  private static void table(ResultSet r, PrintWriter out, int cell) throws SQLException {
    ResultSetMetaData meta = r.getMetaData();
    int n = meta.getColumnCount();
    List<String[]> rows = new ArrayList<>();
    String[] header = new String[n];
    int[] width = new int[n];
    for (int i = 0; i < n; i++) {
      header[i] = meta.getColumnLabel(i + 1);
      width[i] = header[i].length();
    }
    while (r.next()) {
      String[] row = new String[n];
      for (int i = 0; i < n; i++) {
        String v = r.getString(i + 1);
        v = v == null ? "NULL" : v.replace('\n', ' ');
        row[i] = v.length() > cell ? v.substring(0, cell - 1) + "…" : v;
        width[i] = Math.max(width[i], row[i].length());
      }
      rows.add(row);
    }
    line(header, width, out);
    String[] rule = new String[n];
    for (int i = 0; i < n; i++) {
      rule[i] = "-".repeat(width[i]);
    }
    line(rule, width, out);
    rows.forEach(row -> line(row, width, out));
    out.println("(" + rows.size() + (rows.size() == 1 ? " row)" : " rows)"));
  }

  private static void line(String[] cells, int[] width, PrintWriter out) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < cells.length; i++) {
      b.append(i == 0 ? "" : "  ").append(String.format("%-" + width[i] + "s", cells[i]));
    }
    out.println(b.toString().stripTrailing());
  }

  /** RFC 4180: a header, commas, fields quoted when they hold a comma, quote or line break. */
  private static void csv(ResultSet r, PrintWriter out) throws SQLException {
    int n = r.getMetaData().getColumnCount();
    List<String> header = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      header.add(field(r.getMetaData().getColumnLabel(i)));
    }
    out.print(String.join(",", header) + "\r\n");
    while (r.next()) {
      List<String> row = new ArrayList<>();
      for (int i = 1; i <= n; i++) {
        String v = r.getString(i);
        row.add(v == null ? "" : field(v));
      }
      out.print(String.join(",", row) + "\r\n");
    }
  }

  private static String field(String v) {
    return v.contains(",") || v.contains("\"") || v.contains("\n") || v.contains("\r")
        ? "\"" + v.replace("\"", "\"\"") + "\""
        : v;
  }

  /**
   * An array of objects, one per row, values as DuckDB renders them (numbers and booleans kept).
   */
  private static void json(ResultSet r, PrintWriter out) throws Exception {
    ResultSetMetaData meta = r.getMetaData();
    int n = meta.getColumnCount();
    JsonGenerator g = new ObjectMapper().getFactory().createGenerator(out);
    g.useDefaultPrettyPrinter();
    g.writeStartArray();
    while (r.next()) {
      g.writeStartObject();
      for (int i = 1; i <= n; i++) {
        g.writeFieldName(meta.getColumnLabel(i));
        Object v = r.getObject(i);
        if (v == null) {
          g.writeNull();
        } else if (v instanceof Boolean b) {
          g.writeBoolean(b);
        } else if (v instanceof Integer || v instanceof Long || v instanceof Short) {
          g.writeNumber(((Number) v).longValue());
        } else if (v instanceof Double || v instanceof Float) {
          g.writeNumber(((Number) v).doubleValue());
        } else {
          g.writeString(r.getString(i));
        }
      }
      g.writeEndObject();
    }
    g.writeEndArray();
    g.flush();
    out.println();
  }
}
