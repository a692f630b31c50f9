package io.entrawarehouse.observe;

import io.entrawarehouse.config.ProgressMode;
import java.io.Console;
import java.io.PrintStream;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.step.StepExecution;

/**
 * A load's progress, from Spring Batch's own step executions: per running step, the items read, the
 * rate, and the time left where Graph announced a count; and Graph's waits summarised per reader
 * ("sign-ins: waiting for Graph's reports budget, 7 s (12 waits, 84 s so far)").
 *
 * <p>On a terminal it redraws a block of lines below the log every quarter second (the console
 * appender clears the block before each log line and redraws it after). Otherwise, when output goes
 * to a file, a pipe or a scheduler's log, it prints plain lines every {@code interval}, with no
 * escape codes.
 */
public final class Progress implements JobExecutionListener {

  private static final Duration FRAME = Duration.ofMillis(250);
  private static final long SHOWN_AFTER_MS = 500;
  private static volatile Progress terminal; // the block the console appender works around

  private final ProgressMode mode;
  private final UnaryOperator<String> readerName;
  private final Duration interval;
  private final PrintStream out;
  private ScheduledExecutorService ticker;
  private volatile JobExecution job;
  private int drawnLines;

  /**
   * @param readerName the name Graph's client knows a step's reader by ("sign-ins" for sign_ins)
   */
  public Progress(
      ProgressMode mode, UnaryOperator<String> readerName, Duration interval, PrintStream out) {
    this.mode =
        mode == ProgressMode.AUTO
            ? (isTerminal() ? ProgressMode.TERMINAL : ProgressMode.PLAIN)
            : mode;
    this.readerName = readerName;
    this.interval = interval;
    this.out = out;
  }

  /** Whether standard output is an interactive terminal (Java 22+ asks the console itself). */
  static boolean isTerminal() {
    Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException beforeJava22) {
      return true; // before Java 22, a console exists only on a terminal
    }
  }

  @Override
  public void beforeJob(JobExecution execution) {
    if (mode == ProgressMode.OFF) {
      return;
    }
    GraphActivity.reset();
    job = execution;
    ticker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "progress");
              t.setDaemon(true);
              return t;
            });
    long period = (mode == ProgressMode.TERMINAL ? FRAME : interval).toMillis();
    if (mode == ProgressMode.TERMINAL) {
      terminal = this;
    }
    ticker.scheduleAtFixedRate(this::tick, period, period, TimeUnit.MILLISECONDS);
  }

  @Override
  public void afterJob(JobExecution execution) {
    if (ticker == null) {
      return;
    }
    ticker.shutdownNow();
    try {
      ticker.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (Progress.class) {
      if (mode == ProgressMode.TERMINAL) {
        clear();
        terminal = null;
      }
      List<String> waits = waitLines(false);
      waits.forEach(w -> out.println("progress: " + w));
      out.flush();
    }
  }

  private void tick() {
    try {
      synchronized (Progress.class) {
        if (mode == ProgressMode.TERMINAL) {
          clear();
          draw();
        } else {
          for (String line : lines()) {
            out.println("progress: " + line);
          }
          out.flush();
        }
      }
    } catch (RuntimeException e) {
      // progress never fails a load
    }
  }

  /**
   * The lines to show now: one per table being loaded (its steps taken together: the read, its
   * slices, the lake commit), then one per reader waiting for Graph.
   */
  List<String> lines() {
    List<String> lines = new ArrayList<>();
    JobExecution execution = job;
    if (execution == null) {
      return lines;
    }
    Map<String, List<StepExecution>> byTable = new TreeMap<>();
    for (StepExecution step : execution.getStepExecutions()) {
      if (step.getStatus() == BatchStatus.STARTED && step.getStartTime() != null) {
        byTable.computeIfAbsent(table(step.getStepName()), k -> new ArrayList<>()).add(step);
      }
    }
    byTable.forEach((table, steps) -> lines.add(tableLine(table, steps)));
    lines.addAll(waitLines(true));
    return lines;
  }

  /** "sign_ins" for sign_ins, sign_ins-slice:slice000 and sign_ins-load. */
  static String table(String step) {
    int dash = step.indexOf('-');
    return dash < 0 ? step : step.substring(0, dash);
  }

  private String tableLine(String table, List<StepExecution> steps) {
    LocalDateTime started =
        steps.stream().map(StepExecution::getStartTime).min(LocalDateTime::compareTo).orElseThrow();
    double seconds =
        Math.max(0.001, Duration.between(started, LocalDateTime.now()).toMillis() / 1e3);
    boolean reading = steps.stream().anyMatch(s -> !s.getStepName().endsWith("-load"));
    if (!reading) {
      return String.format(Locale.ROOT, "%-28s writing to the lake  %6.0f s", table, seconds);
    }
    long read =
        Math.max(
            steps.stream().mapToLong(StepExecution::getReadCount).max().orElse(0),
            GraphActivity.fetched(readerName.apply(table)));
    double rate = read / seconds;
    StringBuilder b =
        new StringBuilder(
            String.format(
                Locale.ROOT, "%-28s %,12d items  %,9.0f/s  %6.0f s", table, read, rate, seconds));
    Long expected = GraphActivity.expected(readerName.apply(table));
    if (expected != null && expected > 0) {
      double left = rate > 0 ? Math.max(0, expected - read) / rate : Double.NaN;
      b.append(
          String.format(
              Locale.ROOT,
              "  %3.0f%% of %,d, %s left",
              Math.min(100.0, 100.0 * read / expected),
              expected,
              Double.isNaN(left) ? "?" : Math.round(left) + " s"));
    }
    return b.toString();
  }

  /** Waits per reader: those under way ({@code current}), or all with a total so far. */
  private static List<String> waitLines(boolean current) {
    List<String> lines = new ArrayList<>();
    for (Map.Entry<String, GraphActivity.Summary> e : GraphActivity.snapshot().entrySet()) {
      GraphActivity.Summary s = e.getValue();
      if (current && !s.waiting()) {
        continue;
      }
      if (s.count() == 0 && !s.waiting()) {
        continue;
      }
      long sinceMs = (System.nanoTime() - s.currentStartedAtNanos()) / 1_000_000;
      if (current && sinceMs < SHOWN_AFTER_MS) {
        continue; // most pacing pauses are over before anyone could read them
      }
      long lengthMs = s.currentLength().isZero() ? sinceMs : s.currentLength().toMillis();
      lines.add(
          current
              ? String.format(
                  Locale.ROOT,
                  "%s: waiting for %s, %d s (wait %d, %d s so far)",
                  e.getKey(),
                  s.why(),
                  Math.round(lengthMs / 1000.0),
                  s.count() + 1,
                  (s.total().toMillis() + sinceMs) / 1000)
              : String.format(
                  Locale.ROOT,
                  "%s: waited %d times for Graph, %d s in all (last for %s)",
                  e.getKey(),
                  s.count(),
                  s.total().toSeconds(),
                  s.why()));
    }
    return lines;
  }

  // ----------------------------------------------------------------- the terminal's block

  private void draw() {
    List<String> lines = lines();
    for (String line : lines) {
      out.print("\u001b[2K" + line + "\n");
    }
    drawnLines = lines.size();
    out.flush();
  }

  private void clear() {
    for (int i = 0; i < drawnLines; i++) {
      out.print("\u001b[1A\u001b[2K"); // up one line, and erase it
    }
    drawnLines = 0;
  }

  /**
   * Writes a log line above the progress block on a terminal: the block is erased, the line
   * written, the block drawn again. Without a block on screen, just writes the line.
   */
  public static void aboveProgress(Runnable write) {
    synchronized (Progress.class) {
      Progress p = terminal;
      if (p == null) {
        write.run();
        return;
      }
      p.clear();
      write.run();
      p.draw();
    }
  }
}
