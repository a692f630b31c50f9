package io.entrawarehouse.cli;

import io.entrawarehouse.EntraWarehouse;
import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.SimulatorTenants;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;

/**
 * Runs the command line in-process with per-run settings ({@link #properties}: as {@code -D} would
 * give them, for each run only), capturing its output. A test of what {@code -D} itself does gives
 * {@link #systemProperties}; call {@link #clear()} after it.
 */
final class Cli {

  record Run(int exit, String out, String err) {
    String all() {
      return out + err;
    }
  }

  /** The settings of each run. */
  final Map<String, String> properties = new LinkedHashMap<>();

  /** Settings given as JVM system properties, as {@code -D} on a real command line gives them. */
  final Map<String, String> systemProperties = new LinkedHashMap<>();

  Run run(String... args) {
    systemProperties.forEach(System::setProperty);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = EntraWarehouse.commandLine(properties);
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  /**
   * Points the command line at a simulator's tenant, with the warehouse in {@code dir/warehouse}:
   * its certificate trusted and the client secret in a file (as a Kubernetes secret is mounted).
   */
  Cli against(GraphSimulator simulator, Path dir) throws IOException {
    Path pem = dir.resolve("simulator.pem");
    Files.writeString(pem, simulator.certificatePem());
    Path secret = dir.resolve("client-secret");
    Files.writeString(secret, SimulatorSettings.DEMO_CLIENT_SECRET);
    properties.put("entra.warehouse.directory", dir.resolve("warehouse").toString());
    properties.putAll(SimulatorTenants.properties("entra.tenant.", simulator));
    properties.put("entra.tenant.client-secret-file", secret.toString());
    properties.put("entra.graph.trust-certificate", pem.toString());
    return this;
  }

  /** Clears the system properties a test gave. */
  void clear() {
    systemProperties.keySet().forEach(System::clearProperty);
  }
}
