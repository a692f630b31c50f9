package io.entrawarehouse.cli;

import io.entrawarehouse.job.JobRepositoryConfiguration;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.repository.support.JdbcJobRepositoryFactoryBean;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.jdbc.support.JdbcTransactionManager;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code status}: recent executions with per-step status and counts, read from the job repository
 * directly: no Spring context, so it costs a fraction of a second beside a running load.
 */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = "Shows recent directory-load executions with per-step status and counts.")
public final class StatusCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--last", description = "How many executions (default: ${DEFAULT-VALUE}).")
  int last = 5;

  /** Where the job repository is, as the load commands' context would connect to it. */
  record Repository(String url, String username, String password, String tablePrefix) {}

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Repository settings =
        SpringBootstrap.bind(
            spec.commandLine().getErr(),
            b ->
                new Repository(
                    JobRepositoryConfiguration.withSqliteSettings(
                        b.bind("spring.datasource.url", String.class).get()),
                    b.bind("spring.datasource.username", String.class).orElse(null),
                    b.bind("spring.datasource.password", String.class).orElse(null),
                    b.bind("spring.batch.jdbc.table-prefix", String.class).orElse("BATCH_")));
    List<JobExecution> executions = List.of();
    if (!neverCreated(settings.url())) {
      try {
        executions = LoadCommands.recentExecutions(repository(settings), last);
      } catch (Exception e) {
        if (!noSchema(e)) {
          throw SpringBootstrap.startFailure(
              e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e),
              WarehouseLocation.directory());
        }
      }
    }
    if (executions.isEmpty()) {
      out.println("No directory-load has run yet.");
    }
    executions.forEach(e -> LoadReport.execution(e, out));
    out.flush();
    return LoadCommands.OK;
  }

  /** A repository no load has created the tables of (SQLite's and PostgreSQL's words). */
  private static boolean noSchema(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String m = String.valueOf(t.getMessage());
      if (m.contains("no such table") || (m.contains("relation") && m.contains("does not exist"))) {
        return true;
      }
    }
    return false;
  }

  /** A SQLite repository whose file does not exist: reading it would only create an empty one. */
  private static boolean neverCreated(String url) {
    if (!url.startsWith("jdbc:sqlite:")) {
      return false;
    }
    String file = url.substring("jdbc:sqlite:".length());
    int q = file.indexOf('?');
    file = q < 0 ? file : file.substring(0, q);
    return !file.isEmpty() && !file.startsWith(":") && !Files.exists(Path.of(file));
  }

  private static JobRepository repository(Repository settings) throws Exception {
    DriverManagerDataSource db =
        new DriverManagerDataSource(settings.url(), settings.username(), settings.password());
    JdbcJobRepositoryFactoryBean factory = new JdbcJobRepositoryFactoryBean();
    factory.setDataSource(db);
    factory.setTransactionManager(new JdbcTransactionManager(db));
    factory.setTablePrefix(settings.tablePrefix());
    factory.afterPropertiesSet();
    return factory.getObject();
  }
}
