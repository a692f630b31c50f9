package io.entrawarehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.SimulatorTenants;
import io.entrawarehouse.simulator.TenantScale;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Progress as an operator sees it: plain lines when output goes to a file, a live block redrawn in
 * place on a terminal (a pseudo-terminal from util-linux's {@code script}), with the progress mode
 * left to detect which.
 */
class ProgressTest {

  static GraphSimulator simulator;
  @TempDir static Path dir;

  @BeforeAll
  static void start() {
    simulator =
        GraphSimulator.start(
            SimulatorSettings.builder()
                .scale(TenantScale.SMALL)
                .throttling(false)
                .latency(Duration.ofMillis(30), Duration.ZERO)
                .build());
  }

  @AfterAll
  static void stop() {
    simulator.close();
  }

  private static Map<String, String> properties(String warehouse) throws Exception {
    Path pem = dir.resolve("simulator.pem");
    Files.writeString(pem, simulator.certificatePem(), StandardCharsets.US_ASCII);
    Map<String, String> p = new TreeMap<>(SimulatorTenants.properties("entra.tenant.", simulator));
    p.put("entra.warehouse.directory", dir.resolve(warehouse).toString());
    p.put("entra.graph.trust-certificate", pem.toString());
    p.put("entra.warehouse.progress-interval", "300ms");
    return p;
  }

  @Test
  void plainLinesWhenOutputIsAFile() throws Exception {
    Path log = dir.resolve("plain.log");
    Process run =
        Processes.start(
            properties("plain"),
            Map.of("AZURE_CLIENT_SECRET", SimulatorSettings.DEMO_CLIENT_SECRET),
            log,
            "run",
            "entities=users,groups,group_members");
    assertThat(Processes.ended(run)).isTrue();
    String out = Files.readString(log);
    assertThat(run.exitValue()).as(out).isZero();
    List<String> lines = out.lines().filter(l -> l.startsWith("progress: ")).toList();
    assertThat(lines).as(out).hasSizeGreaterThanOrEqualTo(3);
    assertThat(lines)
        .anyMatch(l -> l.matches("progress: group_members +[0-9,]+ items +[0-9,]+/s +[0-9]+ s"));
    assertThat(out).as("no escape codes in a file").doesNotContain("\u001b");
  }

  @Test
  void aLiveBlockOnATerminal() throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    properties("terminal").forEach((k, v) -> command.add("-D" + k + "=" + v));
    command.add("io.entrawarehouse.EntraWarehouse");
    command.add("run");
    command.add("entities=users,groups,group_members");
    String line = String.join(" ", command.stream().map(ProgressTest::quoted).toList());
    Path typescript = dir.resolve("terminal.out");
    ProcessBuilder pb =
        new ProcessBuilder("script", "-qfec", line, "/dev/null")
            .redirectErrorStream(true)
            .redirectOutput(typescript.toFile());
    pb.environment().put("AZURE_CLIENT_SECRET", SimulatorSettings.DEMO_CLIENT_SECRET);
    Process run = pb.start();
    assertThat(Processes.ended(run)).isTrue();
    String out = Files.readString(typescript);
    assertThat(run.exitValue()).as(out).isZero();
    assertThat(out).contains("directory-load COMPLETED");
    // Drawn as lines erased and redrawn, not as plain progress lines.
    assertThat(out).doesNotContain("progress: ");
    assertThat(out).contains("\u001b[2K");
    assertThat(out).containsPattern("\u001b\\[2Kgroup_members +[0-9,]+ items");
    // A log line written while the block is up erases the block first and does not run into it.
    assertThat(out).containsPattern("\u001b\\[1A\u001b\\[2K[0-9:.]+ INFO ");
  }

  private static String quoted(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
