package io.entrawarehouse.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The command line in a JVM of its own, as an operator or a scheduler starts it. */
public final class Processes {

  private Processes() {}

  /**
   * Starts {@code entra-warehouse <args>} with these system properties and environment, its output
   * to {@code log}.
   */
  public static Process start(
      Map<String, String> properties, Map<String, String> environment, Path log, String... args)
      throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
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
