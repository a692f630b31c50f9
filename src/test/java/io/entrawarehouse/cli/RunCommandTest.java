package io.entrawarehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrawarehouse.job.JobRepositoryConfiguration;
import io.entrawarehouse.job.LakeReads;
import io.entrawarehouse.simulator.DemoTenant;
import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.SimulatorTenants;
import io.entrawarehouse.simulator.TenantScale;
import io.entrawarehouse.warehouse.Entities;
import io.entrawarehouse.warehouse.Entity;
import io.entrawarehouse.write.iceberg.IcebergLake;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
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

  /** Another job instance than a launch of today's: yesterday's run date. */
  private static String yesterday() {
    return LocalDate.now(ZoneOffset.UTC).minusDays(1).toString();
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
  void theFailedSignInsLaunchReadsItsSevenDaysOnAWarehouseWhoseNightlyLeftAMark() throws Exception {
    // A nightly: every sign-in of the 7 days, and the log's mark at its end.
    assertThat(run("run", "entities=sign_ins").exit()).isZero();
    long failed;
    try (Connection c =
            DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("warehouse/entra.duckdb"));
        ResultSet r =
            c.createStatement()
                .executeQuery("SELECT count(*) FROM sign_ins WHERE status_error_code <> 0")) {
      r.next();
      failed = r.getLong(1);
    }
    assertThat(failed).as("the tenant has failed sign-ins").isPositive();

    Cli.Run review = run("run", "@jobs/failed-sign-ins.args");

    assertThat(review.exit()).as(review.all()).isZero();
    // Its own 7 days, every failed sign-in of them, not the 2 hours before the nightly's mark.
    assertThat(review.out()).containsPattern("(?m)^  sign_ins +" + failed + " +\\d+ +0$");
  }

  @Test
  void runPrintsASummaryAndStatusShowsTheSteps() throws Exception {
    Cli.Run run = run("run", "entities=users,devices");

    assertThat(run.exit()).as(run.all()).isZero();
    assertThat(run.out())
        .contains("directory-load COMPLETED")
        .containsPattern("table\\s+loaded\\s+in table\\s+skipped")
        .containsPattern("users\\s+40\\s+40\\s+0")
        .containsPattern("devices\\s+30\\s+30\\s+0")
        .contains("entra.duckdb");
    Cli.Run status = run("status");
    assertThat(status.out())
        .contains("COMPLETED")
        .containsPattern("started \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ, ended \\S+Z")
        .containsPattern("users\\s+COMPLETED read\\s+40");
    assertThat(run("restart").out()).contains("nothing to restart");
    // No clutter: staging goes with the last load's parts; the job repository is one file (and
    // SQLite's write-ahead log while open).
    assertThat(dir.resolve("warehouse/staging")).doesNotExist();
    try (Stream<Path> files = Files.list(dir.resolve("warehouse"))) {
      assertThat(files.map(f -> f.getFileName().toString()))
          .filteredOn(n -> n.startsWith("job-repository"))
          .allMatch(n -> n.matches("job-repository\\.sqlite(-wal|-shm)?"));
    }
  }

  @Test
  void theSameLaunchAfterItCompletedIsANoOpThatSaysSo() throws Exception {
    assertThat(run("run", "entities=users").exit()).isZero();
    long usersServed = simulator.stats().requests("users");

    Cli.Run again = run("run", "entities=users");

    assertThat(again.exit()).as(again.all()).isZero();
    assertThat(again.out())
        .contains("already COMPLETED for these parameters (load 1,")
        .contains("add reload=true")
        .containsPattern("users\\s+40");
    assertThat(again.err()).doesNotContain("already exists and is complete");
    assertThat(simulator.stats().requests("users")).isEqualTo(usersServed);
    assertThat(users()).isEqualTo(40);
    // The DuckDB file removed since: said, and taken again from the lake, without Graph.
    Files.delete(dir.resolve("warehouse/entra.duckdb"));
    Cli.Run removed = run("run", "entities=users");
    assertThat(removed.exit()).as(removed.all()).isZero();
    assertThat(removed.out())
        .contains("DuckDB took users, users_history from the lake: it did not hold load 1")
        .containsPattern("users\\s+40\\s+40\\s+0");
    assertThat(users()).isEqualTo(40);
    assertThat(simulator.stats().requests("users")).isEqualTo(usersServed);
    Cli.Run nextDay = run("run", "entities=users", "run.date=" + yesterday());
    assertThat(nextDay.out()).as(nextDay.all()).contains("directory-load COMPLETED");
  }

  /**
   * runZero's documented device filter needs an advanced query (deviceOwnership): sent with
   * ConsistencyLevel, it loads exactly the devices it selects; a bad override is refused.
   */
  @Test
  void runZerosDeviceFilterIsSentAsAnAdvancedQuery() throws Exception {
    Cli.Run run =
        run(
            "run",
            "entities=devices",
            "filter.devices=deviceOwnership eq 'Company' or isManaged eq true");
    assertThat(run.exit()).as(run.all()).isZero();
    long expected = 0;
    for (int d = 0; d < simulator.tenant().scale().devices(); d++) {
      Map<String, Object> device = simulator.tenant().devices().device(d);
      expected +=
          "Company".equals(device.get("deviceOwnership"))
                  || Boolean.TRUE.equals(device.get("isManaged"))
              ? 1
              : 0;
    }
    try (Connection c =
            DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("warehouse/entra.duckdb"));
        ResultSet r = c.createStatement().executeQuery("SELECT count(*) FROM devices")) {
      r.next();
      assertThat(r.getLong(1)).isEqualTo(expected).isPositive();
    }
    Cli.Run bad = run("run", "entities=users", "eventual.users=maybe");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("eventual.users must be true");
  }

  @Test
  void anUnknownEntityIsRefusedBeforeAnythingRuns() {
    Cli.Run run = run("run", "entities=users,usrs");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("Unknown entity 'usrs'").contains("group_members");
    assertThat(Files.exists(dir.resolve("warehouse/entra.duckdb"))).isFalse();
  }

  @Test
  void aFilterGraphRefusesFailsTheRunBeforeAnyTableIsReadAndNamesTheFix() throws Exception {
    String entities = "entities=users,directory_audits,sign_ins";
    assertThat(run("run", entities).exit()).isZero();
    List<List<String>> before = tables("users", "directory_audits", "sign_ins", "_loads");
    String executions = run("status").out();

    // A new launch (its parameters differ), whose logs the old behaviour read and committed
    // before the users' refused query failed the run.
    Cli.Run bad = run("run", entities, "filter.users=displayName eqq 'x'");

    assertThat(bad.exit()).as(bad.all()).isEqualTo(2);
    assertThat(bad.err())
        .contains("directory-load did not start: Graph rejected the query for users")
        .contains("Invalid filter clause")
        .contains("Fix filter.users=displayName eqq 'x'.")
        .contains("Nothing was changed: no table was read or written.");
    assertThat(tables("users", "directory_audits", "sign_ins", "_loads"))
        .as("every row of every table, and DuckDB's record of loads")
        .isEqualTo(before);
    assertThat(run("status").out()).as("no job execution recorded").isEqualTo(executions);
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
    // Directory entities and logs are read side by side: Graph failing every users page fails the
    // users and the run, and the audits are loaded all the same (read one after the other, they
    // never were).
    try (GraphSimulator failing = failingOn("users")) {
      Cli.Run run = run("run", "entities=users,directory_audits");

      assertThat(run.exit()).as(run.all()).isEqualTo(1);
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
      assertThat(run.err())
          .contains("Changed by this run: directory_audits")
          .contains("Not changed: users")
          .doesNotContain("Nothing already loaded was changed");
      assertThat(run("status").out())
          .containsPattern("directory_audits-load\\s+COMPLETED")
          .containsPattern("users\\s+FAILED");
    }
  }

  /** A tiny tenant whose every request for this collection Graph answers 503; the run uses it. */
  private GraphSimulator failingOn(String collection) throws Exception {
    GraphSimulator failing =
        GraphSimulator.start(
            SimulatorSettings.builder()
                .scale(TenantScale.TINY)
                .throttling(false)
                .fault("503:" + collection + ":rate=1")
                .build());
    properties.putAll(SimulatorTenants.properties("entra.tenant.", failing));
    Path pem = dir.resolve("failing.pem");
    Files.writeString(pem, failing.certificatePem(), StandardCharsets.US_ASCII);
    properties.put("entra.graph.trust-certificate", pem.toString());
    return failing;
  }

  /** Each table's rows, every column, in a stable order. */
  private List<List<String>> tables(String... names) throws Exception {
    List<List<String>> all = new ArrayList<>();
    try (Connection c =
        DriverManager.getConnection(
            "jdbc:duckdb:" + dir.resolve("warehouse/entra.duckdb"), readOnly())) {
      for (String name : names) {
        List<String> rows = new ArrayList<>();
        try (ResultSet r =
            c.createStatement().executeQuery("SELECT * FROM " + name + " ORDER BY ALL")) {
          int columns = r.getMetaData().getColumnCount();
          while (r.next()) {
            StringBuilder row = new StringBuilder();
            for (int i = 1; i <= columns; i++) {
              row.append(r.getString(i)).append('|');
            }
            rows.add(row.toString());
          }
        }
        assertThat(rows).as(name).isNotEmpty();
        all.add(rows);
      }
    }
    return all;
  }

  private static Properties readOnly() {
    Properties p = new Properties();
    p.setProperty("duckdb.read_only", "true");
    return p;
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
          .containsPattern("users\\s+User.Read.All\\s+yes\\s+any\\s+ok")
          .containsPattern(
              "devices\\s+Device.Read.All\\s+no\\s+any\\s+FAILED\\s+add Device.Read.All and grant"
                  + " admin consent")
          .containsPattern(
              "sign_ins\\s+AuditLog.Read.All \\+ Directory.Read.All\\s+no\\s+P1\\s+FAILED");
      assertThat(check.all())
          .doesNotContain(SimulatorSettings.DEMO_CLIENT_SECRET)
          .doesNotContain("eyJ");
    }
    properties.putAll(SimulatorTenants.properties("entra.tenant.", simulator));
    Cli.Run healthy = run("check");
    assertThat(healthy.exit()).as(healthy.all()).isZero();
    assertThat(healthy.out()).doesNotContain("FAILED").contains("group_members");
    for (String delta : List.of("users", "groups", "group_members", "devices", "applications")) {
      // A nightly's first request for each: $deltatoken=latest with the delta $select.
      assertThat(healthy.out()).containsPattern(delta + " \\(delta\\)\\s+.*\\s+ok");
    }
  }

  @Test
  void reloadLoadsAgainAndAbandonLetsTheNextRunStartAfresh() throws Exception {
    assertThat(run("run", "entities=users").exit()).isZero();
    Cli.Run reload = run("run", "entities=users", "reload=true");
    assertThat(reload.exit()).as(reload.all()).isZero();
    assertThat(reload.out()).contains("attempt=2").contains("directory-load COMPLETED");
    assertThat(users()).isEqualTo(40);

    try (GraphSimulator failing = failingOn("groups")) {
      String[] groups = {"run", "entities=groups"};
      Cli.Run failed = run(groups);
      assertThat(failed.exit()).as(failed.all()).isEqualTo(1);
      Cli.Run restart = run("restart");
      assertThat(restart.exit()).as(restart.all()).isEqualTo(1);
      assertThat(restart.err()).as("fails as the run did").contains("groups").contains("503");

      Cli.Run abandon = run("abandon");

      assertThat(abandon.exit()).as(abandon.all()).isZero();
      assertThat(abandon.out())
          .contains("Abandoned execution")
          .contains("which failed:")
          .contains("starts a new load");
      assertThat(run("restart").out()).contains("nothing to restart");
      assertThat(run("status", "--last", "1").out()).contains("ABANDONED");
      Cli.Run fresh = run(groups);
      assertThat(fresh.out()).as("a new load, not the abandoned one").contains("attempt=2");
      assertThat(load(fresh.err())).isGreaterThan(load(failed.err()));
    }
    assertThat(users()).isEqualTo(40);
    // Only an unfinished execution can be abandoned.
    Cli.Run completed = run("abandon", "--execution", "1");
    assertThat(completed.exit()).isEqualTo(2);
    assertThat(completed.err()).contains("COMPLETED");
  }

  /** The last line: the one error line, after the warning the test's -D secret earns. */
  private static String lastLine(String output) {
    List<String> lines = output.strip().lines().toList();
    assertThat(lines).noneMatch(l -> l.contains("Exception") || l.startsWith("\tat "));
    return lines.get(lines.size() - 1);
  }

  private static long load(String output) {
    Matcher m = Pattern.compile("load (\\d+)\\)").matcher(output);
    assertThat(m.find()).as(output).isTrue();
    return Long.parseLong(m.group(1));
  }

  @Test
  void aWindowPastTheRetentionIsClampedBeforeAnyRequestAndLoadsEveryEvent() throws Exception {
    // 30 days before today's midnight is past what Graph keeps by the time of the request; a
    // refused window would fail the run (a 400 is not retried).
    Cli.Run run = run("run", "entities=sign_ins", "since=-P30D");

    assertThat(run.exit()).as(run.all()).isZero();
    try (Connection c =
            DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("warehouse/entra.duckdb"));
        ResultSet r = c.createStatement().executeQuery("SELECT count(*) FROM sign_ins")) {
      r.next();
      assertThat(r.getLong(1)).isEqualTo(simulator.tenant().scale().signIns());
    }
  }

  @Test
  void aTableTheTenantIsNotLicensedForEndsTheRunPartialWithEveryOtherTableLoaded()
      throws Exception {
    try (GraphSimulator free =
        GraphSimulator.start(
            SimulatorSettings.builder()
                .scale(TenantScale.TINY)
                .throttling(false)
                .premium(false)
                .build())) {
      properties.putAll(SimulatorTenants.properties("entra.tenant.", free));

      Cli.Run check = run("check", "entities=users,sign_ins,subscribed_skus");
      assertThat(check.exit()).as(check.all()).isEqualTo(1);
      assertThat(check.out())
          .containsPattern("users\\s+User.Read.All\\s+yes\\s+any\\s+ok")
          .containsPattern(
              "users.signInActivity\\s+AuditLog.Read.All\\s+yes\\s+P1\\s+FAILED"
                  + "\\s+users' signInActivity needs Entra ID P1/P2 in the tenant \\(or launch"
                  + " with users.sign_in_activity=false\\)")
          .containsPattern("subscribed_skus\\s+Organization.Read.All\\s+yes\\s+any\\s+ok")
          .containsPattern("sign_ins\\s+.*\\s+yes\\s+P1\\s+FAILED\\s+sign-ins need Entra ID P1/P2");

      Cli.Run run = run("run", "entities=users,sign_ins,subscribed_skus");

      assertThat(run.exit()).as(run.all()).isEqualTo(4);
      assertThat(run.out())
          .contains("directory-load PARTIAL")
          .containsPattern("users\\s+40\\s+40\\s+0")
          .containsPattern("subscribed_skus\\s+5\\s+5\\s+0")
          .containsPattern("sign_ins\\s+denied");
      assertThat(run.err())
          .contains("directory-load PARTIAL: every other table loaded")
          .contains("sign_ins: Reading sign-ins needs Entra ID P1 or P2")
          .contains("these tables loaded without a property Graph refused")
          .contains(
              "users: Graph refused signInActivity (403"
                  + " Authentication_RequestFromNonPremiumTenantOrB2CTenant): it needs Entra ID P1"
                  + " or above in the tenant. users loaded without it");
      try (Connection c =
              DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("warehouse/entra.duckdb"));
          ResultSet r =
              c.createStatement()
                  .executeQuery(
                      "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM subscribed_skus),"
                          + " (SELECT count(*) FROM information_schema.tables"
                          + " WHERE table_name = 'sign_ins'),"
                          + " (SELECT count(*) FROM users WHERE last_sign_in_date_time IS NOT NULL"
                          + " OR last_successful_sign_in_request_id IS NOT NULL)")) {
        r.next();
        assertThat(r.getLong(1)).isEqualTo(40);
        assertThat(r.getLong(2)).isEqualTo(5);
        assertThat(r.getLong(3)).as("sign_ins was never made").isZero();
        assertThat(r.getLong(4)).as("sign-in activity Graph refused").isZero();
      }
      // The same launch again: already done, still partial, nothing loaded twice.
      Cli.Run again = run("run", "entities=users,sign_ins,subscribed_skus");
      assertThat(again.exit()).as(again.all()).isEqualTo(4);
      assertThat(again.out()).contains("already COMPLETED");
      assertThat(again.err()).contains("PARTIAL");
    }
  }

  @Test
  void aTableDeniedAfterItsLastDeltaIsLeftAsItWasAndTheNightIsPartial() throws Exception {
    assertThat(run("run", "entities=users,devices").exit()).isZero();
    try (GraphSimulator denying =
        GraphSimulator.start(
            SimulatorSettings.builder()
                .scale(TenantScale.TINY)
                .throttling(false)
                .deny("Device.Read.All")
                .deny("Directory.Read.All")
                .build())) {
      properties.putAll(SimulatorTenants.properties("entra.tenant.", denying));

      Cli.Run night = run("run", "entities=users,devices", "run.date=" + yesterday());

      assertThat(night.exit()).as(night.all()).isEqualTo(4);
      assertThat(night.out()).contains("directory-load PARTIAL");
      assertThat(night.err()).contains("Grant Device.Read.All");
      assertThat(denying.stats().requests("users/delta")).as("users by delta").isEqualTo(1);
      assertThat(denying.stats().requests("users")).as("users not listed").isZero();
    }
    properties.putAll(SimulatorTenants.properties("entra.tenant.", simulator));
    try (Connection c =
            DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("warehouse/entra.duckdb"));
        ResultSet r = c.createStatement().executeQuery("SELECT count(*) FROM devices")) {
      r.next();
      assertThat(r.getLong(1)).as("devices left as they were").isEqualTo(30);
    }
  }

  @Test
  void withoutAuditLogReadUsersLoadWithoutSignInActivityAndTheTogglesLeavesItOut()
      throws Exception {
    try (GraphSimulator noAudit =
        GraphSimulator.start(
            SimulatorSettings.builder()
                .scale(TenantScale.TINY)
                .throttling(false)
                .deny("AuditLog.Read.All")
                .build())) {
      properties.putAll(SimulatorTenants.properties("entra.tenant.", noAudit));

      Cli.Run run = run("run", "entities=users,groups");

      assertThat(run.exit()).as(run.all()).isEqualTo(4);
      assertThat(run.out())
          .contains("directory-load PARTIAL")
          .containsPattern("users\\s+40\\s+40\\s+0")
          .containsPattern("groups\\s+12\\s+12\\s+0");
      assertThat(run.err())
          .contains(
              "users: Graph refused signInActivity (403 Authorization_RequestDenied): it needs"
                  + " AuditLog.Read.All granted to the app, with admin consent. users loaded"
                  + " without it, its signInActivity columns NULL; grant it, or launch with"
                  + " users.sign_in_activity=false to leave it out.")
          .doesNotContain("left as they were");
      assertThat(signInActivityRows()).isZero();

      // Left out on purpose: nothing refused, a complete run.
      Cli.Run without = run("run", "entities=users", "users.sign_in_activity=false");
      assertThat(without.exit()).as(without.all()).isEqualTo(0);
      assertThat(without.out()).contains("directory-load COMPLETED");
      assertThat(without.all()).doesNotContain("refused");
      assertThat(signInActivityRows()).isZero();
    }
  }

  private long signInActivityRows() throws Exception {
    try (Connection c =
            DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("warehouse/entra.duckdb"));
        ResultSet r =
            c.createStatement()
                .executeQuery(
                    "SELECT count(*) FROM users WHERE last_sign_in_date_time IS NOT NULL"
                        + " OR last_sign_in_request_id IS NOT NULL"
                        + " OR last_non_interactive_sign_in_date_time IS NOT NULL"
                        + " OR last_successful_sign_in_date_time IS NOT NULL")) {
      r.next();
      return r.getLong(1);
    }
  }

  @Test
  void withoutRoleManagementOrP2TheRoleTablesAreDeniedAndTheRestLoads() throws Exception {
    try (GraphSimulator noRoles =
            GraphSimulator.start(
                SimulatorSettings.builder()
                    .scale(TenantScale.TINY)
                    .throttling(false)
                    .deny("RoleManagement.Read.Directory")
                    .deny("Directory.Read.All")
                    .build());
        GraphSimulator noP2 =
            GraphSimulator.start(
                SimulatorSettings.builder()
                    .scale(TenantScale.TINY)
                    .throttling(false)
                    .p2(false)
                    .build())) {
      String entities =
          "entities=users,role_definitions,role_assignments,role_eligibility_schedules";
      properties.putAll(SimulatorTenants.properties("entra.tenant.", noRoles));
      Cli.Run check = run("check", entities);
      assertThat(check.exit()).as(check.all()).isEqualTo(1);
      assertThat(check.out())
          .containsPattern("users\\s+User.Read.All\\s+yes\\s+any\\s+ok")
          .containsPattern(
              "role_definitions\\s+RoleManagement.Read.Directory\\s+no\\s+any\\s+FAILED\\s+add"
                  + " RoleManagement.Read.Directory")
          .containsPattern(
              "role_assignments\\s+RoleManagement.Read.Directory\\s+no\\s+any\\s+FAILED")
          .containsPattern(
              "role_eligibility_schedules\\s+RoleEligibilitySchedule.Read.Directory\\s+no\\s+P2\\s+FAILED");
      Cli.Run run = run("run", entities);
      assertThat(run.exit()).as(run.all()).isEqualTo(4);
      assertThat(run.out())
          .containsPattern("users\\s+40\\s+40\\s+0")
          .containsPattern("role_assignments\\s+denied");
      assertThat(run.err()).contains("role_definitions: Reading role definitions was denied");

      properties.putAll(SimulatorTenants.properties("entra.tenant.", noP2));
      properties.put("entra.warehouse.directory", dir.resolve("p2").toString());
      Cli.Run checkP2 = run("check", entities);
      assertThat(checkP2.out())
          .containsPattern("role_assignments\\s+RoleManagement.Read.Directory\\s+yes\\s+any\\s+ok")
          .containsPattern(
              "role_eligibility_schedules\\s+\\S+\\s+yes\\s+P2\\s+FAILED\\s+role eligibility"
                  + " schedules need Entra ID P2");
      Cli.Run runP2 = run("run", entities);
      assertThat(runP2.exit()).as(runP2.all()).isEqualTo(4);
      long assignments = noP2.tenant().roles().roleAssignments();
      assertThat(runP2.out())
          .containsPattern("role_definitions\\s+8\\s+8\\s+0")
          .containsPattern("role_assignments\\s+" + assignments + "\\s+" + assignments + "\\s+0")
          .containsPattern("role_eligibility_schedules\\s+denied");
      assertThat(runP2.err())
          .contains(
              "role_eligibility_schedules: Reading role eligibility schedules needs Entra ID P2");
    }
  }

  @Test
  void aWindowPastAFreeTenantsRetentionNamesSinceNotAFilterNobodyGave() throws Exception {
    try (GraphSimulator free =
        GraphSimulator.start(
            SimulatorSettings.builder()
                .scale(TenantScale.TINY)
                .throttling(false)
                .premium(false)
                .build())) {
      properties.putAll(SimulatorTenants.properties("entra.tenant.", free));

      Cli.Run run = run("run", "entities=directory_audits", "since=-P20D");

      assertThat(run.exit()).isEqualTo(1);
      assertThat(run.err())
          .contains("Invalid filter clause")
          .contains("no filter of yours")
          .contains("7 without")
          .contains("since=")
          .doesNotContain("Fix filter")
          .doesNotContain("Fix the $filter");
    }
  }

  @Test
  void aMissingTrustCertificateNamesTheTrustSetting() {
    properties.remove("entra.graph.trust-certificate");
    Cli.Run run = run("run", "entities=users");
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err()).contains("not trusted").contains("entra.graph.trust-certificate");
  }

  @Test
  void checkProbesEveryEntityWhenTheTokenIsOpaque() {
    try (GraphSimulator opaque =
        GraphSimulator.start(
            SimulatorSettings.builder()
                .scale(TenantScale.TINY)
                .throttling(false)
                .opaqueTokens(true)
                .build())) {
      properties.putAll(SimulatorTenants.properties("entra.tenant.", opaque));

      Cli.Run check = run("check");

      assertThat(check.exit()).as(check.all()).isZero();
      assertThat(check.out())
          .contains("permissions granted: unknown")
          .containsPattern("users\\s+User.Read.All\\s+unknown\\s+any\\s+ok")
          .containsPattern("subscribed_skus\\s+Organization.Read.All\\s+unknown\\s+any\\s+ok")
          .containsPattern("sign_ins\\s+.*unknown\\s+P1\\s+ok");
    }
  }

  @Test
  void badSettingsAndACorruptJobRepositoryGiveOneLineThatNamesThem() throws Exception {
    properties.put("entra.warehouse.chunk-size", "0");
    Cli.Run chunk = run("run", "entities=users");
    assertThat(chunk.exit()).isEqualTo(2);
    assertThat(lastLine(chunk.err()))
        .isEqualTo("error: entra.warehouse.chunk-size must be from 1 to 1000000 items, got 0.");
    cli.clear();
    properties.remove("entra.warehouse.chunk-size");

    properties.put("entra.graph.concurrency", "0");
    Cli.Run concurrency = run("check");
    assertThat(concurrency.exit()).isEqualTo(2);
    assertThat(lastLine(concurrency.err()))
        .isEqualTo(
            "error: entra.graph.concurrency must be from 1 to 64 requests in flight, got 0.");
    cli.clear();
    properties.remove("entra.graph.concurrency");

    properties.put("entra.graph.timeout", "soon");
    Cli.Run timeout = run("check");
    assertThat(timeout.exit()).isEqualTo(2);
    assertThat(timeout.err()).contains("entra.graph.timeout=soon is not a valid");
    cli.clear();
    properties.remove("entra.graph.timeout");

    Path repository = dir.resolve("warehouse/job-repository.sqlite");
    Files.createDirectories(repository.getParent());
    Files.write(repository, new byte[64 * 1024]);
    Cli.Run corrupt = run("status");
    assertThat(corrupt.exit()).isEqualTo(1);
    assertThat(corrupt.err()).doesNotContain("Exception");
    assertThat(lastLine(corrupt.err()))
        .contains(
            "The job repository (jdbc:sqlite:" + dir.resolve("warehouse/job-repository.sqlite"))
        .contains("cannot be opened")
        .contains("Nothing was loaded or changed");
  }

  @Test
  void eachLoadRecordsWhatItLoadedBesideWhatTheTableThenHeld() throws Exception {
    DemoTenant t = simulator.tenant();
    Instant until = t.now();
    Instant since = until.minus(Duration.ofDays(1));
    long inLastDay = 0;
    for (int i = 0; i < t.scale().signIns(); i++) {
      Instant at =
          OffsetDateTime.parse((String) t.logs().signIn(i).get("createdDateTime")).toInstant();
      inLastDay += !at.isBefore(since) && at.isBefore(until) ? 1 : 0;
    }
    assertThat(run("run", "entities=sign_ins", "until=" + until).exit()).isZero();

    Cli.Run day =
        run(
            "run",
            "entities=sign_ins",
            "since=" + since,
            "until=" + until,
            "run.date=" + yesterday());

    assertThat(day.exit()).as(day.all()).isZero();
    assertThat(day.out())
        .containsPattern("sign_ins\\s+" + inLastDay + "\\s+" + t.scale().signIns() + "\\s+0");
    try (Connection c =
            DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("warehouse/entra.duckdb"));
        ResultSet r =
            c.createStatement()
                .executeQuery(
                    "SELECT rows_loaded, table_rows FROM _loads ORDER BY load_id DESC LIMIT 1")) {
      r.next();
      assertThat(r.getLong(1)).isEqualTo(inLastDay).isLessThan(t.scale().signIns());
      assertThat(r.getLong(2)).isEqualTo(t.scale().signIns());
    }
  }

  @Test
  void skippedItemsAreCountedPerTableAndKeptWithTheirReason() throws Exception {
    try (GraphSimulator faulty =
        GraphSimulator.start(
            SimulatorSettings.builder()
                .scale(TenantScale.TINY)
                .throttling(false)
                .fault("malformed:devices:nth=1")
                .build())) {
      properties.putAll(SimulatorTenants.properties("entra.tenant.", faulty));

      Cli.Run run = run("run", "entities=users,devices");

      assertThat(run.exit()).as(run.all()).isZero();
      assertThat(run.out())
          .containsPattern("users\\s+40\\s+40\\s+0")
          .containsPattern("devices\\s+29\\s+29\\s+1")
          .contains("1 malformed items were skipped");
      Path rejected = dir.resolve("warehouse/rejected/load-1/devices.jsonl");
      assertThat(run.out()).contains(rejected.getParent().toString());
      String skippedId = (String) faulty.tenant().devices().device(0).get("id");
      assertThat(Files.readAllLines(rejected))
          .singleElement()
          .satisfies(
              line ->
                  assertThat(line)
                      .contains("\"reason\":")
                      .contains("\"id\":\"" + skippedId + "\""));
    }
  }

  @Test
  void theDemoTenantTakesAFreePortUnlessOneIsSet() throws Exception {
    cli.clear();
    properties.clear();
    properties.put("entra.warehouse.directory", dir.resolve("warehouse").toString());
    properties.put("entra.demo.scale", "tiny");
    // Another demo run (or anything) holds the port the demo used to be fixed to.
    try (ServerSocket taken = new ServerSocket(18443)) {
      Cli.Run run = run("run", "entities=users");

      assertThat(run.exit()).as(run.all()).isZero();
      assertThat(run.out())
          .containsPattern("served by the simulator at https://127\\.0\\.0\\.1:\\d+/v1\\.0")
          .doesNotContain(":18443/");
    }
  }

  @Test
  void aLostJobRepositoryNeitherReusesLoadIdsNorOverwritesTheLake() throws Exception {
    // An explicit window, the same both times: the second load reads every event again.
    assertThat(run("run", "entities=users,sign_ins", "since=-P7D").exit()).isZero();
    Path repository = dir.resolve("warehouse/job-repository.sqlite");
    Files.delete(repository);
    Files.deleteIfExists(dir.resolve("warehouse/job-repository.sqlite-wal"));
    Files.deleteIfExists(dir.resolve("warehouse/job-repository.sqlite-shm"));

    // directory=full: every user row is written again (a delta load keeps unchanged rows).
    Cli.Run again = run("run", "entities=users,sign_ins", "since=-P7D", "directory=full");

    assertThat(again.exit()).as(again.all()).isZero();
    assertThat(again.out()).contains("(load 2,");
    try (IcebergLake lake =
        new IcebergLake(
            dir.resolve("warehouse/lake").toUri(),
            JobRepositoryConfiguration.defaultUrl(dir.resolve("warehouse")),
            null,
            null,
            Duration.ofDays(30),
            Map.of())) {
      for (Entity e : List.of(Entities.USERS, Entities.SIGN_INS)) {
        var table = lake.table(e);
        assertThat(table.snapshots())
            .extracting(s -> s.summary().get(IcebergLake.LOAD_ID))
            .as(e.name() + ": both loads' commits, the first one kept")
            .containsExactly("1", "2");
        long first = table.snapshots().iterator().next().snapshotId();
        assertThat(LakeReads.rows(table, first))
            .as("time travel to the first load")
            .hasSize(e == Entities.USERS ? 40 : 150)
            .allMatch(r -> Long.valueOf(1).equals(r.getField("load_id")));
        assertThat(LakeReads.rows(lake, e))
            .allMatch(r -> Long.valueOf(2).equals(r.getField("load_id")));
      }
    }
    assertThat(users()).isEqualTo(40);
  }
}
