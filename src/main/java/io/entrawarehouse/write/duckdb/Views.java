package io.entrawarehouse.write.duckdb;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The analysts' views, {@code sql/views/<name>.sql} (shipped in the jar): each file is one SELECT,
 * runnable as it is in the DuckDB CLI, whose first comment line says what it answers. Every load
 * creates them in the warehouse as views of the same name, with that line as the view's comment;
 * {@code _functions.sql} holds the macros they share and runs first.
 */
public final class Views {

  /**
   * One shipped view: its name, what it answers, its SELECT, and the variables it reads ({@code
   * getvariable('…')}) by name, with their DuckDB types.
   */
  public record View(String name, String summary, String select, Map<String, String> variables) {}

  /**
   * The variables the views read, with their types: one meaning per name across all views. A view
   * that reads one not declared here fails the build's tests ({@link #all()} refuses it).
   */
  public static final Map<String, String> VARIABLES =
      Map.of(
          "as_of", "TIMESTAMPTZ",
          "stale_days", "INTEGER",
          "inactive_days", "INTEGER",
          "expiry_days", "INTEGER",
          "group_name", "VARCHAR",
          "group_ref", "VARCHAR",
          "user_ref", "VARCHAR");

  private static final Pattern GETVARIABLE = Pattern.compile("getvariable\\(\\s*'([^']*)'\\s*\\)");

  /**
   * The variables {@code sql} reads by {@code getvariable('name')}, in the order it first names
   * them, typed as {@link #VARIABLES} declares them; VARCHAR otherwise.
   */
  public static Map<String, String> variablesRead(String sql) {
    Map<String, String> read = new LinkedHashMap<>();
    Matcher m = GETVARIABLE.matcher(sql);
    while (m.find()) {
      read.putIfAbsent(m.group(1), VARIABLES.getOrDefault(m.group(1), "VARCHAR"));
    }
    return read;
  }

  private static final String FUNCTIONS = "_functions";

  private Views() {}

  /** The shipped views by name, in name order. */
  public static Map<String, View> all() {
    return views(files());
  }

  private static Map<String, View> views(Map<String, String> files) {
    Map<String, View> views = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : files.entrySet()) {
      if (e.getKey().equals(FUNCTIONS)) {
        continue;
      }
      String text = e.getValue();
      String first = text.lines().findFirst().orElse("");
      if (!first.startsWith("-- ")) {
        throw new IllegalStateException(
            "sql/views/" + e.getKey() + ".sql must begin with a one-line '-- ' comment");
      }
      String select = text.strip();
      if (select.endsWith(";")) {
        select = select.substring(0, select.length() - 1);
      }
      Map<String, String> variables = variablesRead(select);
      for (String name : variables.keySet()) {
        if (!VARIABLES.containsKey(name)) {
          throw new IllegalStateException(
              "sql/views/"
                  + e.getKey()
                  + ".sql reads the variable '"
                  + name
                  + "', which Views.VARIABLES does not declare with its type");
        }
      }
      views.put(e.getKey(), new View(e.getKey(), first.substring(3).strip(), select, variables));
    }
    return views;
  }

  /**
   * Creates (or replaces) the macros and every view whose tables exist; a view that needs a table
   * no load has written yet is left out and named in the log. Views over other views are created
   * after them, whatever their names.
   */
  public static void create(Connection c) throws SQLException {
    Map<String, String> files = files();
    try (Statement st = c.createStatement()) {
      st.execute(files.get(FUNCTIONS));
    }
    List<View> pending = new ArrayList<>(views(files).values());
    Map<String, String> failures = new LinkedHashMap<>();
    boolean progress = true;
    while (!pending.isEmpty() && progress) {
      progress = false;
      failures.clear();
      for (var it = pending.iterator(); it.hasNext(); ) {
        View v = it.next();
        try (Statement st = c.createStatement()) {
          st.execute("CREATE OR REPLACE VIEW " + v.name() + " AS\n" + v.select());
          st.execute(
              "COMMENT ON VIEW " + v.name() + " IS '" + v.summary().replace("'", "''") + "'");
          it.remove();
          progress = true;
        } catch (SQLException e) {
          failures.put(v.name(), e.getMessage().lines().findFirst().orElse(e.getMessage()));
        }
      }
    }
    if (!failures.isEmpty()) {
      // Fetched here, not held in a static: 'query' reads the views without ever starting logging,
      // whose set-up reads the service files of every nested jar of the executable jar.
      Logger log = LoggerFactory.getLogger(Views.class);
      log.info(
          "Views not created until their tables are loaded: {}",
          String.join(", ", failures.keySet()));
      failures.forEach((name, why) -> log.debug("View {} not created: {}", name, why));
    }
  }

  /**
   * The view files by name, in name order: those {@code sql/views/index} lists (the build writes
   * it), read from the class path one by one.
   */
  private static Map<String, String> files() {
    ClassLoader loader = Views.class.getClassLoader();
    try (InputStream index = loader.getResourceAsStream("sql/views/index")) {
      if (index == null) {
        throw new IllegalStateException("missing sql/views/index in the build");
      }
      Map<String, String> texts = new TreeMap<>();
      for (String file : new String(index.readAllBytes(), StandardCharsets.UTF_8).split("\\R")) {
        if (file.isBlank()) {
          continue;
        }
        try (InputStream in = loader.getResourceAsStream("sql/views/" + file.strip())) {
          if (in == null) {
            throw new IllegalStateException("missing sql/views/" + file + " in the build");
          }
          texts.put(
              file.strip().substring(0, file.strip().length() - ".sql".length()),
              new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
      }
      if (!texts.containsKey(FUNCTIONS)) {
        throw new IllegalStateException("missing sql/views/_functions.sql in the build");
      }
      return texts;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
