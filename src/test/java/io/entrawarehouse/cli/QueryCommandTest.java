package io.entrawarehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.SimulatorTenants;
import io.entrawarehouse.simulator.TenantScale;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
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
    Path pem = dir.resolve("simulator.pem");
    Files.writeString(pem, simulator.certificatePem(), StandardCharsets.US_ASCII);
    cli.properties.put("entra.warehouse.directory", dir.resolve("warehouse").toString());
    cli.properties.putAll(SimulatorTenants.properties("entra.tenant.", simulator));
    cli.properties.put("entra.tenant.client-secret", SimulatorSettings.DEMO_CLIENT_SECRET);
    cli.properties.put("entra.graph.trust-certificate", pem.toString());
    Cli.Run run = cli.run("run", "entities=users,applications,service_principals,app_credentials");
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
      Map<String, Object> user = simulator.tenant().user(u);
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
  void csvAndJsonRowsEqualTheTenants() throws Exception {
    String sql = "SELECT id, display_name, account_enabled FROM users ORDER BY id";
    Cli.Run csv = cli.run("query", sql, "--format", "csv");
    assertThat(csv.exit()).as(csv.all()).isZero();
    List<String> lines = List.of(csv.out().split("\r\n"));
    assertThat(lines.get(0)).isEqualTo("id,display_name,account_enabled");
    List<String> expected = new ArrayList<>();
    for (int u = 0; u < simulator.tenant().scale().users(); u++) {
      Map<String, Object> user = simulator.tenant().user(u);
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
  void aQuestionByNameRunsTheShippedSql() {
    Cli.Run r = cli.run("query", "credentials-expiring", "--format", "csv");
    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.out())
        .startsWith(
            "tenant_id,owner_kind,owner,credential_type,display_name,key_id,end_date_time,expired");
  }

  @Test
  void everyShippedQuestionIsNamed() throws Exception {
    try (Stream<Path> files = Files.list(Path.of("sql/questions"))) {
      assertThat(files.map(p -> p.getFileName().toString().replace(".sql", "")).sorted())
          .containsExactlyElementsOf(QueryCommand.QUESTIONS);
    }
  }

  @Test
  void anUnknownTableIsNamedWithTheTablesThereAre() {
    Cli.Run r = cli.run("query", "SELECT * FROM userz");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err())
        .contains("userz")
        .contains(
            "Tables: _loads, app_credentials, applications, applications_history,"
                + " service_principals, service_principals_history, users, users_history")
        .contains("Questions: account-disabled, admins-without-mfa,");
    assertThat(cli.run("query", "SELECT 1", "--format", "xml").err())
        .contains("--format must be table, csv or json, got 'xml'.");
  }

  @Test
  void itReadsWhileAnotherSessionHoldsTheFileReadOnly() throws Exception {
    Properties readOnly = new Properties();
    readOnly.setProperty("duckdb.read_only", "true");
    try (Connection analyst =
        DriverManager.getConnection(
            "jdbc:duckdb:" + dir.resolve("warehouse/entra.duckdb"), readOnly)) {
      Cli.Run r = cli.run("query", "SELECT count(*) AS n FROM applications");
      assertThat(r.exit()).as(r.all()).isZero();
      assertThat(r.out()).contains("\n" + simulator.tenant().applications() + "\n");
    }
  }
}
