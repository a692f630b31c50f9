package io.entrawarehouse.cli;

import io.entrawarehouse.EntraWarehouse;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.Map;

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
    picocli.CommandLine cli = EntraWarehouse.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  void clear() {
    properties.keySet().forEach(System::clearProperty);
  }
}
