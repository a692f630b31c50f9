package io.entrawarehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.SimulatorTenants;
import io.entrawarehouse.simulator.TenantScale;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code run}, {@code status} and {@code restart} through the command line, with bad input. */
class RunCommandTest {

  static GraphSimulator simulator;
  @TempDir Path dir;
  final Cli cli = new Cli();
  final Map<String, String> properties = cli.properties;

  @BeforeAll
  static void start() {
    simulator =
        GraphSimulator.start(
            SimulatorSettings.builder().scale(TenantScale.TINY).throttling(false).build());
  }

  @AfterAll
  static void stop() {
    simulator.close();
  }

  @BeforeEach
  void configure() throws Exception {
    Path pem = dir.resolve("simulator.pem");
    Files.writeString(pem, simulator.certificatePem(), StandardCharsets.US_ASCII);
    properties.put("entra.warehouse.directory", dir.resolve("warehouse").toString());
    properties.putAll(SimulatorTenants.properties("entra.tenant.", simulator));
    properties.put("entra.tenant.client-secret", SimulatorSettings.DEMO_CLIENT_SECRET);
    properties.put("entra.graph.trust-certificate", pem.toString());
    properties.put("entra.graph.max-attempts", "2");
    properties.put("entra.graph.max-backoff", "1s");
  }

  @AfterEach
  void clear() {
    cli.clear();
  }

  private Cli.Run run(String... args) {
    return cli.run(args);
  }

  private long users() throws Exception {
    try (Connection c =
            DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("warehouse/entra.duckdb"));
        ResultSet r = c.createStatement().executeQuery("SELECT count(*) FROM users")) {
      r.next();
      return r.getLong(1);
    }
  }

  @Test
  void runPrintsASummaryAndStatusShowsTheSteps() throws Exception {
    Cli.Run run = run("run", "entities=users,devices");

    assertThat(run.exit()).as(run.all()).isZero();
    assertThat(run.out())
        .contains("directory-load COMPLETED")
        .containsPattern("users\\s+40")
        .containsPattern("devices\\s+30")
        .contains("entra.duckdb");
    Cli.Run status = run("status");
    assertThat(status.out()).contains("COMPLETED").containsPattern("users\\s+COMPLETED read\\s+40");
    assertThat(run("restart").out()).contains("nothing to restart");
  }

  @Test
  void theSameLaunchAfterItCompletedIsANoOpThatSaysSo() throws Exception {
    assertThat(run("run", "entities=users").exit()).isZero();
    long usersServed = simulator.stats().requests("users");

    Cli.Run again = run("run", "entities=users");

    assertThat(again.exit()).as(again.all()).isZero();
    assertThat(again.out())
        .contains("already COMPLETED for these parameters (load 1,")
        .contains("change run.date")
        .containsPattern("users\\s+40");
    assertThat(again.err()).doesNotContain("already exists and is complete");
    assertThat(simulator.stats().requests("users")).isEqualTo(usersServed);
    assertThat(users()).isEqualTo(40);
    // The DuckDB file removed since: said, and not recreated empty.
    Files.delete(dir.resolve("warehouse/entra.duckdb"));
    Cli.Run removed = run("run", "entities=users");
    assertThat(removed.exit()).as(removed.all()).isZero();
    assertThat(removed.out()).contains("The DuckDB file holds no record of load 1");
    assertThat(dir.resolve("warehouse/entra.duckdb")).doesNotExist();
    Cli.Run nextDay = run("run", "entities=users", "run.date=2030-01-02");
    assertThat(nextDay.out()).as(nextDay.all()).contains("directory-load COMPLETED");
  }

  @Test
  void anUnknownEntityIsRefusedBeforeAnythingRuns() {
    Cli.Run run = run("run", "entities=users,usrs");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("Unknown entity 'usrs'").contains("group_members");
    assertThat(Files.exists(dir.resolve("warehouse/entra.duckdb"))).isFalse();
  }

  @Test
  void aFilterGraphRejectsFailsWithGraphsMessageAndKeepsWhatWasLoaded() throws Exception {
    assertThat(run("run", "entities=users").exit()).isZero();
    assertThat(users()).isEqualTo(40);

    Cli.Run bad = run("run", "entities=users", "filter.users=displayName eqq 'x'");

    assertThat(bad.exit()).isEqualTo(1);
    assertThat(bad.err())
        .contains("Graph rejected the query for users")
        .contains("Invalid filter clause")
        .contains("filter");
    assertThat(users()).isEqualTo(40);
  }

  @Test
  void aWrongSecretNamesTheFixAndIsNotPrinted() {
    properties.put("entra.tenant.client-secret", "wrong-secret-value");
    Cli.Run run = run("run", "entities=users");
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err()).contains("AADSTS7000215").contains("AZURE_CLIENT_SECRET");
    assertThat(run.all()).doesNotContain("wrong-secret-value");
    Cli.Run check = run("check");
    assertThat(check.exit()).isEqualTo(1);
    assertThat(check.err()).contains("Token: FAILED").contains("AADSTS7000215");
    assertThat(check.all()).doesNotContain("wrong-secret-value");
  }

  @Test
  void anUnreachableEndpointSaysWhatToCheck() {
    properties.put("entra.tenant.graph-url", "https://127.0.0.1:9/v1.0");
    Cli.Run run = run("run", "entities=users");
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err())
        .contains("Cannot connect to https://127.0.0.1:9/v1.0")
        .contains("graph-url");
  }

  @Test
  void aSecondRunWhileOneHoldsTheWarehouseIsRefused() throws Exception {
    Path warehouse = dir.resolve("warehouse");
    Files.createDirectories(warehouse);
    try (FileChannel channel =
            FileChannel.open(
                warehouse.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock held = channel.lock()) {
      Cli.Run run = run("run", "entities=users");
      assertThat(run.exit()).isEqualTo(3);
      assertThat(run.err()).contains("Another run holds the warehouse");
    }
  }

  @Test
  void aDirectoryEntityThatFailsDoesNotStopTheLogs() throws Exception {
    // Directory entities and logs are read side by side: a filter Graph rejects fails the users
    // and the run, and the audits are loaded all the same (read one after the other, they never
    // were).
    Cli.Run run = run("run", "entities=users,directory_audits", "filter.users=displayName eqq 'x'");

    assertThat(run.exit()).as(run.all()).isEqualTo(1);
    assertThat(run.err()).contains("users").contains("filter");
    try (Connection c =
            DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("warehouse/entra.duckdb"));
        ResultSet r =
            c.createStatement()
                .executeQuery(
                    "SELECT (SELECT count(*) FROM directory_audits),"
                        + " (SELECT count(*) FROM information_schema.tables"
                        + "  WHERE table_name = 'users')")) {
      r.next();
      assertThat(r.getLong(1)).as("audits loaded").isPositive();
      assertThat(r.getLong(2)).as("no users table: no user was loaded").isZero();
    }
    Cli.Run status = run("status");
    assertThat(status.out())
        .containsPattern("directory_audits-load\\s+COMPLETED")
        .containsPattern("users\\s+FAILED");
  }

  @Test
  void checkPrintsOneRowPerEntityWithTheFixForADeniedPermission() throws Exception {
    try (GraphSimulator denying =
        GraphSimulator.start(
            SimulatorSettings.builder()
                .scale(TenantScale.TINY)
                .throttling(false)
                .deny("Device.Read.All")
                .deny("Directory.Read.All")
                .deny("AuditLog.Read.All")
                .build())) {
      properties.putAll(SimulatorTenants.properties("entra.tenant.", denying));

      Cli.Run check = run("check", "entities=users,devices,sign_ins");

      assertThat(check.exit()).as(check.all()).isEqualTo(1);
      assertThat(check.out())
          .containsPattern("users\\s+User.Read.All\\s+yes\\s+ok")
          .containsPattern(
              "devices\\s+Device.Read.All\\s+no\\s+FAILED\\s+add Device.Read.All and grant admin consent")
          .containsPattern("sign_ins\\s+AuditLog.Read.All \\+ Directory.Read.All\\s+no\\s+FAILED");
      assertThat(check.all())
          .doesNotContain(SimulatorSettings.DEMO_CLIENT_SECRET)
          .doesNotContain("eyJ");
    }
    properties.putAll(SimulatorTenants.properties("entra.tenant.", simulator));
    Cli.Run healthy = run("check");
    assertThat(healthy.exit()).as(healthy.all()).isZero();
    assertThat(healthy.out()).doesNotContain("FAILED").contains("group_members");
  }
}
