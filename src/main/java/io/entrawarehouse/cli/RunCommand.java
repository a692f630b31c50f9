package io.entrawarehouse.cli;

import io.entrawarehouse.job.DirectoryLoadLauncher;
import io.entrawarehouse.job.LoadParameters;
import java.io.PrintWriter;
import java.nio.channels.FileLock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.springframework.context.ConfigurableApplicationContext;
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
      "The same parameters after a failure resume the failed run from its last committed chunk."
    })
public final class RunCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "key=value", description = "Launch parameters.")
  List<String> parameters = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    java.util.Map<String, String> args = LoadCommands.keyValues(parameters);
    String tenants = LoadCommands.tenantSelection(args);
    LoadParameters.parse("check", args, LoadCommands.today()); // validate before touching anything
    FileLock lock = LoadCommands.lock(LoadCommands.warehouseDirectory());
    if (lock == null) {
      return LoadCommands.busy(err);
    }
    try (lock;
        ConfigurableApplicationContext spring = LoadCommands.spring(err)) {
      DirectoryLoadLauncher launcher = spring.getBean(DirectoryLoadLauncher.class);
      return LoadCommands.forEachTenant(
          launcher,
          tenants,
          out,
          connection -> {
            LoadParameters launch =
                LoadParameters.parse(connection.tenantId(), args, LoadCommands.today());
            return LoadCommands.runAndReport(launcher, launch, connection, out, err);
          });
    }
  }
}
