package io.entrawarehouse.job;

import com.fasterxml.jackson.databind.JsonNode;
import io.entrawarehouse.config.Cloud;
import io.entrawarehouse.graph.GraphClient;
import io.entrawarehouse.graph.GraphException;
import io.entrawarehouse.graph.GraphException.Auth;
import io.entrawarehouse.graph.GraphPage;
import io.entrawarehouse.warehouse.CloudAvailability;
import io.entrawarehouse.warehouse.Entity;
import io.entrawarehouse.write.iceberg.IcebergLake;
import io.entrawarehouse.write.parquet.ParquetPartWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.core.task.SimpleAsyncTaskExecutor;

/**
 * A log's read step: its window ({@link LogWindow#start}, fixed in the step's context when it first
 * starts: a restart reads the same window) cut into slices of whole UTC days ({@link #sliceDays}; a
 * night's or a first load's window is one), read as Spring Batch partitions, {@link
 * #SLICES_AT_ONCE} at a time, each restartable on its own: a restart reads again only the slices
 * that did not finish, each from its last committed chunk. Slices hide Graph's per-page latency;
 * the reports budget the requests share keeps them within Graph's limit.
 */
final class LogReadStep {

  /** How many slices of a log are read at once; the reports budget they share paces them. */
  static final int SLICES_AT_ONCE = 4;

  /** In a log slice's step context: its window, [from, until), and its number. */
  static final String SLICE_FROM = "slice.from";

  static final String SLICE_UNTIL = "slice.until";
  static final String SLICE_INDEX = ParquetPartWriter.SLICE;

  /**
   * In a log's read step context: how many days each slice of its window spans (0: one slice),
   * decided once (a restart cuts the window the same way).
   */
  static final String SLICE_DAYS = "window.slice-days";

  /** {@link #SLICE_DAYS} when Graph denied the log: no slice is read. */
  static final int NO_SLICE = -1;

  /**
   * A window longer than this may be cut into slices: a backfill. A night's (26 hours) and a first
   * load's (the week before the run date) are read whole, without the first look's request: that
   * one request cost the quick start a 10-second reports window.
   */
  static final Duration SLICE_AFTER = Duration.ofDays(7).plusHours(2);

  /**
   * How many pages a slice should hold at least: each slice costs a request of the reports budget
   * (5 a window) even when it holds little, so a slice of fewer pages spends more than it hides.
   */
  static final int PAGES_PER_SLICE = 4;

  private static final Logger log = LoggerFactory.getLogger(LogReadStep.class);

  private final ReadSteps steps;
  private final JobRepository repository;
  private final GraphClient graph;
  private final IcebergLake lake;
  private final LoadRun run;

  LogReadStep(
      ReadSteps steps, JobRepository repository, GraphClient graph, IcebergLake lake, LoadRun run) {
    this.steps = steps;
    this.repository = repository;
    this.graph = graph;
    this.lake = lake;
    this.run = run;
  }

  Step of(TablePlan plan) {
    Entity entity = plan.entity();
    LogWindow window = plan.window();
    ItemStreamReader<JsonNode> reader =
        new PerThread.Reader(
            slice ->
                steps.graphReader(
                    plan,
                    Instant.parse(slice.getString(SLICE_FROM)),
                    Instant.parse(slice.getString(SLICE_UNTIL))));
    Step worker = steps.chunkStep(entity.name() + "-slice", plan, reader);
    AtomicReference<Instant> from = new AtomicReference<>();
    SimpleAsyncTaskExecutor slices = new SimpleAsyncTaskExecutor(entity.name() + "-slice-");
    slices.setConcurrencyLimit(SLICES_AT_ONCE);
    AtomicInteger days = new AtomicInteger();
    return new StepBuilder(entity.name(), repository)
        .partitioner(worker.getName(), grid -> slices(from.get(), window.until(), days.get()))
        .step(worker)
        .taskExecutor(slices)
        .listener(
            new StepExecutionListener() {
              @Override
              public void beforeStep(StepExecution step) {
                ExecutionContext c = step.getExecutionContext();
                from.set(window.start(c, entity, lake, run.tenantId()));
                if (!c.containsKey(SLICE_DAYS)) {
                  c.putInt(SLICE_DAYS, firstSliceDays(c, plan, from.get()));
                }
                days.set(c.getInt(SLICE_DAYS));
                repository.updateExecutionContext(step);
              }

              @Override
              public ExitStatus afterStep(StepExecution step) {
                // What Graph refused a slice, said by the log's step as a whole.
                for (StepExecution s : step.getJobExecution().getStepExecutions()) {
                  if (s.getStepName().startsWith(worker.getName() + ":")) {
                    for (String key : List.of(LoadOutcome.DENIED, LoadOutcome.DEGRADED)) {
                      if (s.getExecutionContext().containsKey(key)) {
                        step.getExecutionContext()
                            .putString(key, s.getExecutionContext().getString(key));
                      }
                    }
                  }
                }
                return null;
              }
            })
        .listener(new RateLogger(entity))
        .build();
  }

  /**
   * How a window is cut the first time its step starts: a night's or a first load's window is read
   * whole; a backfill's as a first look at it (one request) finds worth it. A log Graph denies from
   * that first request is marked {@link LoadOutcome#DENIED} in {@code step} and not sliced at all.
   */
  private int firstSliceDays(ExecutionContext step, TablePlan plan, Instant from) {
    Entity entity = plan.entity();
    boolean longWindow =
        Duration.between(from, plan.window().until()).compareTo(SLICE_AFTER) > 0
            && CloudAvailability.missing(Cloud.ofGraphHost(graph.tokens().audience()), entity)
                == null;
    if (!longWindow) {
      return 0;
    }
    try {
      return sliceDays(plan, from);
    } catch (Auth e) {
      if (!e.denied()) {
        throw e;
      }
      // Denied from the first request, as a slice's reader would find it: the log is left as it
      // was and the rest of the load goes on (no slice runs).
      step.putString(LoadOutcome.DENIED, e.getMessage());
      log.warn(
          "{}: {} The table is left as it was; the rest of the load goes on.",
          entity.name(),
          e.getMessage());
      return NO_SLICE;
    }
  }

  /**
   * The days a slice of a log's window should span, from a first look at the window: none (0) when
   * its first page is the last; else as many whole days as {@link #PAGES_PER_SLICE} pages take at
   * the rate of the first page (events come newest first: its items' times span what a page holds).
   * Any other refusal leaves the window whole: the slice's own read meets it again and says what to
   * do; Graph's denial of the log itself is thrown, so the log is not asked again.
   */
  private int sliceDays(TablePlan plan, Instant from) {
    Entity entity = plan.entity();
    try {
      String url = graph.url(entity.path() + "?" + plan.query(from, plan.window().until(), true));
      GraphPage page = graph.page(entity.reading(), url, plan.eventual());
      if (page.nextLink() == null || page.items().size() < 2) {
        return 0;
      }
      Instant newest = Instant.parse(page.items().get(0).path(entity.timeProperty()).asText());
      Instant oldest =
          Instant.parse(
              page.items().get(page.items().size() - 1).path(entity.timeProperty()).asText());
      long seconds = Math.abs(Duration.between(oldest, newest).getSeconds()) * PAGES_PER_SLICE;
      return (int) Math.max(1, (seconds + 86_399) / 86_400);
    } catch (Auth e) {
      throw e;
    } catch (GraphException | DateTimeParseException e) {
      return 0;
    }
  }

  /**
   * A window cut every {@code days} UTC midnights (0: not cut; {@link #NO_SLICE}: none at all): the
   * slices' contexts, by partition name.
   */
  static Map<String, ExecutionContext> slices(Instant from, Instant until, int days) {
    Map<String, ExecutionContext> out = new LinkedHashMap<>();
    Instant start = days == NO_SLICE ? until : from;
    for (int i = 0; start.isBefore(until); i++) {
      Instant cut =
          days == 0 ? until : start.truncatedTo(ChronoUnit.DAYS).plus(Duration.ofDays(days));
      Instant end = cut.isBefore(until) ? cut : until;
      ExecutionContext slice = new ExecutionContext();
      slice.putString(SLICE_FROM, start.toString());
      slice.putString(SLICE_UNTIL, end.toString());
      slice.putInt(SLICE_INDEX, i);
      out.put(String.format(Locale.ROOT, "slice%03d", i), slice);
      start = end;
    }
    return out;
  }
}
