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
      "Writes report.html beside entra.duckdb, one file that opens offline: a section per family of"
          + " views (loads, sign-ins, accounts and MFA, devices, licences, applications), each with"
          + " its charts and the first 20 rows to act on of each view (stale devices, expiring"
          + " credentials, admins without MFA, disabled users still licensed…). Reads DuckDB"
          + " read-only: it works while a load runs."
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
