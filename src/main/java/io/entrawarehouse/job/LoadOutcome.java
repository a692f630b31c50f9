package io.entrawarehouse.job;

import io.entrawarehouse.read.MemberSideItemReader;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.transaction.TransactionSystemException;

/**
 * How a load ended, as its operator reads it: what Graph refused (the tables it denied, the extras
 * it left out), the PARTIAL exit of a completed load that left some out, and a failure's cause in
 * one line.
 */
public final class LoadOutcome {

  /** In a read step's context: Graph denied the table (permission or licence), and why. */
  static final String DENIED = "denied";

  /**
   * In a read step's context: Graph refused the entity's extra, the table loaded without it, and
   * why.
   */
  static final String DEGRADED = "degraded";

  private LoadOutcome() {}

  /**
   * What Graph refused a load: tables it denied (left as they were) and tables loaded without their
   * extra, each with why and what to do.
   */
  public record Refused(Map<String, String> tables, Map<String, String> extras) {
    public boolean isEmpty() {
      return tables.isEmpty() && extras.isEmpty();
    }
  }

  /**
   * What Graph refused a load, from the read steps of all its executions (a restart keeps an
   * earlier execution's refusals).
   */
  public static Refused refused(JobRepository repository, JobExecution execution) {
    Map<String, String> tables = new TreeMap<>();
    Map<String, String> extras = new TreeMap<>();
    for (JobExecution e : repository.getJobExecutions(execution.getJobInstance())) {
      for (StepExecution s : e.getStepExecutions()) {
        if (s.getStepName().contains(":")) {
          continue; // a log's slice: its log's step says what Graph refused it
        }
        ExecutionContext c = s.getExecutionContext();
        if (c.containsKey(DENIED)) {
          tables.put(s.getStepName(), c.getString(DENIED));
        }
        if (c.containsKey(DEGRADED)) {
          extras.put(s.getStepName(), c.getString(DEGRADED));
        }
        if (c.containsKey(MemberSideItemReader.REFUSED)) {
          extras.merge(
              s.getStepName(), c.getString(MemberSideItemReader.REFUSED), (a, b) -> a + " " + b);
        }
      }
    }
    return new Refused(tables, extras);
  }

  /**
   * The end of a completed execution, told: {@link DirectoryLoadJob#PARTIAL} with what Graph
   * refused, when it refused anything.
   */
  static void conclude(JobRepository repository, JobExecution execution) {
    if (execution.getStatus() != BatchStatus.COMPLETED) {
      return;
    }
    Refused refused = refused(repository, execution);
    if (!refused.isEmpty()) {
      Set<String> what = new TreeSet<>(refused.tables().keySet());
      refused.extras().keySet().forEach(t -> what.add(t + " (in part)"));
      execution.setExitStatus(
          new ExitStatus(DirectoryLoadJob.PARTIAL, "Graph refused " + String.join(", ", what)));
    }
  }

  /**
   * A failure in one line: the message of the first exception in the cause chain that is not a
   * framework's wrapper ("Encountered an error executing step …", a failed rollback, Spring's data
   * access exceptions); our own exceptions already say what failed and where. An operating-system
   * error underneath ("No space left on device") is added when the message lacks it.
   */
  public static String reason(Throwable t) {
    if (t instanceof TransactionSystemException tx && tx.getApplicationException() != null) {
      // A rollback that failed after the real failure: the real one is what to fix.
      return reason(tx.getApplicationException());
    }
    Throwable root = t;
    while (root.getCause() != null
        && root.getCause() != root
        && (root.getClass().getName().startsWith("org.springframework.")
            || root.getMessage() == null)) {
      root = root.getCause();
    }
    String message = root.getMessage() == null ? root.toString() : root.getMessage();
    message = message.lines().findFirst().orElse(message);
    if (root instanceof LinkageError) {
      // A bare class name says nothing to an operator: say that a jar is missing.
      return root.getClass().getSimpleName()
          + ": "
          + message
          + " is missing from the class path (a jar added with -Dloader.path, such as hadoop-aws,"
          + " needs its own dependencies beside it)";
    }
    Throwable innermost = root;
    while (innermost.getCause() != null && innermost.getCause() != innermost) {
      innermost = innermost.getCause();
    }
    if (innermost instanceof IOException io
        && io.getMessage() != null
        && !message.contains(io.getMessage())) {
      // A library's message that only names its own exception classes says less than the
      // system's error beneath it.
      message =
          message.contains("Exception:") ? io.getMessage() : message + " (" + io.getMessage() + ")";
    }
    return message;
  }
}
