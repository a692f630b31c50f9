package io.entrawarehouse.cli;

import io.entrawarehouse.job.DirectoryLoadLauncher;
import io.entrawarehouse.job.LoadParameters;
import java.io.PrintWriter;
import java.nio.channels.FileLock;
import java.util.concurrent.Callable;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code restart}: resumes the most recent failed or interrupted directory-load. */
@Command(
    name = "restart",
    mixinStandardHelpOptions = true,
    description =
        "Resumes the last failed or interrupted directory-load from its last committed chunk.")
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
      JobExecution last =
          LoadCommands.recentExecutions(launcher, 1).stream().findFirst().orElse(null);
      if (last == null || last.getStatus() == BatchStatus.COMPLETED) {
        out.println(
            last == null
                ? "No directory-load has run yet: nothing to restart."
                : "The last directory-load (execution "
                    + last.getId()
                    + ") completed: nothing to restart.");
        out.flush();
        return LoadCommands.OK;
      }
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
        return LoadCommands.BAD_INPUT;
      }
      try (connection) {
        return LoadCommands.runAndReport(launcher, launch, connection, out, err);
      }
    }
  }
}
