package io.entrawarehouse.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.entrawarehouse.cli.Processes;
import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.TenantScale;
import io.entrawarehouse.warehouse.Entities;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README promises Java 17 or later, and the build runs on 17: this runs a load on the newest
 * JDK the machine has ({@code ENTRA_NEWER_JDK}, else Java 25 where this team's machines keep it).
 * Hadoop 3.4 failed there before writing anything ("getSubject is not supported"), because Java 23+
 * removed the Subject API its UserGroupInformation used.
 */
class NewerJavaTest {

  private static final Path DEFAULT_JDK = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");

  @TempDir Path dir;

  @Test
  void aLoadRunsOnTheNewestJdk() throws Exception {
    String configured = System.getenv("ENTRA_NEWER_JDK");
    Path jdk = configured != null && !configured.isBlank() ? Path.of(configured) : DEFAULT_JDK;
    Path java = jdk.resolve("bin").resolve("java");
    assumeTrue(Files.isExecutable(java), "no newer JDK at " + jdk + " (set ENTRA_NEWER_JDK)");

    try (GraphSimulator simulator =
        GraphSimulator.start(
            SimulatorSettings.builder().scale(TenantScale.TINY).throttling(false).build())) {
      Path pem = dir.resolve("simulator.pem");
      Files.writeString(pem, simulator.certificatePem(), StandardCharsets.US_ASCII);
      Path warehouse = dir.resolve("warehouse");
      List<String> command = new ArrayList<>();
      command.add(java.toString());
      command.add("-Xmx512m");
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      LoadHarness.properties(simulator, warehouse, pem)
          .forEach((k, v) -> command.add("-D" + k + "=" + v));
      command.add("io.entrawarehouse.EntraWarehouse");
      command.add("run");
      command.add("entities=users,sign_ins");
      Path log = dir.resolve("run.log");
      Process run =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();

      assertThat(Processes.ended(run)).as("the run ends").isTrue();
      String output = Files.readString(log);
      assertThat(run.exitValue()).as(output).isZero();
      assertThat(output).contains("directory-load COMPLETED");
      try (LoadHarness h = LoadHarness.attach(simulator, warehouse)) {
        h.assertMatchesGroundTruth(List.of(Entities.USERS, Entities.SIGN_INS));
      }
    }
  }
}
