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
      "Loads the tenant into the Iceberg lake and DuckDB (job directory-load).",
      "entities=<table>,... : the tables to load (default all): users, groups, devices,"
          + " device_owners, subscribed_skus, user_licenses, applications, service_principals,"
          + " group_members, group_members_transitive, app_credentials, directory_audits,"
          + " sign_ins, auth_method_registrations, role_definitions, role_assignments,"
          + " role_eligibility_schedules, conditional_access_policies, named_locations,"
          + " app_role_assignments. 'check' shows what each needs.",
      "since=, until= : the logs' window. By default each log reads from the lake's mark"
          + " (where its last load ended) less 2 h, or, on its first load, from 7 days before"
          + " the run date; until the run date's midnight (UTC). since=-P29D or an instant"
          + " states a window; Graph keeps 30 days (7 without Entra ID P1/P2).",
      "run.date=YYYY-MM-DD (default today, UTC); filter.<table>=<OData $filter>,"
          + " select.<table>=<$select>: asked of Graph first, a refused one changes nothing;"
          + " raw_json=all|none|<tables>; directory=delta|full.",
      "tenant=<name> loads one configured tenant, tenant=all (the default) each in turn.",
      "The same parameters after a failure resume the failed run from its last committed"
          + " chunk; after it completed they do nothing, unless reload=true loads again.",
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
        RunMetrics.Labels.of("run", tenants, parameters),
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
