package io.entrawarehouse.write.duckdb;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The one way SQL that a user wrote or can change reaches DuckDB ({@code query}, the report, the
 * views a load creates). Such a connection is locked down: DuckDB's external access is off and its
 * configuration locked, so no statement can read or write a file other than the database itself (no
 * {@code COPY … TO}, {@code read_csv}, {@code ATTACH}, {@code INSTALL}), nor turn that back on. A
 * query is one statement of a reading kind, checked before DuckDB sees it (DuckDB's JDBC driver
 * runs every statement of a multi-statement string but the last at prepare time), and variables are
 * bound as typed values, never spliced into SQL. Stateless and thread-safe.
 */
public final class AnalystSql {

  /** The statement kinds a query may be: they read and write nothing. */
  public static final Set<String> READING =
      Set.of("SELECT", "WITH", "FROM", "VALUES", "DESCRIBE", "SHOW", "SUMMARIZE");

  private AnalystSql() {}

  /**
   * Opens {@code file} read-only and locked down; {@code settings} adds DuckDB options (a memory
   * limit, threads), which are locked with the rest.
   */
  public static Connection openReadOnly(Path file, Map<String, String> settings)
      throws SQLException {
    Properties p = new Properties();
    settings.forEach(p::setProperty);
    p.setProperty("duckdb.read_only", "true");
    p.setProperty("enable_external_access", "false");
    p.setProperty("lock_configuration", "true");
    return DuckDb.connect("jdbc:duckdb:" + file.toAbsolutePath(), p);
  }

  /**
   * Locks an open connection down from now on: the files it reads and writes are its database's
   * own. Used before a writable connection runs SQL it did not write itself.
   */
  public static void lockDown(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("SET enable_external_access = false");
      st.execute("SET lock_configuration = true");
    }
  }

  /**
   * {@code sql} when it is one statement of a {@link #READING} kind (an {@code EXPLAIN} of one,
   * too), without its closing semicolon.
   *
   * @throws IllegalArgumentException saying what is allowed, otherwise
   */
  public static String readingStatement(String sql) {
    int end = statementEnd(sql);
    String rest = sql.substring(Math.min(end + 1, sql.length()));
    if (end < sql.length() && !skipSpaceAndComments(rest, 0, true).isEmpty()) {
      throw new IllegalArgumentException(
          "query runs one statement; this holds more than one (a ';' before its end). Run each"
              + " on its own.");
    }
    String statement = sql.substring(0, end).strip();
    String body = skipSpaceAndComments(statement, 0, false);
    String kind = firstWord(body);
    if (kind.equals("EXPLAIN")) {
      body = skipSpaceAndComments(body, kind.length(), false);
      if (firstWord(body).equals("ANALYZE")) {
        body = skipSpaceAndComments(body, "ANALYZE".length(), false);
      }
      kind = firstWord(body);
    }
    if (!(READING.contains(kind) || body.startsWith("("))) {
      throw new IllegalArgumentException(
          "query only reads: it runs one statement of the kinds "
              + String.join(", ", READING.stream().sorted().toList())
              + " or EXPLAIN of one; this is "
              + (kind.isEmpty() ? "empty" : "a " + kind)
              + " statement.");
    }
    return statement;
  }

  /**
   * Sets a DuckDB variable to {@code value} cast to {@code type}, bound as a parameter.
   *
   * @throws IllegalArgumentException naming the variable and its type when the value is not one
   */
  public static void setVariable(Connection c, String name, String type, String value)
      throws SQLException {
    if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new IllegalArgumentException("'" + name + "' is not a variable name.");
    }
    try (PreparedStatement st =
        c.prepareStatement("SET VARIABLE " + name + " = CAST(? AS " + type + ")")) {
      st.setString(1, value);
      st.execute();
    } catch (SQLException e) {
      if (String.valueOf(e.getMessage()).startsWith("Conversion Error")) {
        throw new IllegalArgumentException(
            name + " takes " + article(type) + " " + type + ", got '" + value + "'.", e);
      }
      throw e;
    }
  }

  private static String article(String type) {
    return "AEIOU".indexOf(type.charAt(0)) >= 0 ? "an" : "a";
  }

  /** The statement's first word, upper case; empty when it starts with no letter. */
  private static String firstWord(String s) {
    int i = 0;
    while (i < s.length() && Character.isLetter(s.charAt(i))) {
      i++;
    }
    return s.substring(0, i).toUpperCase(Locale.ROOT);
  }

  /**
   * {@code s} from {@code from} on, with leading white space and comments removed; with {@code
   * semicolons}, stray semicolons too (a trailing ";;").
   */
  private static String skipSpaceAndComments(String s, int from, boolean semicolons) {
    int i = from;
    while (i < s.length()) {
      char ch = s.charAt(i);
      if (Character.isWhitespace(ch) || (semicolons && ch == ';')) {
        i++;
      } else if (s.startsWith("--", i)) {
        int nl = s.indexOf('\n', i);
        i = nl < 0 ? s.length() : nl + 1;
      } else if (s.startsWith("/*", i)) {
        int close = s.indexOf("*/", i + 2);
        i = close < 0 ? s.length() : close + 2;
      } else {
        break;
      }
    }
    return s.substring(i);
  }

  /**
   * Where the first statement ends: the index of the first ';' outside quotes, comments and
   * dollar-quoted strings, or the length of {@code sql}.
   */
  static int statementEnd(String sql) {
    int i = 0;
    while (i < sql.length()) {
      char ch = sql.charAt(i);
      if (ch == ';') {
        return i;
      } else if (ch == '\'' || ch == '"') {
        i = closing(sql, i + 1, ch);
      } else if (sql.startsWith("--", i)) {
        int nl = sql.indexOf('\n', i);
        i = nl < 0 ? sql.length() : nl + 1;
      } else if (sql.startsWith("/*", i)) {
        int close = sql.indexOf("*/", i + 2);
        i = close < 0 ? sql.length() : close + 2;
      } else if (ch == '$' && dollarTag(sql, i) != null) {
        String tag = dollarTag(sql, i);
        int close = sql.indexOf(tag, i + tag.length());
        i = close < 0 ? sql.length() : close + tag.length();
      } else {
        i++;
      }
    }
    return sql.length();
  }

  /** After a quote opened by {@code quote}: the index past its closing one ('' is an escape). */
  private static int closing(String sql, int i, char quote) {
    while (i < sql.length()) {
      if (sql.charAt(i) == quote) {
        if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
          i += 2;
          continue;
        }
        return i + 1;
      }
      i++;
    }
    return sql.length();
  }

  /** A dollar quote's opening tag at {@code i} ({@code $$} or {@code $name$}), or null. */
  private static String dollarTag(String sql, int i) {
    int j = i + 1;
    while (j < sql.length() && (Character.isLetterOrDigit(sql.charAt(j)) || sql.charAt(j) == '_')) {
      j++;
    }
    return j < sql.length() && sql.charAt(j) == '$' ? sql.substring(i, j + 1) : null;
  }
}
