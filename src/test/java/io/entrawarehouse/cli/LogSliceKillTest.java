package io.entrawarehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.GroundTruth;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.SimulatorTenants;
import io.entrawarehouse.simulator.TenantScale;
import io.entrawarehouse.warehouse.KillPoints;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A two-week backfill of sign-ins read as slices of two days (one chunk each), killed (SIGKILL)
 * when a fifth slice writes, so at least one had finished (four run at once): the same command
 * reads again only the slices that had not finished, and loads every event once.
 */
class LogSliceKillTest {

  @TempDir Path dir;

  @Test
  void aKilledSliceIsReadAgainAndTheFinishedOnesAreNot() throws Exception {
    try (GraphSimulator sim =
        GraphSimulator.start(
            SimulatorSettings.builder()
                .scale(TenantScale.SMALL.with(-1, -1, -1, -1, -1, 35_000))
                .logSpan(Duration.ofDays(14))
                .throttling(false)
                .build())) {
      Path warehouse = dir.resolve("warehouse");
      Process killed = run(sim, warehouse, "after-slice-write:sign_ins:5", "killed");
      assertThat(killed.exitValue()).as(Files.readString(dir.resolve("killed.log"))).isEqualTo(137);

      Process again = run(sim, warehouse, null, "again");

      assertThat(again.exitValue()).as(Files.readString(dir.resolve("again.log"))).isZero();
      // Seven slices of one page each; at least two had finished (four run at once, and the
      // sixth starts only when two are done): at most five are read again, with no first look.
      String log = Files.readString(dir.resolve("again.log"));
      Matcher read = Pattern.compile("sign_ins: read (\\d+)").matcher(log);
      assertThat(read.find()).as(log).isTrue();
      // At least one slice (about 5,000 sign-ins) is not read again.
      assertThat(Long.parseLong(read.group(1))).as(log).isPositive().isLessThan(30_500);
      GroundTruth.Entity truth = TableTruth.of(sim.tenant()).get("sign_ins");
      Properties readOnly = new Properties();
      readOnly.setProperty("duckdb.read_only", "true");
      List<String> ids = new ArrayList<>();
      try (Connection c =
              DriverManager.getConnection(
                  "jdbc:duckdb:" + warehouse.resolve("entra.duckdb"), readOnly);
          ResultSet r = c.createStatement().executeQuery("SELECT id FROM sign_ins")) {
        while (r.next()) {
          ids.add(r.getString(1));
        }
      }
      assertThat(ids).doesNotHaveDuplicates().hasSize((int) truth.count());
      assertThat(GroundTruth.checksum(ids)).isEqualTo(truth.checksum());
    }
  }

  private Process run(GraphSimulator sim, Path warehouse, String haltAt, String log)
      throws Exception {
    Path pem = dir.resolve("simulator.pem");
    Files.writeString(pem, sim.certificatePem(), StandardCharsets.US_ASCII);
    Map<String, String> p = new LinkedHashMap<>(SimulatorTenants.properties("entra.tenant.", sim));
    p.put("entra.graph.trust-certificate", pem.toString());
    p.put("entra.warehouse.directory", warehouse.toString());
    p.put("entra.graph.pacing", "false"); // the simulator does not throttle: no 10 s waits
    p.put("entra.warehouse.chunk-size", "10000"); // a slice's sign-ins (5,000) in one chunk
    if (haltAt != null) {
      p.put(KillPoints.PROPERTY, haltAt);
    }
    Process process =
        Processes.start(
            p,
            Map.of("AZURE_CLIENT_SECRET", SimulatorSettings.DEMO_CLIENT_SECRET),
            dir.resolve(log + ".log"),
            "run",
            "entities=sign_ins",
            "since=" + sim.tenant().now().minus(Duration.ofDays(14)),
            "until=" + sim.tenant().now());
    assertThat(Processes.ended(process)).isTrue();
    return process;
  }
}
