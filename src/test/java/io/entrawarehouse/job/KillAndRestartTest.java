package io.entrawarehouse.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrawarehouse.cli.Processes;
import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.TenantScale;
import java.io.File;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.batch.core.BatchStatus;

/**
 * Kills the load process with SIGKILL in the middle of a step, runs the same command again, and
 * expects exactly the tenant: no duplicate, no missing row, no file a lake reader could trip on.
 */
class KillAndRestartTest {

  @TempDir Path dir;

  @Test
  void aKilledLoadResumesAndEndsEqualToAnUninterruptedOne() throws Exception {
    SimulatorSettings settings =
        SimulatorSettings.builder()
            .scale(TenantScale.SMALL)
            .throttling(false)
            .latency(Duration.ofMillis(40), Duration.ZERO)
            .build();
    try (GraphSimulator simulator = GraphSimulator.start(settings)) {
      Path pem = dir.resolve("simulator.pem");
      Files.writeString(pem, simulator.certificatePem(), StandardCharsets.US_ASCII);
      Path warehouse = dir.resolve("warehouse");

      Process first = launch(simulator, warehouse, pem, dir.resolve("first.log"));
      Path staged = warehouse.resolve("staging");
      long deadline = System.nanoTime() + Processes.HANG_GUARD.toNanos();
      while (parts(staged, "group_members") < 20
          && first.isAlive()
          && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(first.isAlive()).as("the first run is still running when killed").isTrue();
      first.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup
      first.waitFor(30, TimeUnit.SECONDS);
      long partsAtKill = parts(staged, "group_members");
      assertThat(partsAtKill).isBetween(20L, 150L);

      Process second = launch(simulator, warehouse, pem, dir.resolve("second.log"));
      assertThat(Processes.ended(second)).isTrue();
      assertThat(second.exitValue()).as(Files.readString(dir.resolve("second.log"))).isZero();
      assertThat(Files.readString(dir.resolve("second.log"))).contains("directory-load COMPLETED");

      try (LoadHarness h = harnessFor(simulator, warehouse)) {
        h.assertMatchesGroundTruth(LoadHarness.all());
        // One job instance, two executions: the killed one (recovered as FAILED) and the resumed
        // one,
        // which read only what the first had not committed.
        var repository = h.launcher.repository();
        var instances = repository.getJobInstances(DirectoryLoadJob.NAME, 0, 10);
        assertThat(instances).hasSize(1);
        var executions = new ArrayList<>(repository.getJobExecutions(instances.get(0)));
        executions.sort(Comparator.comparing(e -> e.getId()));
        assertThat(executions).hasSize(2);
        assertThat(executions.get(0).getStatus()).isEqualTo(BatchStatus.FAILED);
        long resumedReads =
            executions.get(1).getStepExecutions().stream()
                .filter(step -> step.getStepName().equals("group_members"))
                .findFirst()
                .orElseThrow()
                .getReadCount();
        assertThat(resumedReads).isPositive().isLessThanOrEqualTo(8000 - 50 * (partsAtKill - 1));
      }
      // No temporary file anywhere, and every data file is one the current snapshots read.
      try (Stream<Path> files = Files.walk(warehouse.resolve("lake"))) {
        assertThat(files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()))
            .noneMatch(n -> n.startsWith(".") || n.endsWith(".tmp"));
      }
      try (var h = harnessFor(simulator, warehouse);
          var lake = h.launcher.lake()) {
        for (var e : LoadHarness.all()) {
          var current = new HashSet<>(LakeReads.currentFiles(lake.table(e)));
          try (Stream<Path> files =
              Files.walk(warehouse.resolve("lake/entra/" + e.name() + "/data"))) {
            assertThat(files.filter(Files::isRegularFile).map(Path::toString))
                .as(e.name())
                .allMatch(current::contains);
          }
          LakeReads.assertDuckDbEqualsLake(warehouse.resolve("entra.duckdb"), lake, e);
        }
      }
    }
  }

  private static long parts(Path staging, String table) throws Exception {
    if (!Files.exists(staging)) {
      return 0;
    }
    try {
      return countParts(staging, table);
    } catch (UncheckedIOException renamedWhileListed) {
      return 0; // a hidden part renamed as the walk reached it: count at the next poll
    }
  }

  private static long countParts(Path staging, String table) throws Exception {
    try (Stream<Path> files = Files.walk(staging)) {
      return files
          .filter(
              p ->
                  p.toString().contains(File.separator + table + File.separator)
                      && p.toString().endsWith(".parquet")
                      && !p.getFileName().toString().startsWith("."))
          .count();
    }
  }

  private Process launch(GraphSimulator simulator, Path warehouse, Path pem, Path log)
      throws Exception {
    Map<String, String> properties = LoadHarness.properties(simulator, warehouse, pem);
    properties.remove("entra.tenant.client-secret"); // from the environment, as in production
    properties.put("entra.warehouse.chunk-size", "50");
    // Every table: the logs, read beside the directory, are usually mid-step when the kill lands,
    // and the tables after group members are read only by the resumed run.
    return Processes.start(
        properties,
        Map.of("AZURE_CLIENT_SECRET", SimulatorSettings.DEMO_CLIENT_SECRET),
        log,
        "run",
        "entities=all");
  }

  private LoadHarness harnessFor(GraphSimulator simulator, Path warehouse) throws Exception {
    return LoadHarness.attach(simulator, warehouse);
  }
}
