package io.entrawarehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.TenantScale;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prometheus' own checks, with its promtool (Debian's prometheus package, which .ci/run installs):
 * a run's textfile passes {@code promtool check metrics}, and the shipped alert rules pass their
 * unit tests ({@code docker/prometheus/alerts-test.yml}).
 */
class PromtoolTest {

  @TempDir Path dir;

  @Test
  void aRunsMetricsPassPromtoolsLint() throws Exception {
    Path promtool = promtool();
    Cli cli = new Cli();
    try (GraphSimulator simulator =
        GraphSimulator.start(
            SimulatorSettings.builder().scale(TenantScale.TINY).throttling(false).build())) {
      cli.against(simulator, dir);
      Cli.Run run = cli.run("run", "entities=users,sign_ins");
      assertThat(run.exit()).as(run.all()).isZero();
      Path textfile = dir.resolve("warehouse/metrics/entra_warehouse_all_run.prom");

      Result lint = promtool(promtool, textfile, "check", "metrics");

      assertThat(lint.output()).as("promtool's findings").isEmpty();
      assertThat(lint.exit()).isZero();
    } finally {
      cli.clear();
    }
  }

  @Test
  void theAlertRulesPassTheirUnitTests() throws Exception {
    Result test = promtool(promtool(), null, "test", "rules", "docker/prometheus/alerts-test.yml");

    assertThat(test.exit()).as(test.output()).isZero();
    assertThat(test.output()).contains("SUCCESS");
  }

  private record Result(int exit, String output) {}

  private Result promtool(Path promtool, Path stdin, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(promtool.toString()));
    command.addAll(List.of(args));
    Path out = dir.resolve("promtool.out");
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
    if (stdin != null) {
      pb.redirectInput(stdin.toFile());
    }
    Process p = pb.start();
    assertThat(Processes.ended(p)).isTrue();
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8).strip());
  }

  private static Path promtool() {
    for (String folder : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(folder, "promtool");
      if (!folder.isEmpty() && Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    if (System.getenv("ENTRA_REQUIRE_PROMTOOL") != null) {
      throw new AssertionError("promtool is required (ENTRA_REQUIRE_PROMTOOL) and not installed");
    }
    Assumptions.abort("no promtool here: .ci/run installs Debian's prometheus package");
    return null;
  }
}
