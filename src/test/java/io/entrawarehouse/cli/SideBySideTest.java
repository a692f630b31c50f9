package io.entrawarehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.SimulatorTenants;
import io.entrawarehouse.simulator.TenantScale;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
        assertThat(cli.run("status").exit()).isZero(); // creates the repository
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
          assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
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
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    Map<String, String> properties = SimulatorTenants.properties("entra.tenant.", simulator);
    properties.put("entra.warehouse.directory", warehouse.toString());
    properties.put("entra.graph.trust-certificate", pem.toString());
    properties.put("entra.warehouse.chunk-size", "200");
    properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
    command.add("io.entrawarehouse.EntraWarehouse");
    command.add("run");
    command.add("entities=users,groups,group_members,sign_ins");
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("AZURE_CLIENT_SECRET", SimulatorSettings.DEMO_CLIENT_SECRET);
    return pb.start();
  }
}
