package io.entrawarehouse.cli;

import io.entrawarehouse.job.LakeToDuckDb;
import io.entrawarehouse.write.iceberg.IcebergLake;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code refresh}: builds the DuckDB file anew from the lake's current snapshots. */
@Command(
    name = "refresh",
    mixinStandardHelpOptions = true,
    description = {
      "Builds entra.duckdb anew from the lake's current snapshots: every table, every tenant.",
      "For the analyst's machine when workers load the lake only (entra.warehouse.duckdb=false),"
          + " or a DuckDB file lost or out of step. Sessions open on the old file keep it until"
          + " they reconnect."
    })
public final class RefreshCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    return WarehouseHold.holdingWarehouse(
        err,
        new RunMetrics.Labels("all", "refresh"),
        launcher -> {
          long start = System.nanoTime();
          List<LakeToDuckDb.Rebuilt> rebuilt;
          try (IcebergLake lake = launcher.lake()) {
            rebuilt =
                LakeToDuckDb.rebuild(
                    lake,
                    launcher.duckdb(),
                    launcher.properties().warehouse().directory().resolve(".lake-fetch"));
          }
          out.printf(
              "%s rebuilt from the lake %s in %.1f s%n",
              launcher.duckdb().file(),
              launcher.properties().warehouse().lake(),
              (System.nanoTime() - start) / 1e9);
          out.printf("  %-27s %-38s %8s %12s%n", "table", "tenant", "load", "rows");
          for (LakeToDuckDb.Rebuilt r : rebuilt) {
            out.printf("  %-27s %-38s %8d %12d%n", r.table(), r.tenantId(), r.loadId(), r.rows());
          }
          if (rebuilt.isEmpty()) {
            out.println("  The lake holds no table yet: the file is empty.");
          }
          out.flush();
          return LoadCommands.OK;
        });
  }
}
