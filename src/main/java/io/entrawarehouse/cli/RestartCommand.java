package io.entrawarehouse.cli;

import io.entrawarehouse.job.DirectoryLoadLauncher;
import io.entrawarehouse.job.LoadParameters;
import java.io.PrintWriter;
import java.nio.channels.FileLock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.context.ConfigurableApplicationContext;
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
    FileLock lock = LoadCommands.lock(LoadCommands.warehouseDirectory());
    if (lock == null) {
      return LoadCommands.busy(err);
    }
    try (lock;
        ConfigurableApplicationContext spring = LoadCommands.spring(err)) {
      DirectoryLoadLauncher launcher = spring.getBean(DirectoryLoadLauncher.class);
      // The newest execution of each tenant; those that did not complete are resumed in turn.
      Map<String, JobExecution> newest = new LinkedHashMap<>();
      for (JobExecution e : LoadCommands.recentExecutions(launcher, 200)) {
        newest.putIfAbsent(LoadParameters.of(e.getJobParameters()).tenantId(), e);
      }
      List<JobExecution> unfinished =
          newest.values().stream()
              .filter(
                  e ->
                      e.getStatus() != BatchStatus.COMPLETED
                          && e.getStatus() != BatchStatus.ABANDONED)
              .toList();
      if (unfinished.isEmpty()) {
        out.println(
            newest.isEmpty()
                ? "No directory-load has run yet: nothing to restart."
                : "The last directory-load of each tenant completed: nothing to restart.");
        out.flush();
        return LoadCommands.OK;
      }
      int worst = LoadCommands.OK;
      for (JobExecution last : unfinished) {
        LoadParameters launch = LoadParameters.of(last.getJobParameters());
        out.println("Restarting execution " + last.getId() + " (" + last.getStatus() + ")");
        DirectoryLoadLauncher.Connection connection =
            LoadCommands.connectTo(launcher, launch.tenantId(), out);
        if (connection == null) {
          err.println(
              "The failed run loaded tenant "
                  + launch.tenantId()
                  + ", which is not configured now: configure that tenant to restart it.");
          err.flush();
          worst = Math.max(worst, LoadCommands.BAD_INPUT);
          continue;
        }
        try (connection) {
          worst =
              Math.max(worst, LoadCommands.runAndReport(launcher, launch, connection, out, err));
        }
      }
      return worst;
    }
  }
}
