package io.entrawarehouse.write.duckdb;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * The analysts' views, {@code sql/views/<name>.sql} (shipped in the jar): each file is one SELECT,
 * runnable as it is in the DuckDB CLI, whose first comment line says what it answers. Every load
 * creates them in the warehouse as views of the same name, with that line as the view's comment;
 * {@code _functions.sql} holds the macros they share and runs first.
 */
public final class Views {

  private static final Logger log = LoggerFactory.getLogger(Views.class);

  /** One shipped view: its name, what it answers, and its SELECT. */
  public record View(String name, String summary, String select) {}

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
      views.put(e.getKey(), new View(e.getKey(), first.substring(3).strip(), select));
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
      log.info(
          "Views not created until their tables are loaded: {}",
          String.join(", ", failures.keySet()));
      failures.forEach((name, why) -> log.debug("View {} not created: {}", name, why));
    }
  }

  private static Map<String, String> files() {
    try {
      Resource[] found =
          new PathMatchingResourcePatternResolver(Views.class.getClassLoader())
              .getResources("classpath*:sql/views/*.sql");
      Arrays.sort(found, Comparator.comparing(Resource::getFilename));
      Map<String, String> texts = new LinkedHashMap<>();
      for (Resource r : found) {
        String name = r.getFilename().substring(0, r.getFilename().length() - ".sql".length());
        try (InputStream in = r.getInputStream()) {
          texts.putIfAbsent(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
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
