package io.entrawarehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.SimulatorTenants;
import io.entrawarehouse.simulator.TenantScale;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commands side by side on one warehouse, in separate processes: {@code status} in a loop while a
 * run loads, with an operator's SQL session holding a read transaction on the job repository all
 * along; neither makes the other fail.
 */
class SideBySideTest {

  @TempDir Path dir;

  @Test
  void statusInALoopAndAnOpenReaderNeverFailARunNorDoesTheRunFailThem() throws Exception {
    try (GraphSimulator simulator =
        GraphSimulator.start(
            SimulatorSettings.builder()
                .scale(TenantScale.SMALL)
                .throttling(false)
                .latency(Duration.ofMillis(40), Duration.ZERO)
                .build())) {
      Path warehouse = dir.resolve("warehouse");
      Path pem = dir.resolve("simulator.pem");
      Files.writeString(pem, simulator.certificatePem(), StandardCharsets.US_ASCII);
      Cli cli = new Cli();
      cli.properties.put("entra.warehouse.directory", warehouse.toString());
      try {
        assertThat(cli.run("abandon").exit()).isZero(); // creates the repository
        // As an SQL client opens it: a plain (deferred) read transaction.
        try (Connection reader =
            DriverManager.getConnection(
                "jdbc:sqlite:" + warehouse.resolve("job-repository.sqlite"))) {
          reader.setAutoCommit(false);
          try (ResultSet r =
              reader.createStatement().executeQuery("SELECT count(*) FROM BATCH_JOB_INSTANCE")) {
            r.next(); // a read transaction, held open through the whole run
          }
          Path log = dir.resolve("run.log");
          Process run = launch(simulator, warehouse, pem, log);
          int statuses = 0;
          boolean sawItRunning = false;
          StringBuilder seen = new StringBuilder();
          while (run.isAlive()) {
            Cli.Run status = cli.run("status", "--last", "1");
            assertThat(status.exit()).as(status.all()).isZero();
            statuses++;
            sawItRunning |= status.out().contains(" STARTED,");
            seen.append(status.out().lines().findFirst().orElse("(none)")).append('\n');
          }
          assertThat(Processes.ended(run)).isTrue();
          assertThat(run.exitValue()).as(Files.readString(log)).isZero();
          assertThat(Files.readString(log)).contains("directory-load COMPLETED");
          assertThat(statuses).as("status runs during the load").isGreaterThanOrEqualTo(3);
          assertThat(sawItRunning).as("a status saw the run in progress:%n%s", seen).isTrue();
        }
        assertThat(cli.run("status", "--last", "1").out()).contains(" COMPLETED,");
      } finally {
        cli.clear();
      }
    }
  }

  private static Process launch(GraphSimulator simulator, Path warehouse, Path pem, Path log)
      throws Exception {
    Map<String, String> properties = SimulatorTenants.properties("entra.tenant.", simulator);
    properties.put("entra.warehouse.directory", warehouse.toString());
    properties.put("entra.graph.trust-certificate", pem.toString());
    properties.put("entra.warehouse.chunk-size", "200");
    return Processes.start(
        properties,
        Map.of("AZURE_CLIENT_SECRET", SimulatorSettings.DEMO_CLIENT_SECRET),
        log,
        "run",
        "entities=users,groups,group_members,sign_ins");
  }

  /** Starts an analyst's DuckDB session in another process; returns it once it has answered. */
  private static Process analyst(Path duckdb, String query, boolean write) throws Exception {
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                DuckDbHolder.class.getName(),
                duckdb.toString(),
                query,
                write ? "write" : "read")
            .redirectErrorStream(true)
            .start();
    return p;
  }

  private static String answer(Process analyst) throws Exception {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(analyst.getInputStream(), StandardCharsets.UTF_8));
    for (String line = out.readLine(); line != null; line = out.readLine()) {
      if (line.startsWith("answer ")) {
        return line.substring(7);
      }
    }
    throw new AssertionError("the analyst's session ended without an answer");
  }

  private static void ask(Process analyst) throws Exception {
    analyst.getOutputStream().write('\n');
    analyst.getOutputStream().flush();
  }

  @Test
  void anAnalystHoldingDuckDbOpenNeverFailsALoadAndSeesThePreviousStateUntilReconnecting()
      throws Exception {
    try (GraphSimulator simulator =
        GraphSimulator.start(
            SimulatorSettings.builder().scale(TenantScale.TINY).throttling(false).build())) {
      Path warehouse = dir.resolve("warehouse");
      Path duckdb = warehouse.resolve("entra.duckdb");
      Path pem = dir.resolve("simulator.pem");
      Files.writeString(pem, simulator.certificatePem(), StandardCharsets.US_ASCII);
      Cli cli = new Cli();
      cli.properties.putAll(SimulatorTenants.properties("entra.tenant.", simulator));
      cli.properties.put("entra.tenant.client-secret", SimulatorSettings.DEMO_CLIENT_SECRET);
      cli.properties.put("entra.graph.trust-certificate", pem.toString());
      cli.properties.put("entra.warehouse.directory", warehouse.toString());
      cli.properties.put("entra.warehouse.duckdb-wait", "2s");
      try {
        // Guests first, then every user: the two states differ.
        assertThat(cli.run("run", "entities=users", "filter.users=userType eq 'Guest'").exit())
            .isZero();
        Process reader = analyst(duckdb, "SELECT count(*) FROM users", false);
        String before = answer(reader);
        assertThat(Long.parseLong(before)).isPositive().isLessThan(40);

        Cli.Run all = cli.run("run", "entities=users");

        assertThat(all.exit()).as(all.all()).isZero();
        ask(reader);
        assertThat(answer(reader)).as("the open session keeps its state").isEqualTo(before);
        reader.getOutputStream().close();
        assertThat(Processes.ended(reader)).isTrue();
        Process reconnected = analyst(duckdb, "SELECT count(*) FROM users", false);
        assertThat(answer(reconnected)).isEqualTo("40");
        reconnected.getOutputStream().close();
        assertThat(Processes.ended(reconnected)).isTrue();

        // A process writing the file is waited for, then named; the lake has the load already.
        Process writer = analyst(duckdb, "SELECT count(*) FROM users", true);
        answer(writer);
        Cli.Run blocked = cli.run("run", "entities=users", "reload=true");
        assertThat(blocked.exit()).as(blocked.all()).isEqualTo(3);
        assertThat(blocked.err())
            .contains("Another process holds " + duckdb)
            .contains("entra.warehouse.duckdb-wait")
            .contains("Committed to the lake, not yet to DuckDB: users");
        writer.getOutputStream().close();
        assertThat(Processes.ended(writer)).isTrue();
        Cli.Run resumed = cli.run("run", "entities=users", "reload=true");
        assertThat(resumed.exit()).as(resumed.all()).isZero();
        assertThat(resumed.out()).containsPattern("users\\s+40\\s+40\\s+0");
      } finally {
        cli.clear();
      }
    }
  }
}
