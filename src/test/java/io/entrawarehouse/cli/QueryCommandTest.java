package io.entrawarehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.TenantScale;
import io.entrawarehouse.write.duckdb.AnalystSql;
import io.entrawarehouse.write.duckdb.Views;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code query}: rows as a table, CSV or JSON, equal to the tenant's; errors that list tables. */
class QueryCommandTest {

  static GraphSimulator simulator;
  @TempDir static Path dir;
  static final Cli cli = new Cli();

  @BeforeAll
  static void load() throws Exception {
    simulator =
        GraphSimulator.start(
            SimulatorSettings.builder().scale(TenantScale.TINY).throttling(false).build());
    cli.against(simulator, dir);
    Cli.Run run = cli.run("run");
    assertThat(run.exit()).as(run.all()).isZero();
  }

  @AfterAll
  static void stop() {
    simulator.close();
    cli.clear();
  }

  @AfterEach
  void flush() {
    // each test reads what it printed from its own Run
  }

  /** The tenant's users, id to display name, sorted by id: the expected answer. */
  private static TreeMap<String, String> users() {
    TreeMap<String, String> users = new TreeMap<>();
    for (int u = 0; u < simulator.tenant().scale().users(); u++) {
      Map<String, Object> user = simulator.tenant().people().user(u);
      users.put((String) user.get("id"), (String) user.get("displayName"));
    }
    return users;
  }

  @Test
  void aTableWithAlignedColumnsAndTheRowCount() {
    Cli.Run r = cli.run("query", "SELECT count(*) AS users, count(DISTINCT id) AS ids FROM users");
    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.out()).isEqualTo("users  ids\n-----  ---\n40     40\n(1 row)\n");
  }

  @Test
  void aWarehouseNamedOnlyInAConfigurationFileIsFoundAsTheLoadFoundIt() throws Exception {
    // given the warehouse's directory set only in a configuration file Spring Boot reads
    Path yml = dir.resolve("settings.yml");
    Files.writeString(
        yml, "entra:\n  warehouse:\n    directory: '" + dir.resolve("warehouse") + "'\n");
    Cli fromFile = new Cli();
    fromFile.properties.put("spring.config.additional-location", "file:" + yml);
    // when query reads the settings, then it takes the file's word, not the default directory
    assertThat(
            RunSettings.with(fromFile.properties, WarehouseLocation::configurationFiles).isEmpty())
        .isFalse();
    Cli.Run r = fromFile.run("query", "SELECT count(*) AS users FROM users");
    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.out()).isEqualTo("users\n-----\n40\n(1 row)\n");
    // and with no file nor location, the run's settings alone name the warehouse, as Spring would
    assertThat(RunSettings.with(cli.properties, WarehouseLocation::configurationFiles)).isEmpty();
    assertThat(
            RunSettings.with(
                cli.properties,
                () -> SpringBootstrap.properties(new PrintWriter(new StringWriter()))))
        .extracting(p -> p.warehouse().duckdbFile())
        .isEqualTo(
            RunSettings.with(cli.properties, WarehouseLocation::duckDbWithoutConfigurationFiles));
  }

  @Test
  void csvAndJsonRowsEqualTheTenants() throws Exception {
    String sql = "SELECT id, display_name, account_enabled FROM users ORDER BY id";
    Cli.Run csv = cli.run("query", sql, "--format", "csv");
    assertThat(csv.exit()).as(csv.all()).isZero();
    List<String> lines = List.of(csv.out().split("\r\n"));
    assertThat(lines.get(0)).isEqualTo("id,display_name,account_enabled");
    List<String> expected = new ArrayList<>();
    for (int u = 0; u < simulator.tenant().scale().users(); u++) {
      Map<String, Object> user = simulator.tenant().people().user(u);
      expected.add(
          user.get("id") + "|" + user.get("displayName") + "|" + user.get("accountEnabled"));
    }
    expected.sort(null);
    List<String> fromCsv = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",", -1);
      fromCsv.add(f[0] + "|" + f[1] + "|" + f[2]);
    }
    assertThat(fromCsv).isEqualTo(expected);

    Cli.Run json = cli.run("query", sql, "--format", "json");
    assertThat(json.exit()).as(json.all()).isZero();
    JsonNode rows = new ObjectMapper().readTree(json.out());
    List<String> fromJson = new ArrayList<>();
    rows.forEach(
        row ->
            fromJson.add(
                row.get("id").asText()
                    + "|"
                    + row.get("display_name").asText()
                    + "|"
                    + row.get("account_enabled").booleanValue()));
    assertThat(fromJson).isEqualTo(expected);
    assertThat(rows.get(0).get("account_enabled").isBoolean()).isTrue();
    assertThat(users()).hasSize(rows.size());
  }

  @Test
  void aViewByNameIsTheViewsRows() {
    Cli.Run r = cli.run("query", "credentials_expiring", "--format", "csv");
    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.out())
        .startsWith(
            "tenant_id,owner_kind,owner,credential_type,display_name,key_id,end_date_time,expired");
    Cli.Run direct = cli.run("query", "SELECT * FROM credentials_expiring", "--format", "csv");
    assertThat(r.out()).isEqualTo(direct.out());
  }

  @Test
  void everyShippedViewIsCreatedWithItsOneLineComment() throws Exception {
    List<String> files;
    try (Stream<Path> list = Files.list(Path.of("sql/views"))) {
      files =
          list.map(p -> p.getFileName().toString().replace(".sql", ""))
              .filter(n -> !n.startsWith("_"))
              .sorted()
              .toList();
    }
    Cli.Run r = cli.run("query", "views", "--format", "json");
    assertThat(r.exit()).as(r.all()).isZero();
    List<String> created = new ArrayList<>();
    for (JsonNode row : new ObjectMapper().readTree(r.out())) {
      String name = row.get("view").asText();
      String first = Files.readAllLines(Path.of("sql/views/" + name + ".sql")).get(0);
      assertThat(first).isEqualTo("-- " + row.get("answers").asText());
      created.add(name);
    }
    assertThat(created).isEqualTo(files);
    // and the table format prints each description whole, not cut as other cells are
    Cli.Run table = cli.run("query", "views");
    for (String name : files) {
      String first = Files.readAllLines(Path.of("sql/views/" + name + ".sql")).get(0);
      assertThat(table.out()).contains(first.substring(3));
    }
  }

  /**
   * Every view, and SQL of the analyst's own, answered in each format while another process loads
   * the warehouse: the same answers as before the load began (the tenant did not change).
   */
  @Test
  void everyViewAndArbitrarySqlAnswerWhileALoadRuns() throws Exception {
    List<String> views = new ArrayList<>(Views.all().keySet());
    Map<String, String> before = new TreeMap<>();
    String[] formats = {"table", "csv", "json"};
    for (String view : views) {
      for (String format : formats) {
        before.put(view + " " + format, cli.run("query", view, "--format", format).out());
      }
    }
    String sql = "SELECT user_type, count(*) AS n FROM users GROUP BY ALL ORDER BY ALL";
    for (String format : formats) {
      before.put(sql + " " + format, cli.run("query", sql, "--format", format).out());
    }
    Map<String, String> properties = new TreeMap<>(cli.properties);
    properties.put("entra.warehouse.chunk-size", "5");
    Path log = dir.resolve("second-run.log");
    Process run = Processes.start(properties, Map.of(), log, "run");
    int during = 0;
    try {
      int k = 0;
      while (run.isAlive() || k < before.size()) {
        String key = new ArrayList<>(before.keySet()).get(k % before.size());
        String what = key.substring(0, key.lastIndexOf(' '));
        String format = key.substring(key.lastIndexOf(' ') + 1);
        boolean alive = run.isAlive();
        Cli.Run r = cli.run("query", what, "--format", format);
        assertThat(r.exit()).as(key + ": " + r.all()).isZero();
        if (!key.startsWith("devices_appeared") && !key.startsWith("group_members_on")) {
          // The two history views date rows by load; the second load adds none.
          assertThat(r.out()).as(key).isEqualTo(before.get(key));
        }
        during += alive && run.isAlive() ? 1 : 0;
        k++;
      }
      assertThat(Processes.ended(run)).isTrue();
      assertThat(run.exitValue()).as(Files.readString(log)).isZero();
      assertThat(during).as("queries answered while the load ran").isGreaterThan(views.size());
    } finally {
      run.destroyForcibly();
    }
  }

  @Test
  void anUnknownTableIsNamedWithTheTablesThereAre() {
    Cli.Run r = cli.run("query", "SELECT * FROM userz");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err())
        .contains("userz")
        .contains(
            "Tables: _loads, app_credentials, app_role_assignments, applications,"
                + " applications_history, auth_method_registrations,")
        .contains("Views: accounts_disabled, admins_without_mfa,");
    assertThat(cli.run("query", "SELECT 1", "--format", "xml").err())
        .contains("--format must be table, csv or json, got 'xml'.");
  }

  @Test
  void itReadsWhileAnotherSessionHoldsTheFileReadOnly() throws Exception {
    // In one JVM, DuckDB shares one database per file and refuses a second configuration, so the
    // analyst's session here is opened as query opens its own; in another process any read-only
    // configuration does.
    try (Connection analyst =
        AnalystSql.openReadOnly(dir.resolve("warehouse/entra.duckdb"), Map.of())) {
      Cli.Run r = cli.run("query", "SELECT count(*) AS n FROM applications");
      assertThat(r.exit()).as(r.all()).isZero();
      assertThat(r.out()).contains("\n" + simulator.tenant().apps().applications() + "\n");
    }
  }
}
