package io.entrawarehouse.cli;

import io.entrawarehouse.job.DirectoryLoadJob;
import io.entrawarehouse.job.DirectoryLoadLauncher;
import io.entrawarehouse.job.LoadParameters;
import java.io.PrintWriter;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code restart}: resumes each tenant's most recent directory-load that did not complete. */
@Command(
    name = "restart",
    mixinStandardHelpOptions = true,
    description =
        "Resumes each tenant's last directory-load, if it failed or was interrupted, from its last"
            + " committed chunk.")
public final class RestartCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    return WarehouseHold.holdingWarehouse(
        err, new RunMetrics.Labels("all", "restart"), launcher -> restart(launcher, out, err));
  }

  private int restart(DirectoryLoadLauncher launcher, PrintWriter out, PrintWriter err)
      throws Exception {
    List<JobExecution> unfinished = LoadCommands.unfinished(launcher);
    if (unfinished.isEmpty()) {
      // A completed load whose end was cut short (the job repository records completion first)
      // may have left DuckDB behind the lake: bring it up to date.
      for (JobExecution done : LoadCommands.newest(launcher)) {
        if (done.getStatus() == BatchStatus.COMPLETED) {
          Set<String> taken = launcher.catchUp(done, LoadParameters.of(done.getJobParameters()));
          if (!taken.isEmpty()) {
            out.println(
                "DuckDB took "
                    + String.join(", ", taken)
                    + " from the lake for the completed load "
                    + DirectoryLoadJob.loadId(done)
                    + ".");
          }
        }
      }
      out.println(
          "The last directory-load of each tenant completed or was abandoned: nothing to"
              + " restart.");
      out.flush();
      return LoadCommands.OK;
    }
    int worst = LoadCommands.OK;
    for (JobExecution last : unfinished) {
      LoadParameters launch = LoadParameters.of(last.getJobParameters());
      out.println("Restarting execution " + last.getId() + " (" + last.getStatus() + ")");
      DirectoryLoadLauncher.Connection connection =
          Tenants.connectTo(launcher, launch.tenantId(), out);
      if (connection == null) {
        err.println(
            "The failed run loaded tenant "
                + launch.tenantId()
                + ", which is not configured now: configure that tenant to restart it.");
        err.flush();
        worst = LoadCommands.worse(worst, LoadCommands.BAD_INPUT);
        continue;
      }
      try (connection) {
        worst =
            LoadCommands.worse(
                worst, LoadCommands.runAndReport(launcher, launch, connection, out, err));
      }
    }
    return worst;
  }
}
