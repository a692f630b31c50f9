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
 * Runs the command line in-process with settings given as system properties (as {@code -D} would),
 * capturing its output. Call {@link #clear()} after each test.
 */
final class Cli {

  record Run(int exit, String out, String err) {
    String all() {
      return out + err;
    }
  }

  final Map<String, String> properties = new LinkedHashMap<>();

  Run run(String... args) {
    properties.forEach(System::setProperty);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = EntraWarehouse.commandLine();
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

  void clear() {
    properties.keySet().forEach(System::clearProperty);
  }
}
