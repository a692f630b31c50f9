package io.entrawarehouse.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The command line in a JVM of its own, as an operator or a scheduler starts it. */
public final class Processes {

  private Processes() {}

  /**
   * How long a test waits for a process it expects to end before calling it hung: long enough for a
   * full load on a machine far busier than it should be (a 2-core machine running 8 CPU hogs took
   * over 3 minutes for one that takes 20 s idle), so it bounds a hang, not the speed.
   */
  public static final Duration HANG_GUARD = Duration.ofMinutes(15);

  /** Waits for the process to end; false only when it outlived {@link #HANG_GUARD}. */
  public static boolean ended(Process process) throws InterruptedException {
    return process.waitFor(HANG_GUARD.toSeconds(), TimeUnit.SECONDS);
  }

  /**
   * Starts {@code entra-warehouse <args>} with these system properties and environment, its output
   * to {@code log}.
   */
  public static Process start(
      Map<String, String> properties, Map<String, String> environment, Path log, String... args)
      throws Exception {
    // Short-lived JVMs over tiny tenants: C1 alone and the serial collector spend less CPU on
    // the JIT and GC threads than the defaults, on a 2-core machine running the suite.
    return start(
        List.of("-Xmx512m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"),
        properties,
        environment,
        log,
        args);
  }

  /** As {@link #start(Map, Map, Path, String...)}, with these JVM options (none: no heap bound). */
  public static Process start(
      List<String> jvmOptions,
      Map<String, String> properties,
      Map<String, String> environment,
      Path log,
      String... args)
      throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
    command.add("io.entrawarehouse.EntraWarehouse");
    command.addAll(List.of(args));
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(environment);
    return pb.start();
  }
}
