package io.entrawarehouse.cli;

import io.entrawarehouse.config.EntraProperties;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code report}: writes the warehouse's HTML report, as {@code run} does after each load. */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description = {
      "Writes report.html beside entra.duckdb: charts of the warehouse (object counts across loads,"
          + " sign-in failures, stale devices, licences, MFA, expiring credentials), one file that"
          + " opens offline. Reads DuckDB read-only: it works while a load runs."
    })
public final class ReportCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    EntraProperties.Warehouse warehouse = SpringBootstrap.builtWarehouse("report", err);
    if (warehouse == null) {
      return LoadCommands.FAILED;
    }
    out.println("Report: " + Report.write(warehouse.duckdbFile(), warehouse.duckdbMemory()));
    out.flush();
    return LoadCommands.OK;
  }
}
