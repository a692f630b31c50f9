package io.entrawarehouse.cli;

import io.entrawarehouse.job.DirectoryLoadJob;
import io.entrawarehouse.job.DirectoryLoadLauncher;
import io.entrawarehouse.job.LoadParameters;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.springframework.batch.core.job.JobExecution;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code abandon}: gives up on loads that failed, so the next run starts afresh. */
@Command(
    name = "abandon",
    mixinStandardHelpOptions = true,
    description = {
      "Gives up on each tenant's last directory-load that failed or was interrupted (or on one"
          + " execution, --execution N): it is marked ABANDONED, 'restart' passes it over, and the"
          + " next 'run' with the same parameters starts a new load.",
      "Tables the abandoned load finished keep its rows; its staged parts are deleted."
    })
public final class AbandonCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--execution",
      paramLabel = "N",
      description = "The execution to abandon (as 'status' numbers them).")
  Long executionId;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    return WarehouseHold.holdingWarehouse(
        err, new RunMetrics.Labels("all", "abandon"), launcher -> abandon(launcher, out, err));
  }

  private int abandon(DirectoryLoadLauncher launcher, PrintWriter out, PrintWriter err)
      throws Exception {
    List<JobExecution> targets;
    if (executionId == null) {
      targets = LoadCommands.unfinished(launcher);
    } else {
      JobExecution chosen = launcher.repository().getJobExecution(executionId);
      if (chosen == null) {
        err.println("No execution " + executionId + ": 'status' lists them.");
        err.flush();
        return LoadCommands.BAD_INPUT;
      }
      if (!chosen.getStatus().isUnsuccessful() && !chosen.getStatus().isRunning()) {
        err.println(
            "Execution "
                + executionId
                + " is "
                + chosen.getStatus()
                + ": only a failed, stopped or interrupted load can be abandoned.");
        err.flush();
        return LoadCommands.BAD_INPUT;
      }
      targets = List.of(chosen);
    }
    if (targets.isEmpty()) {
      out.println(
          "The last directory-load of each tenant completed or was abandoned: nothing to"
              + " abandon.");
      out.flush();
      return LoadCommands.OK;
    }
    for (JobExecution e : targets) {
      String failure = LoadReport.failure(e);
      JobExecution abandoned = launcher.abandon(e);
      LoadParameters launch = LoadParameters.of(abandoned.getJobParameters());
      out.println(
          "Abandoned execution "
              + abandoned.getId()
              + " (load "
              + DirectoryLoadJob.loadId(abandoned)
              + ", tenant "
              + launch.tenantId()
              + ", "
              + launch.describe()
              + ")"
              + (failure == null ? "" : ", which failed: " + failure));
      out.println(
          "  The next 'run' with these parameters starts a new load; tables this one finished"
              + " keep its rows until then.");
    }
    out.flush();
    return LoadCommands.OK;
  }
}
