package io.entrawarehouse.cli;

import io.entrawarehouse.job.LoadParameters;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code run [key=value …]}: launches directory-load and prints a summary. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Loads the tenant into Parquet and DuckDB (job directory-load).",
      "Parameters: entities=users,groups,group_members,devices,directory_audits,sign_ins (default all),"
          + " run.date=YYYY-MM-DD (default today, UTC), since=/until= (default the 7 days before the run date),"
          + " filter.<entity>=<OData $filter>, select.<entity>=<$select>.",
      "tenant=<name> loads one configured tenant, tenant=all (the default) each in turn.",
      "The same parameters after a failure resume the failed run from its last committed chunk;"
          + " after it completed they do nothing, unless reload=true loads again.",
      "@file reads parameters from a file (jobs/nightly.args): the working directory, beside the"
          + " jar, then the launches shipped in the jar."
    })
public final class RunCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "key=value", description = "Launch parameters.")
  List<String> parameters = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Map<String, String> args = LoadCommands.keyValues(parameters);
    String tenants = Tenants.tenantSelection(args);
    boolean reload = LoadCommands.flag(args, "reload");
    // Parsed once, before anything is touched; each tenant gets its own copy.
    LoadParameters parsed = LoadParameters.parse(null, args, LoadCommands.today());
    return WarehouseHold.holdingWarehouse(
        err,
        launcher ->
            Tenants.forEachTenant(
                launcher,
                tenants,
                out,
                connection -> {
                  LoadParameters launch =
                      launcher.attemptToRun(parsed.withTenant(connection.tenantId()), reload);
                  return LoadCommands.runAndReport(launcher, launch, connection, out, err);
                }));
  }
}
