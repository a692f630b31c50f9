package io.entrawarehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.SimulatorTenants;
import io.entrawarehouse.simulator.TenantScale;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A load typed with no heap bound replaces its JVM with one started with the product's options; any
 * heap option, or a command that does not load, stays in the JVM the user started.
 */
class BoundedJvmTest {

  @TempDir Path dir;

  private static final String JAVA = "/jdk/bin/java";

  private static Optional<List<String>> command(
      List<String> jvm, String toolOptions, String javaCommand, String classPath, String... args) {
    return BoundedJvm.command(args, jvm, toolOptions, null, JAVA, javaCommand, classPath);
  }

  @Test
  void aJarLoadWithNoHeapBoundGetsTheBoundedOptionsThenTheUsersThenTheSameJarAndArguments() {
    Optional<List<String>> command =
        command(
            List.of("-Dentra.warehouse.directory=/srv/w"),
            null,
            "target/entra-warehouse.jar run entities=users",
            "target/entra-warehouse.jar",
            "run",
            "entities=users");

    List<String> expected = new ArrayList<>();
    expected.add(JAVA);
    expected.addAll(BoundedJvm.OPTIONS);
    expected.addAll(
        List.of(
            "-Dentra.warehouse.directory=/srv/w",
            "-jar",
            "target/entra-warehouse.jar",
            "run",
            "entities=users"));
    assertThat(command).contains(expected);
  }

  @Test
  void aClassPathLaunchIsRepeatedWithItsClassPathAndMainClass() {
    assertThat(
            command(
                List.of(),
                null,
                "io.entrawarehouse.EntraWarehouse restart",
                "a.jar:b.jar",
                "restart"))
        .hasValueSatisfying(
            c ->
                assertThat(c.subList(c.size() - 4, c.size()))
                    .containsExactly(
                        "-cp", "a.jar:b.jar", "io.entrawarehouse.EntraWarehouse", "restart"));
  }

  @Test
  void anyHeapOrCollectorOptionOrACommandThatDoesNotLoadStaysInThisJvm() {
    String jar = "entra-warehouse.jar";
    for (String heap :
        List.of(
            "-Xmx2g",
            "-Xms2g",
            "-XX:MaxHeapSize=1g",
            "-XX:InitialHeapSize=1g",
            "-XX:MaxRAMPercentage=50",
            "-XX:InitialRAMPercentage=10",
            "-XX:MaxRAM=4g",
            "-XX:+UseG1GC",
            "-XX:+UseZGC")) {
      assertThat(command(List.of(heap), null, jar + " run", jar, "run")).as(heap).isEmpty();
    }
    assertThat(command(List.of(), "-Dx=1 -Xmx300m", jar + " run", jar, "run"))
        .as("JAVA_TOOL_OPTIONS")
        .isEmpty();
    assertThat(BoundedJvm.command(new String[] {"run"}, List.of(), null, "-Xmx1g", JAVA, jar, jar))
        .as("JDK_JAVA_OPTIONS")
        .isEmpty();
    for (String other : List.of("query", "status", "check", "simulator", "--help")) {
      assertThat(command(List.of(), null, jar + " " + other, jar, other)).as(other).isEmpty();
    }
    assertThat(command(List.of(), null, jar, jar)).as("no command").isEmpty();
  }

  @Test
  void aLoadWithNoHeapBoundBecomesTheBoundedJvmInTheSameProcessAndLoads() throws Exception {
    try (GraphSimulator simulator =
        GraphSimulator.start(
            SimulatorSettings.builder()
                .scale(TenantScale.SMALL)
                .throttling(false)
                .latency(Duration.ofMillis(20), Duration.ZERO)
                .build())) {
      Path pem = dir.resolve("simulator.pem");
      Files.writeString(pem, simulator.certificatePem(), StandardCharsets.US_ASCII);
      Path log = dir.resolve("run.log");
      Process load = launch(simulator, pem, dir.resolve("warehouse"), log);
      List<String> seen = List.of();
      while (load.isAlive() && !seen.containsAll(BoundedJvm.OPTIONS)) {
        seen = commandLine(load.toHandle()); // the same process id, its command line replaced
        TimeUnit.MILLISECONDS.sleep(20); // polls another process: no clock to advance
      }

      assertThat(Processes.ended(load)).isTrue();
      String said = Files.readString(log);
      assertThat(seen).as(said).containsAll(BoundedJvm.OPTIONS);
      assertThat(load.exitValue()).as(said).isZero();
      assertThat(said).contains("directory-load COMPLETED").doesNotContain("warning: this load");
    }
  }

  @Test
  void theJavaOptionVariablesAreNotPassedOnTwiceAndOneMallocArenaIsTheDefault() {
    // Their options are in the JVM's input arguments, which the command line carries already.
    assertThat(
            BoundedJvm.environment(
                Map.of(
                    "JAVA_TOOL_OPTIONS", "-javaagent:otel.jar",
                    "JDK_JAVA_OPTIONS", "-Dx=1",
                    "AZURE_TENANT_ID", "t")))
        .isEqualTo(Map.of("AZURE_TENANT_ID", "t", "MALLOC_ARENA_MAX", "1"));
    assertThat(BoundedJvm.environment(Map.of("MALLOC_ARENA_MAX", "4")))
        .isEqualTo(Map.of("MALLOC_ARENA_MAX", "4"));
  }

  @Test
  void theContainerLauncherDefaultsToTheSameOptions() throws Exception {
    String launcher = Files.readString(Path.of("docker", "entra-warehouse"));

    assertThat(launcher).contains("${JAVA_OPTS:-" + String.join(" ", BoundedJvm.OPTIONS) + "}");
  }

  private static Process launch(GraphSimulator simulator, Path pem, Path warehouse, Path log)
      throws Exception {
    Map<String, String> properties = SimulatorTenants.properties("entra.tenant.", simulator);
    properties.put("entra.warehouse.directory", warehouse.toString());
    properties.put("entra.graph.trust-certificate", pem.toString());
    return Processes.start(
        List.of(), // no heap bound: the load replaces its JVM with a bounded one
        properties,
        Map.of("AZURE_CLIENT_SECRET", SimulatorSettings.DEMO_CLIENT_SECRET),
        log,
        "run",
        "entities=users,groups,group_members");
  }

  /**
   * A process's command line, from Linux's /proc (ProcessHandle.Info gives none this long); empty
   * once it has ended.
   */
  private static List<String> commandLine(ProcessHandle process) {
    try {
      byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), "cmdline"));
      return List.of(new String(raw, StandardCharsets.UTF_8).split("\u0000"));
    } catch (IOException e) {
      return List.of();
    }
  }
}
