package io.entrawarehouse.cli;

import io.entrawarehouse.job.DirectoryLoadLauncher;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code status}: recent executions with per-step status and counts. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = "Shows recent directory-load executions with per-step status and counts.")
public final class StatusCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--last", description = "How many executions (default: ${DEFAULT-VALUE}).")
  int last = 5;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (ConfigurableApplicationContext spring =
        SpringBootstrap.spring(spec.commandLine().getErr())) {
      List<JobExecution> executions =
          LoadCommands.recentExecutions(spring.getBean(DirectoryLoadLauncher.class), last);
      if (executions.isEmpty()) {
        out.println("No directory-load has run yet.");
      }
      executions.forEach(e -> LoadReport.execution(e, out));
      out.flush();
      return LoadCommands.OK;
    }
  }
}
