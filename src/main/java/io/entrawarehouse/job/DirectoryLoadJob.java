package io.entrawarehouse.job;

import com.fasterxml.jackson.databind.JsonNode;
import io.entrawarehouse.config.Cloud;
import io.entrawarehouse.graph.GraphBudget;
import io.entrawarehouse.graph.GraphBudget.Kind;
import io.entrawarehouse.graph.GraphClient;
import io.entrawarehouse.graph.GraphErrors;
import io.entrawarehouse.graph.GraphException;
import io.entrawarehouse.graph.GraphException.Auth;
import io.entrawarehouse.graph.GraphPage;
import io.entrawarehouse.observe.Meters;
import io.entrawarehouse.process.MalformedItemException;
import io.entrawarehouse.process.WarehouseRowProcessor;
import io.entrawarehouse.read.DeltaItemReader;
import io.entrawarehouse.read.GraphReaders;
import io.entrawarehouse.read.MemberSideItemReader;
import io.entrawarehouse.read.TransitiveMembersItemReader;
import io.entrawarehouse.warehouse.CloudAvailability;
import io.entrawarehouse.warehouse.Entities;
import io.entrawarehouse.warehouse.Entity;
import io.entrawarehouse.warehouse.KillPoints;
import io.entrawarehouse.write.duckdb.DuckDbLoader;
import io.entrawarehouse.write.duckdb.DuckDbRefresh;
import io.entrawarehouse.write.iceberg.IcebergLake;
import io.entrawarehouse.write.iceberg.Memberships;
import io.entrawarehouse.write.iceberg.Versions;
import io.entrawarehouse.write.parquet.ParquetPartWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.avro.generic.GenericRecord;
import org.apache.iceberg.io.CloseableIterable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.builder.FlowBuilder;
import org.springframework.batch.core.job.builder.FlowJobBuilder;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.job.flow.Flow;
import org.springframework.batch.core.job.flow.support.SimpleFlow;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.listener.SkipListener;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemProcessor;
import org.springframework.batch.infrastructure.item.ItemStream;
import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.batch.infrastructure.item.ItemStreamWriter;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.batch.infrastructure.support.transaction.ResourcelessTransactionManager;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionSystemException;

/**
 * The {@code directory-load} job: per entity, a chunk step named after it (Graph → row → Parquet
 * part in local staging) and a {@code <entity>-load} step that commits the staged parts to the
 * entity's Iceberg table in one commit and applies the committed table to a copy of the DuckDB
 * file; when the job ends, completed or not, the copy is swapped in (with any table an earlier
 * execution of the load committed). All of it is idempotent: a restart resumes from the last
 * committed chunk, a commit found in the table's history is not made again, and DuckDB is refreshed
 * only where it does not record the load yet. Staging is removed when the job completes.
 */
public final class DirectoryLoadJob {

  public static final String NAME = "directory-load";

  /** The job execution context key of a failed execution's cause, one line. */
  public static final String FAILURE = "failure";

  /** In a read step's context: Graph denied the table (permission or licence), and why. */
  public static final String DENIED = "denied";

  /**
   * In a read step's context: Graph refused the entity's {@link Entity.Extra}, the table loaded
   * without it, and why.
   */
  public static final String DEGRADED = "degraded";

  /** The exit status of a completed load that left tables Graph denied as they were. */
  public static final String PARTIAL = "PARTIAL";

  /** The job execution context keys of the load's id and unique id, kept across restarts. */
  public static final String LOAD_ID = "load.id";

  public static final String LOAD_UID = "load.uid";

  /** The load step's execution context key: the rows it committed. */
  public static final String ROWS_LOADED = "rows.loaded";

  private static final Logger log = LoggerFactory.getLogger(DirectoryLoadJob.class);

  private DirectoryLoadJob() {}

  /** What a step needs that is only known once the job instance exists. */
  private static final class LoadContext {
    final AtomicLong loadId = new AtomicLong();
    final AtomicReference<String> loadUid = new AtomicReference<>();
    final AtomicReference<Instant> loadedAt = new AtomicReference<>();

    /**
     * The DuckDB refresh of this run, opened by the first commit: each table is applied as soon as
     * it is committed (while the other flow still reads Graph), and the copy is swapped in when the
     * job ends.
     */
    final AtomicReference<DuckDbRefresh> session = new AtomicReference<>();

    synchronized DuckDbRefresh session(LoadStores stores) {
      if (session.get() == null) {
        session.set(LakeToDuckDb.open(stores, loadId.get()));
      }
      return session.get();
    }
  }

  /**
   * The steps in order, read then load for each table, except that a table computed from the lake
   * (no request to Graph: the transitive closure of the memberships loaded before it) runs beside
   * the tables after it, which wait on Graph meanwhile.
   */
  private static Flow flow(String name, List<Step[]> steps, List<Boolean> computed) {
    int side = computed.indexOf(true);
    if (side <= 0) {
      FlowBuilder<SimpleFlow> flow = new FlowBuilder<SimpleFlow>(name);
      for (int i = 0; i < steps.size(); i++) {
        flow = i == 0 ? flow.start(steps.get(i)[0]) : flow.next(steps.get(i)[0]);
        flow = flow.next(steps.get(i)[1]);
      }
      return flow.build();
    }
    Flow before = flow(name, steps.subList(0, side), computed.subList(0, side));
    Flow beside =
        new FlowBuilder<SimpleFlow>(name + "-computed")
            .start(steps.get(side)[0])
            .next(steps.get(side)[1])
            .build();
    if (side + 1 == steps.size()) {
      return new FlowBuilder<SimpleFlow>(name + "-all").start(before).next(beside).build();
    }
    Flow after =
        flow(
            name + "-rest",
            steps.subList(side + 1, steps.size()),
            computed.subList(side + 1, computed.size()));
    Flow both =
        new FlowBuilder<SimpleFlow>(name + "-split")
            .split(new SimpleAsyncTaskExecutor("directory-load-"))
            .add(beside, after)
            .build();
    return new FlowBuilder<SimpleFlow>(name + "-all").start(before).next(both).build();
  }

  /** Whether Graph counts the entity's requests against the reports budget. */
  static boolean onReportsBudget(Entity entity) {
    return entity.isLog()
        || GraphBudget.cost("https://graph/v1.0" + entity.pathFor("id")).kind() == Kind.REPORTS;
  }

  /**
   * The warehouse id of a load's execution: its load id, or the job instance's before there was
   * one.
   */
  public static long loadId(JobExecution execution) {
    return execution.getExecutionContext().containsKey(LOAD_ID)
        ? execution.getExecutionContext().getLong(LOAD_ID)
        : execution.getJobInstanceId();
  }

  public static Job build(
      JobRepository repository,
      GraphClient graph,
      LoadStores stores,
      LoadParameters launch,
      int chunkSize,
      int concurrency) {
    LoadContext context = new LoadContext();
    // A step's own work is files (Parquet parts) and the lake's catalog commit, which is atomic on
    // its own: the steps need no database transaction. Each chunk's position is then recorded in
    // a short transaction of the repository's own, instead of one held while the chunk is read
    // from Graph, which kept the job repository locked (status waited, the two flows queued).
    PlatformTransactionManager transactions = new ResourcelessTransactionManager();
    // Directory entities and reports (the logs, registration details) draw on separate Graph
    // throttling budgets (resource units per app and tenant, against 5 report requests per 10 s),
    // so they are read side by side: a load takes the longer of the two, not their sum.
    List<Flow> flows = new ArrayList<>();
    for (boolean logs : new boolean[] {false, true}) {
      List<Step[]> steps = new ArrayList<>(); // read, load
      List<Boolean> computed = new ArrayList<>();
      for (Entity entity : launch.entities()) {
        if (onReportsBudget(entity) != logs) {
          continue;
        }
        steps.add(
            new Step[] {
              readStep(
                  repository,
                  transactions,
                  graph,
                  stores,
                  launch,
                  entity,
                  context,
                  chunkSize,
                  concurrency),
              loadStep(repository, transactions, stores, launch, entity, context)
            });
        computed.add(!entity.readFromGraph());
      }
      if (!steps.isEmpty()) {
        flows.add(flow(logs ? "logs" : "directory", steps, computed));
      }
    }
    Flow all =
        flows.size() == 1
            ? flows.get(0)
            : new FlowBuilder<SimpleFlow>("directory-and-logs")
                .split(new SimpleAsyncTaskExecutor("directory-load-"))
                .add(flows.toArray(new Flow[0]))
                .build();
    FlowJobBuilder job = new JobBuilder(NAME, repository).start(all).end();
    return job.listener(
            new JobExecutionListener() {
              @Override
              public void beforeJob(JobExecution execution) {
                DuckDbLoader.preload();
                ExecutionContext ec = execution.getExecutionContext();
                if (!ec.containsKey(LOAD_ID)) {
                  // A restart carries the first execution's context: one id per load.
                  ec.putLong(
                      LOAD_ID,
                      stores
                          .loadIds()
                          .next(
                              launch.tenantId(),
                              execution.getJobInstance().getInstanceId(),
                              stores.lake().maxLoadId(List.copyOf(Entities.ALL.values()))));
                  ec.putString(LOAD_UID, UUID.randomUUID().toString());
                  repository.updateExecutionContext(execution);
                }
                context.loadId.set(ec.getLong(LOAD_ID));
                context.loadUid.set(ec.getString(LOAD_UID));
                // The first execution's creation time: the same on every restart of this load.
                Instant first =
                    repository.getJobExecutions(execution.getJobInstance()).stream()
                        .map(JobExecution::getCreateTime)
                        .min(Comparator.naturalOrder())
                        .orElse(execution.getCreateTime())
                        .toInstant(ZoneOffset.UTC);
                context.loadedAt.set(first);
              }

              @Override
              public void afterJob(JobExecution execution) {
                boolean busy =
                    execution.getAllFailureExceptions().stream()
                        .anyMatch(DuckDbLoader.Busy.class::isInstance);
                if (stores.duckdb() != null && !busy) {
                  try (DuckDbRefresh session = context.session.get()) {
                    KillPoints.reached("before-duckdb");
                    IcebergLake.Load load = load(context, launch, null, null, null);
                    if (session == null) {
                      // No table committed in this execution (a restart of a load whose commits
                      // all came earlier, or a failure before any): what is missing, if anything.
                      LakeToDuckDb.refresh(stores, launch, load);
                    } else {
                      LakeToDuckDb.applyCommitted(stores, launch, load, session, launch.entities());
                      session.finish();
                    }
                    KillPoints.reached("after-duckdb");
                  } catch (RuntimeException e) {
                    // The lake holds what was committed; DuckDB takes it when the load resumes.
                    execution.setStatus(BatchStatus.FAILED);
                    execution.setExitStatus(ExitStatus.FAILED.addExitDescription(e));
                    execution.addFailureException(e);
                  } finally {
                    context.session.set(null);
                  }
                }
                if (execution.getStatus() == BatchStatus.COMPLETED) {
                  stores.staging().discard(context.loadId.get());
                  Refused refused = refused(repository, execution);
                  if (!refused.isEmpty()) {
                    Set<String> what = new TreeSet<>(refused.tables().keySet());
                    refused.extras().keySet().forEach(t -> what.add(t + " (in part)"));
                    execution.setExitStatus(
                        new ExitStatus(PARTIAL, "Graph refused " + String.join(", ", what)));
                  }
                  return;
                }
                // The first failure's cause, one line, for 'status' (the exit description holds
                // a whole stack trace).
                execution.getAllFailureExceptions().stream()
                    .findFirst()
                    .ifPresent(
                        failure -> {
                          execution.getExecutionContext().putString(FAILURE, reason(failure));
                          repository.updateExecutionContext(execution);
                        });
              }
            })
        .build();
  }

  /**
   * A log's load, its window as its read step read it, and where the tenant's mark moves: to the
   * window's end (or when the read began, if that is earlier) when the window read every event (no
   * filter of the user's) from the mark on (or from the oldest time Graph keeps, when the mark is
   * older: what lies before is beyond reach), else it stays, and a cursor load later fills the gap.
   */
  private static IcebergLake.Load logLoad(
      LoadContext context,
      LoadParameters launch,
      Entity entity,
      StepExecution read,
      IcebergLake lake) {
    ExecutionContext window = read.getExecutionContext();
    Instant from = Instant.parse(window.getString(WINDOW_FROM));
    Instant mark = lake.logMark(entity, launch.tenantId());
    boolean complete = !launch.filters().containsKey(entity.name());
    boolean reaches = mark == null || !from.isAfter(mark) || window.containsKey(WINDOW_CLAMPED);
    if (!complete) {
      log.info(
          "{}: the lake's mark stays at {}: filter.{} read only some events",
          entity.name(),
          mark,
          entity.name());
    } else if (!reaches) {
      log.info(
          "{}: the lake's mark stays at {}: this window starts after it, at {}; a load with"
              + " since=cursor reads from the mark",
          entity.name(),
          mark,
          from);
    }
    Instant readAt =
        window.containsKey(WINDOW_READ_AT)
            ? Instant.parse(window.getString(WINDOW_READ_AT))
            : launch.until();
    Instant readTo = readAt.isBefore(launch.until()) ? readAt : launch.until();
    if (readTo.isBefore(launch.until())) {
      log.info(
          "{}: until={} is later than this read began ({}): the lake's mark moves to {} only, so"
              + " the next cursor load reads the events after it",
          entity.name(),
          launch.until(),
          readAt,
          readTo);
    }
    boolean forward = mark == null || readTo.isAfter(mark);
    return load(
        context, launch, from, launch.until(), complete && reaches && forward ? readTo : null);
  }

  /** The load as the lake records it: a directory table's has no window (nulls). */
  private static IcebergLake.Load load(
      LoadContext context, LoadParameters launch, Instant from, Instant until, Instant mark) {
    return new IcebergLake.Load(
        context.loadId.get(),
        context.loadUid.get(),
        launch.tenantId(),
        launch.runDate(),
        from,
        until,
        mark);
  }

  private static Step readStep(
      JobRepository repository,
      PlatformTransactionManager transactions,
      GraphClient graph,
      LoadStores stores,
      LoadParameters launch,
      Entity entity,
      LoadContext context,
      int chunkSize,
      int concurrency) {
    ItemStreamReader<JsonNode> reader;
    if (!entity.readFromGraph()) {
      reader =
          new TransitiveMembersItemReader(
              entity.name(), memberships(stores.lake(), entity.closureOf(), launch.tenantId()));
    } else if (!entity.isLog()) {
      String deltaSelect = launch.deltaSelect(entity);
      reader =
          deltaSelect == null
              ? graphReader(graph, stores, launch, entity, null, concurrency)
              : new DeltaItemReader(
                  graph,
                  entity,
                  deltaSelect,
                  () -> stores.lake().deltaLink(entity, launch.tenantId(), deltaSelect),
                  () -> graphReader(graph, stores, launch, entity, null, concurrency));
    } else {
      return logReadStep(
          repository, transactions, graph, stores, launch, entity, context, chunkSize, concurrency);
    }
    return chunkStep(
        entity.name(),
        repository,
        transactions,
        stores,
        launch,
        entity,
        context,
        chunkSize,
        reader);
  }

  /** How many slices of a log are read at once; the reports budget they share paces them. */
  static final int SLICES_AT_ONCE = 4;

  /** In a log slice's step context: its window, [from, until), and its number. */
  static final String SLICE_FROM = "slice.from";

  static final String SLICE_UNTIL = "slice.until";
  static final String SLICE_INDEX = ParquetPartWriter.SLICE;

  /**
   * A log's read step: its window (fixed in the step's context when it first starts: a restart
   * reads the same window) cut into slices of whole UTC days ({@link #sliceDays}; a night's or a
   * first load's window is one), read as Spring Batch partitions, {@link #SLICES_AT_ONCE} at a
   * time, each restartable on its own: a restart reads again only the slices that did not finish,
   * each from its last committed chunk. Slices hide Graph's per-page latency; the reports budget
   * the requests share keeps them within Graph's limit.
   */
  private static Step logReadStep(
      JobRepository repository,
      PlatformTransactionManager transactions,
      GraphClient graph,
      LoadStores stores,
      LoadParameters launch,
      Entity entity,
      LoadContext context,
      int chunkSize,
      int concurrency) {
    ItemStreamReader<JsonNode> reader =
        new DeferredReader(
            slice ->
                graphReader(
                    graph,
                    stores,
                    launch,
                    entity,
                    Instant.parse(slice.getString(SLICE_FROM)),
                    Instant.parse(slice.getString(SLICE_UNTIL)),
                    concurrency));
    Step worker =
        chunkStep(
            entity.name() + "-slice",
            repository,
            transactions,
            stores,
            launch,
            entity,
            context,
            chunkSize,
            reader);
    AtomicReference<Instant> from = new AtomicReference<>();
    SimpleAsyncTaskExecutor slices = new SimpleAsyncTaskExecutor(entity.name() + "-slice-");
    slices.setConcurrencyLimit(SLICES_AT_ONCE);
    AtomicInteger days = new AtomicInteger();
    return new StepBuilder(entity.name(), repository)
        .partitioner(worker.getName(), grid -> slices(from.get(), launch.until(), days.get()))
        .step(worker)
        .taskExecutor(slices)
        .listener(
            new StepExecutionListener() {
              @Override
              public void beforeStep(StepExecution step) {
                ExecutionContext c = step.getExecutionContext();
                from.set(windowFrom(c, launch, entity, stores.lake()));
                if (!c.containsKey(SLICE_DAYS)) {
                  // A night's or a first load's window is read whole; a backfill's is cut as a
                  // first look at it (one request) finds worth it.
                  boolean longWindow =
                      Duration.between(from.get(), launch.until()).compareTo(SLICE_AFTER) > 0
                          && CloudAvailability.missing(
                                  Cloud.ofGraphHost(graph.tokens().audience()), entity)
                              == null;
                  int sliceDays = 0;
                  if (longWindow) {
                    try {
                      sliceDays = sliceDays(graph, launch, entity, from.get());
                    } catch (Auth e) {
                      if (!e.denied()) {
                        throw e;
                      }
                      // Denied from the first request, as a slice's reader would find it: the
                      // log is left as it was and the rest of the load goes on (no slice runs).
                      c.putString(DENIED, e.getMessage());
                      log.warn(
                          "{}: {} The table is left as it was; the rest of the load goes on.",
                          entity.name(),
                          e.getMessage());
                      sliceDays = NO_SLICE;
                    }
                  }
                  c.putInt(SLICE_DAYS, sliceDays);
                }
                days.set(c.getInt(SLICE_DAYS));
                repository.updateExecutionContext(step);
              }

              @Override
              public ExitStatus afterStep(StepExecution step) {
                // What Graph refused a slice, said by the log's step as a whole.
                for (StepExecution s : step.getJobExecution().getStepExecutions()) {
                  if (s.getStepName().startsWith(worker.getName() + ":")) {
                    for (String key : List.of(DENIED, DEGRADED)) {
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

  /**
   * The days a slice of a log's window should span, from a first look at the window: none (0) when
   * its first page is the last; else as many whole days as {@link #PAGES_PER_SLICE} pages take at
   * the rate of the first page (events come newest first: its items' times span what a page holds).
   * Any other refusal leaves the window whole: the slice's own read meets it again and says what to
   * do; Graph's denial of the log itself is thrown, so the log is not asked again.
   */
  private static int sliceDays(
      GraphClient graph, LoadParameters launch, Entity entity, Instant from) {
    try {
      String url = graph.url(entity.path() + "?" + launch.query(entity, from, true));
      GraphPage page = graph.page(entity.reading(), url, launch.needsEventual(entity));
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

  /**
   * A chunk step: Graph items read, made rows, written as Parquet parts. Its reader and writer keep
   * their state per thread (a log's slices run the same step on several threads at once).
   */
  private static Step chunkStep(
      String name,
      JobRepository repository,
      PlatformTransactionManager transactions,
      LoadStores stores,
      LoadParameters launch,
      Entity entity,
      LoadContext context,
      int chunkSize,
      ItemStreamReader<JsonNode> reader) {
    DeltaItemReader delta = reader instanceof DeltaItemReader d ? d : null;
    ItemProcessor<JsonNode, GenericRecord> processor =
        new ItemProcessor<>() {
          private volatile WarehouseRowProcessor delegate;
          private volatile DeltaItemReader.Mode mode;

          @Override
          public GenericRecord process(JsonNode item) throws Exception {
            DeltaItemReader.Mode now = delta == null ? null : delta.mode();
            if (delegate == null || now != mode) {
              mode = now;
              // A delta round's rows keep Graph's JSON until merged: it tells which properties
              // came (absent is not null) and what was removed.
              delegate =
                  new WarehouseRowProcessor(
                      entity,
                      launch.tenantId(),
                      context.loadId.get(),
                      context.loadedAt.get(),
                      launch.keepsRawJson(entity) || now == DeltaItemReader.Mode.CHANGES);
            }
            return delegate.process(item);
          }
        };
    ItemStreamWriter<GenericRecord> writer =
        new PerThreadWriter(
            () ->
                new ParquetPartWriter(
                    entity,
                    stores.staging(),
                    () -> context.loadId.get(),
                    launch.runDate(),
                    () -> delta == null ? 0 : delta.round()));
    return new StepBuilder(name, repository)
        .<JsonNode, GenericRecord>chunk(chunkSize)
        .transactionManager(transactions)
        .reader(reader)
        .processor(processor)
        .writer(writer)
        .faultTolerant()
        .skip(MalformedItemException.class)
        .skipLimit(10_000)
        .skipListener(
            new SkipListener<JsonNode, GenericRecord>() {
              @Override
              public void onSkipInProcess(JsonNode item, Throwable t) {
                log.warn("{}", t.getMessage());
                RejectedItems.append(
                    RejectedItems.file(stores.rejected(), context.loadId.get(), entity),
                    entity,
                    item,
                    t.getMessage());
              }
            })
        .listener(
            name.equals(entity.name()) ? new RateLogger(entity) : new StepExecutionListener() {})
        .build();
  }

  /**
   * The reader, with a refused query's message saying where the query came from, and a table Graph
   * denies from its first request (a permission not granted, a licence the tenant lacks) read as
   * empty and marked {@link #DENIED} in the step's context: the load step leaves that table as it
   * was and the rest of the load goes on, ending PARTIAL. When the query carries the entity's
   * {@link Entity.Extra} ({@code withoutExtra} is not null), a denial of the first request is taken
   * as the extra's: the table is read again without it, its columns NULL, and marked {@link
   * #DEGRADED}. A denial after the first item fails the step as any error does.
   */
  private static ItemStreamReader<JsonNode> guarded(
      ItemStreamReader<JsonNode> withExtra,
      Supplier<ItemStreamReader<JsonNode>> withoutExtra,
      Entity entity,
      String hint,
      GraphClient graph,
      BooleanSupplier loadedBefore,
      String unavailable,
      String extraUnavailable) {
    return new ItemStreamReader<>() {
      private ItemStreamReader<JsonNode> reader = withExtra;
      private boolean started;
      private String denied;
      private String degraded;
      private boolean askedAgain;

      @Override
      public JsonNode read() throws Exception {
        while (denied == null) {
          try {
            JsonNode item = reader.read();
            if (!started && degraded != null) {
              log.warn("{}: {}", entity.name(), degraded);
            }
            started = true;
            return item;
          } catch (GraphException.Query e) {
            throw e.withHint(hint);
          } catch (GraphException.Auth e) {
            if (started || !e.denied()) {
              throw e;
            }
            if (!askedAgain && GraphErrors.isLicence(e.code()) && loadedBefore.getAsBoolean()) {
              // Graph has refused a licensed tenant's reports at random (the register's
              // INTERMITTENT_LICENCE_REFUSAL): a table loaded before is asked once more.
              askedAgain = true;
              log.warn(
                  "{}: {} The table was loaded before: asking Graph once more after a pause.",
                  entity.name(),
                  e.getMessage());
              graph.pause();
              continue;
            }
            if (withoutExtra != null && degraded == null) {
              degraded = withoutExtraBecause(entity, e);
              reader.close();
              reader = withoutExtra.get();
              reader.open(new ExecutionContext());
              continue;
            }
            degraded = null; // refused without the extra too: the table's own permission
            denied = e.getMessage();
            log.warn(
                "{}: {} The table is left as it was; the rest of the load goes on.",
                entity.name(),
                denied);
          }
        }
        return null;
      }

      @Override
      public void open(ExecutionContext context) {
        denied = context.containsKey(DENIED) ? context.getString(DENIED) : unavailable;
        degraded = context.containsKey(DEGRADED) ? context.getString(DEGRADED) : extraUnavailable;
        if (unavailable != null && !context.containsKey(DENIED)) {
          log.warn("{}: {}", entity.name(), unavailable);
        }
        started = context.containsKey(entity.name() + ".link");
        if (degraded != null && withoutExtra != null) {
          reader = withoutExtra.get();
        }
        reader.open(context);
      }

      @Override
      public void update(ExecutionContext context) {
        reader.update(context);
        if (denied != null) {
          context.putString(DENIED, denied);
        }
        if (degraded != null) {
          context.putString(DEGRADED, degraded);
        }
      }

      @Override
      public void close() {
        reader.close();
      }
    };
  }

  /** The guarded Graph reader of a directory entity. */
  private static ItemStreamReader<JsonNode> graphReader(
      GraphClient graph,
      LoadStores stores,
      LoadParameters launch,
      Entity entity,
      Instant from,
      int concurrency) {
    return graphReader(graph, stores, launch, entity, from, launch.until(), concurrency);
  }

  /** The guarded Graph reader of an entity; a log's in the window [from, until). */
  private static ItemStreamReader<JsonNode> graphReader(
      GraphClient graph,
      LoadStores stores,
      LoadParameters launch,
      Entity entity,
      Instant from,
      Instant until,
      int concurrency) {
    Cloud cloud = Cloud.ofGraphHost(graph.tokens().audience());
    String extraMissing = CloudAvailability.missingExtra(cloud, entity);
    String query = launch.query(entity, from, until, extraMissing == null);
    String without = launch.query(entity, from, until, false);
    boolean eventual = launch.needsEventual(entity);
    return guarded(
        GraphReaders.of(graph, entity, query, eventual, concurrency),
        without.equals(query)
            ? null
            : () -> GraphReaders.of(graph, entity, without, eventual, concurrency),
        entity,
        launch.queryHint(entity, from),
        graph,
        () -> stores.lake().loadedBefore(entity, launch.tenantId()),
        CloudAvailability.missing(cloud, entity),
        launch.extraWanted(entity) ? extraMissing : null);
  }

  /** In a log's read step context: where its window starts, fixed by the step's first open. */
  static final String WINDOW_FROM = "window.from";

  /**
   * In a log's read step context: the window starts at the oldest time Graph keeps, later than the
   * lake's mark or the launch's {@code since}; what lay between is beyond reach.
   */
  static final String WINDOW_CLAMPED = "window.clamped";

  /**
   * In a log's read step context: when its first read began. Events after it may exist that this
   * read never saw, so the tenant's mark never moves past it (an {@code until} later today).
   */
  static final String WINDOW_READ_AT = "window.read-at";

  /**
   * Where a log's window starts: as the step context has it (a restart), else {@code since=} as
   * given, or with {@code since=cursor} the lake's mark for the tenant less {@link
   * LoadParameters#LOG_OVERLAP} ({@code until} less 7 days without a mark); never before the oldest
   * time Graph keeps (one WARN line when it had to move). Recorded in the context.
   */
  private static Instant windowFrom(
      ExecutionContext stepContext, LoadParameters launch, Entity entity, IcebergLake lake) {
    if (stepContext.containsKey(WINDOW_FROM)) {
      return Instant.parse(stepContext.getString(WINDOW_FROM));
    }
    Instant mark = launch.cursor() ? lake.logMark(entity, launch.tenantId()) : null;
    Instant wanted = mark == null ? launch.since() : mark.minus(LoadParameters.LOG_OVERLAP);
    Instant from = launch.withinRetention(wanted, Instant.now());
    if (mark != null) {
      log.info(
          "{}: the lake holds every event up to {}: reading from {} ({} h before it) to {}",
          entity.name(),
          mark,
          from,
          LoadParameters.LOG_OVERLAP.toHours(),
          launch.until());
    }
    if (!from.equals(wanted)) {
      log.warn(
          "{}: {} reaches past the {} days Graph keeps {}; reading from {} instead{}",
          entity.name(),
          mark == null ? "since=" + wanted : "the lake's mark, " + mark + ",",
          LoadParameters.LOG_RETENTION.toDays(),
          entity.what(),
          from,
          mark == null
              ? ""
              : ": the events between were never loaded, and Graph no longer keeps them");
      stepContext.putString(WINDOW_CLAMPED, "true");
    }
    stepContext.putString(WINDOW_FROM, from.toString());
    // Whole seconds, rounded down: the mark goes into the next load's $filter, and Graph's
    // DateTimeOffset takes at most 7 fractional digits (Instant.now() may have 9).
    stepContext.putString(WINDOW_READ_AT, Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    return from;
  }

  /**
   * An item stream made for each thread that opens it, from the step's context (a log slice's
   * window): a log's slices run the same step on several threads at once, and a step's stream is
   * opened, used and closed on one thread.
   */
  private abstract static class PerThread<T extends ItemStream> implements ItemStream {
    private final Function<ExecutionContext, T> make;
    private final ThreadLocal<T> current = new ThreadLocal<>();

    PerThread(Function<ExecutionContext, T> make) {
      this.make = make;
    }

    T current() {
      return current.get();
    }

    @Override
    public void open(ExecutionContext context) {
      current.set(make.apply(context));
      current.get().open(context);
    }

    @Override
    public void update(ExecutionContext context) {
      current.get().update(context);
    }

    @Override
    public void close() {
      T stream = current.get();
      if (stream != null) {
        stream.close();
        current.remove();
      }
    }
  }

  /** A reader made when its step opens, from the step's context, one for each thread. */
  private static final class DeferredReader extends PerThread<ItemStreamReader<JsonNode>>
      implements ItemStreamReader<JsonNode> {
    DeferredReader(Function<ExecutionContext, ItemStreamReader<JsonNode>> make) {
      super(make);
    }

    @Override
    public JsonNode read() throws Exception {
      return current().read();
    }
  }

  /** A writer made for each thread when it opens (a log's slices write side by side). */
  private static final class PerThreadWriter extends PerThread<ItemStreamWriter<GenericRecord>>
      implements ItemStreamWriter<GenericRecord> {
    PerThreadWriter(Supplier<ItemStreamWriter<GenericRecord>> make) {
      super(context -> make.get());
    }

    @Override
    public void write(Chunk<? extends GenericRecord> items) throws Exception {
      current().write(items);
    }
  }

  /**
   * A tenant's direct memberships as the lake's table holds them now: what a closure table is
   * computed from.
   */
  private static TransitiveMembersItemReader.Memberships memberships(
      IcebergLake lake, Entity table, String tenantId) {
    return new TransitiveMembersItemReader.Memberships() {
      @Override
      public long current() {
        return lake.currentSnapshotId(table);
      }

      @Override
      public void forEach(long snapshot, Consumer<String[]> membership) {
        List<String> columns =
            List.of("group_id", "member_id", "member_type", "member_display_name");
        try (CloseableIterable<org.apache.iceberg.data.Record> rows =
            lake.rows(table, tenantId, snapshot, columns)) {
          for (org.apache.iceberg.data.Record r : rows) {
            membership.accept(
                new String[] {
                  (String) r.getField("group_id"),
                  (String) r.getField("member_id"),
                  (String) r.getField("member_type"),
                  (String) r.getField("member_display_name")
                });
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    };
  }

  /** Why a table loads without its extra property, and what to do about it. */
  private static String withoutExtraBecause(Entity entity, GraphException.Auth e) {
    Entity.Extra extra = entity.extra();
    boolean licence = GraphErrors.isLicence(e.code());
    return "Graph refused "
        + extra.property()
        + " ("
        + e.status()
        + " "
        + e.code()
        + "): it needs "
        + (licence
            ? "Entra ID " + extra.licence() + " or above in the tenant"
            : extra.permission().display() + " granted to the app, with admin consent")
        + ". "
        + entity.name()
        + " loaded without it, its "
        + extra.property()
        + " columns NULL; "
        + (licence ? "license the tenant" : "grant it")
        + ", or launch with "
        + extra.toggle()
        + "=false to leave it out.";
  }

  /**
   * What Graph refused a load: tables it denied (left as they were) and tables loaded without their
   * {@link Entity.Extra}, each with why and what to do.
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

  private static Step loadStep(
      JobRepository repository,
      PlatformTransactionManager transactions,
      LoadStores stores,
      LoadParameters launch,
      Entity entity,
      LoadContext context) {
    return new StepBuilder(entity.name() + "-load", repository)
        .tasklet(
            (contribution, chunkContext) -> {
              KillPoints.reached("after-staging:" + entity.name());
              StepExecution read =
                  repository.getLastStepExecution(
                      chunkContext
                          .getStepContext()
                          .getStepExecution()
                          .getJobExecution()
                          .getJobInstance(),
                      entity.name());
              if (read != null && read.getExecutionContext().containsKey(DENIED)) {
                log.info(
                    "{}: not committed, Graph denied it; the table is as it was", entity.name());
                return RepeatStatus.FINISHED;
              }
              long loadId = context.loadId.get();
              IcebergLake lake = stores.lake();
              List<Path> parts = stores.staging().stagedParts(entity, loadId);
              ExecutionContext readContext = read.getExecutionContext();
              boolean changes = false;
              IcebergLake.Load load =
                  entity.isLog()
                      ? logLoad(context, launch, entity, read, lake)
                      : load(context, launch, null, null, null);
              if (readContext.containsKey(DeltaItemReader.MODE)) {
                parts =
                    ParquetPartWriter.ofRound(parts, readContext.getInt(DeltaItemReader.ROUND, 0));
                changes =
                    DeltaItemReader.Mode.CHANGES
                        .name()
                        .equals(readContext.getString(DeltaItemReader.MODE));
                if (readContext.containsKey(DeltaItemReader.NEXT)) {
                  load =
                      load.with(
                          Map.of(
                              IcebergLake.DELTA_LINK,
                              readContext.getString(DeltaItemReader.NEXT),
                              IcebergLake.DELTA_SELECT,
                              launch.deltaSelect(entity)));
                }
              }
              long twice = 0;
              if (lake.committed(entity, load.uid()) == null) {
                Versions versions = new Versions(lake, stores.staging());
                Map<String, String> reasons = Map.of();
                if (changes) {
                  Versions.Merged merged =
                      versions.merge(
                          entity, launch.tenantId(), loadId, parts, launch.keepsRawJson(entity));
                  log.info(
                      "{}: {} objects changed since the last load ({} removed)",
                      entity.name(),
                      merged.changed(),
                      merged.removed().size());
                  parts = List.of(merged.part());
                  reasons = merged.removed();
                  if (entity == Entities.GROUP_MEMBERS) {
                    Memberships.Completed done =
                        new Memberships(lake, versions, stores.staging())
                            .complete(
                                entity,
                                launch.tenantId(),
                                loadId,
                                context.loadedAt.get(),
                                merged.part(),
                                reasons);
                    log.info(
                        "{}: {} memberships of members this load saw deleted left their groups, {}"
                            + " of restored members came back, {} renamed",
                        entity.name(),
                        done.removed().size() - reasons.size(),
                        done.restored(),
                        done.renamed());
                    parts = List.of(done.part());
                    reasons = done.removed();
                  }
                } else {
                  twice = stores.staging().deduplicate(entity, parts);
                }
                Entity history = Entities.history(entity);
                if (history != null && lake.committed(history, load.uid()) == null) {
                  Versions.History h =
                      versions.history(
                          entity,
                          launch.tenantId(),
                          loadId,
                          context.loadedAt.get(),
                          parts,
                          reasons);
                  if (h != null) {
                    lake.commit(
                        history, load(context, launch, null, null, null), List.of(h.part()));
                    log.info(
                        "{}: {} created, {} updated, {} deleted since the last load",
                        history.name(),
                        h.created(),
                        h.updated(),
                        h.deleted());
                  }
                  KillPoints.reached("after-history:" + entity.name());
                }
              }
              IcebergLake.Commit commit = lake.commit(entity, load, parts);
              chunkContext
                  .getStepContext()
                  .getStepExecution()
                  .getExecutionContext()
                  .putLong(ROWS_LOADED, commit.rowsLoaded());
              if (stores.duckdb() != null) {
                for (Entity table : LakeToDuckDb.withHistories(List.of(entity))) {
                  LakeToDuckDb.apply(
                      stores,
                      launch.tenantId(),
                      load(context, launch, null, null, null),
                      context.session(stores),
                      table);
                }
              }
              log.info(
                  "{}: {} rows {} the lake (snapshot {}){}",
                  entity.name(),
                  commit.rowsLoaded(),
                  commit.already() ? "were already committed to" : "committed to",
                  commit.snapshotId(),
                  twice > 0 ? ", " + twice + " rows read twice left out" : "");
              return RepeatStatus.FINISHED;
            },
            transactions)
        .build();
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

  /** One INFO line per step with counts and rate. */
  private static final class RateLogger implements StepExecutionListener {
    private final Entity entity;

    RateLogger(Entity entity) {
      this.entity = entity;
    }

    @Override
    public ExitStatus afterStep(StepExecution step) {
      double seconds =
          Math.max(
              0.001,
              Duration.between(step.getStartTime(), LocalDateTime.now()).toMillis() / 1000.0);
      Meters.stepItems(
          entity.name(), step.getReadCount(), step.getWriteCount(), step.getSkipCount());
      log.info(
          "{}: read {}, written {}, skipped {} in {} s ({} items/s)",
          entity.name(),
          step.getReadCount(),
          step.getWriteCount(),
          step.getSkipCount(),
          String.format(Locale.ROOT, "%.1f", seconds),
          Math.round(step.getReadCount() / seconds));
      return step.getExitStatus();
    }
  }
}
