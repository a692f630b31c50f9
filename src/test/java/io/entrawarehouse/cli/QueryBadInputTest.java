package io.entrawarehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.TenantScale;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code query} with hostile input: every statement that would write or read a file, change a
 * setting or run a second statement is refused (exit 2), and the warehouse and the file system
 * around it are byte-for-byte what they were.
 */
class QueryBadInputTest {

  static GraphSimulator simulator;
  @TempDir static Path dir;
  static final Cli cli = new Cli();
  static Path warehouse;
  static Path outside;
  static Path db;

  @BeforeAll
  static void load() throws Exception {
    simulator =
        GraphSimulator.start(
            SimulatorSettings.builder().scale(TenantScale.TINY).throttling(false).build());
    cli.against(simulator, dir);
    Cli.Run run = cli.run("run");
    assertThat(run.exit()).as(run.all()).isZero();
    warehouse = dir.resolve("warehouse");
    db = warehouse.resolve("entra.duckdb");
    outside = Files.createDirectories(dir.resolve("elsewhere"));
    Files.writeString(outside.resolve("secret.csv"), "name\nthe-outside-secret\n");
  }

  @AfterAll
  static void stop() {
    simulator.close();
    cli.clear();
  }

  /** Every file under {@code dir} (the warehouse, the lake and the folder beside) by its hash. */
  private static Map<String, String> tree() throws Exception {
    Map<String, String> files = new TreeMap<>();
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.filter(Files::isRegularFile).toList()) {
        files.put(dir.relativize(p).toString(), HexFormat.of().formatHex(sha.digest(bytes(p))));
      }
    }
    return files;
  }

  private static byte[] bytes(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs {@code args}, expecting a refusal that says {@code why}, and nothing changed. */
  private static Cli.Run refused(String why, String... args) throws Exception {
    Map<String, String> before = tree();
    Cli.Run r = cli.run(args);
    assertThat(r.exit()).as(r.all()).isEqualTo(2);
    assertThat(r.err()).as(String.join(" ", args)).contains(why);
    assertThat(r.all()).doesNotContain("the-outside-secret");
    assertThat(tree()).as(String.join(" ", args)).isEqualTo(before);
    return r;
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "COPY users TO '{outside}/leak.csv'",
        "COPY users TO '{db}'",
        "COPY (SELECT * FROM sign_ins) TO '{lake}/leak.parquet' (FORMAT parquet)",
        "ATTACH '{outside}/new.duckdb' AS other",
        "INSTALL httpfs",
        "LOAD json",
        "SET enable_external_access = true",
        "SET memory_limit = '1GB'",
        "PRAGMA enable_profiling",
        "CALL pragma_version()",
        "EXPORT DATABASE '{outside}/export'",
        "CREATE TEMP TABLE t AS SELECT 1",
        "EXPLAIN ANALYZE COPY users TO '{outside}/leak.csv'",
        "  /* a comment first */ -- and another\n DELETE FROM users",
        "",
      })
  void aStatementThatIsNotAReadIsRefusedBeforeDuckDbSeesIt(String statement) throws Exception {
    Cli.Run r = refused("query only reads", "query", paths(statement));
    assertThat(r.err()).contains("Nothing was run.");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "SELECT 1; COPY users TO '{outside}/leak.csv'",
        "SELECT count(*) FROM users; DROP TABLE users",
        "SELECT ';' AS a; SELECT 2 -- the first ; is quoted",
      })
  void moreThanOneStatementIsRefused(String statement) throws Exception {
    refused("one statement", "query", paths(statement));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "SELECT * FROM read_csv('{outside}/secret.csv')",
        "SELECT content FROM read_text('{outside}/secret.csv')",
        "SELECT * FROM read_parquet('{lake}/**/*.parquet')",
        "SELECT * FROM glob('{outside}/*')",
        "WITH f AS (SELECT * FROM read_csv_auto('{outside}/secret.csv')) SELECT * FROM f",
      })
  void aReadOfAFileOutsideTheDatabaseIsRefusedByDuckDb(String statement) throws Exception {
    refused("file system operations are disabled", "query", paths(statement));
  }

  @Test
  void aVariableIsAValueNeverSql() throws Exception {
    Path injected = outside.resolve("inj.csv");
    Cli.Run r =
        refused(
            "stale_days takes an INTEGER, got '30; COPY users TO",
            "query",
            "stale_devices",
            "--set",
            "stale_days=30; COPY users TO '" + injected + "'");
    assertThat(injected).doesNotExist();
    assertThat(r.out()).isEmpty();

    // A string with quotes and a semicolon is a value: it matches no group, and runs nothing.
    Map<String, String> before = tree();
    Cli.Run quoted =
        cli.run(
            "query",
            "effective_members",
            "--set",
            "group_name=x'; COPY users TO '" + injected + "'; --",
            "--format",
            "csv");
    assertThat(quoted.exit()).as(quoted.all()).isZero();
    assertThat(quoted.out().split("\r\n")).hasSize(1); // the header: no group has that name
    assertThat(tree()).isEqualTo(before);
    assertThat(injected).doesNotExist();
  }

  @Test
  void boundVariablesGiveWhatSetVariableGives() throws Exception {
    String group = (String) simulator.tenant().groups().group(1).get("displayName");
    assertThat(viaCli("stale_devices", "--set", "stale_days=30"))
        .isEqualTo(direct("SET VARIABLE stale_days = 30", "stale_devices"))
        .isNotEqualTo(direct("SET VARIABLE stale_days = 200", "stale_devices"));
    String sqlSpelling = viaCli("effective_members", "--set", "group_name='" + group + "'");
    assertThat(sqlSpelling)
        .isEqualTo(viaCli("effective_members", "--set", "group_name=" + group))
        .isEqualTo(
            direct(
                "SET VARIABLE group_name = '" + group.replace("'", "''") + "'",
                "effective_members"));
    assertThat(sqlSpelling.lines().count()).isGreaterThan(1);
    assertThat(
            viaCli(
                "inactive_users",
                "--set",
                "as_of=TIMESTAMPTZ '2026-11-24 00:00:00+00'",
                "--set",
                "inactive_days=7"))
        .isEqualTo(
            direct(
                "SET VARIABLE as_of = TIMESTAMPTZ '2026-11-24 00:00:00+00';"
                    + " SET VARIABLE inactive_days = 7",
                "inactive_users"));
  }

  @Test
  void anUnknownVariableIsRefusedNamingWhatEachViewReads() throws Exception {
    Cli.Run r =
        refused(
            "--set nosuch: the view stale_devices reads no such variable",
            "query",
            "stale_devices",
            "--set",
            "nosuch=1");
    assertThat(r.err())
        .contains("it reads as_of, stale_days.")
        .contains("\n  stale_devices: as_of TIMESTAMPTZ, stale_days INTEGER")
        .contains("\n  effective_members: group_name VARCHAR");
    refused(
        "no view reads it, nor getvariable('nosuch') in this SQL",
        "query",
        "SELECT 1",
        "--set",
        "nosuch=1");
    Cli.Run own =
        cli.run(
            "query", "SELECT getvariable('mine') AS v", "--set", "mine=it's", "--format", "csv");
    assertThat(own.exit()).as(own.all()).isZero();
    assertThat(own.out()).isEqualTo("v\r\nit's\r\n");
  }

  private static String paths(String statement) {
    return statement
        .replace("{outside}", outside.toString())
        .replace("{db}", db.toString())
        .replace("{lake}", warehouse.resolve("lake").toString());
  }

  private static String viaCli(String view, String... set) {
    List<String> args = new ArrayList<>(List.of("query", view));
    args.addAll(List.of(set));
    args.addAll(List.of("--format", "csv"));
    Cli.Run r = cli.run(args.toArray(String[]::new));
    assertThat(r.exit()).as(r.all()).isZero();
    return r.out().replace("\r\n", "\n");
  }

  /** The view's rows, as CSV, with the variables set by SQL on a connection of the test's own. */
  private static String direct(String set, String view) throws Exception {
    Properties readOnly = new Properties();
    readOnly.setProperty("duckdb.read_only", "true");
    StringBuilder csv = new StringBuilder();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db, readOnly);
        Statement st = c.createStatement()) {
      for (String s : set.split(";")) {
        st.execute(s);
      }
      try (ResultSet r = st.executeQuery("SELECT * FROM " + view)) {
        int n = r.getMetaData().getColumnCount();
        List<String> header = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          header.add(r.getMetaData().getColumnLabel(i));
        }
        csv.append(String.join(",", header)).append('\n');
        while (r.next()) {
          List<String> row = new ArrayList<>();
          for (int i = 1; i <= n; i++) {
            String v = r.getString(i);
            row.add(v == null ? "" : v.contains(",") ? "\"" + v.replace("\"", "\"\"") + "\"" : v);
          }
          csv.append(String.join(",", row)).append('\n');
        }
      }
    }
    return csv.toString();
  }
}
