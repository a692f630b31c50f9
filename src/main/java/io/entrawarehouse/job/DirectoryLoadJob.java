package io.entrawarehouse.job;

import io.entrawarehouse.graph.GraphBudget;
import io.entrawarehouse.graph.GraphBudget.Kind;
import io.entrawarehouse.graph.GraphClient;
import io.entrawarehouse.warehouse.Entity;
import java.util.ArrayList;
import java.util.List;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.builder.FlowBuilder;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.job.flow.Flow;
import org.springframework.batch.core.job.flow.support.SimpleFlow;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.support.transaction.ResourcelessTransactionManager;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The {@code directory-load} job: per table, a read step named after it ({@link ReadSteps}: Graph →
 * row → Parquet part in local staging) and a {@code <entity>-load} step ({@link LoadTasklet}) that
 * commits the staged parts to the table's Iceberg table in one commit and applies the committed
 * table to a copy of the DuckDB file; when the job ends, completed or not, the copy is swapped in
 * ({@link LoadListener}). All of it is idempotent: a restart resumes from the last committed chunk,
 * a commit found in the table's history is not made again, and DuckDB is refreshed only where it
 * does not record the load yet. Staging is removed when the job completes.
 *
 * <p>A factory: it holds the load's collaborators and builds one job per launch, each step from its
 * table's {@link TablePlan}.
 */
public final class DirectoryLoadJob {

  public static final String NAME = "directory-load";

  /** The job execution context key of a failed execution's cause, one line. */
  public static final String FAILURE = "failure";

  /** The exit status of a completed load that left tables Graph denied as they were. */
  public static final String PARTIAL = "PARTIAL";

  /** The job execution context keys of the load's id and unique id, kept across restarts. */
  public static final String LOAD_ID = "load.id";

  public static final String LOAD_UID = "load.uid";

  private final JobRepository repository;
  private final GraphClient graph;
  private final LoadStores stores;
  private final int chunkSize;
  private final int concurrency;

  /**
   * @param chunkSize the items of a chunk (a transaction of the job repository)
   * @param concurrency the pages of a per-parent table read at once
   */
  public DirectoryLoadJob(
      JobRepository repository,
      GraphClient graph,
      LoadStores stores,
      int chunkSize,
      int concurrency) {
    this.repository = repository;
    this.graph = graph;
    this.stores = stores;
    this.chunkSize = chunkSize;
    this.concurrency = concurrency;
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

  /** Whether Graph counts the entity's requests against the reports budget. */
  static boolean onReportsBudget(Entity entity) {
    return entity.isLog()
        || GraphBudget.cost("https://graph/v1.0" + entity.pathFor("id")).kind() == Kind.REPORTS;
  }

  /** The job of one launch. */
  public Job build(LoadParameters launch) {
    LoadRun run = new LoadRun(launch.tenantId(), launch.runDate());
    // A step's own work is files (Parquet parts) and the lake's catalog commit, which is atomic on
    // its own: the steps need no database transaction. Each chunk's position is then recorded in
    // a short transaction of the repository's own, instead of one held while the chunk is read
    // from Graph, which kept the job repository locked (status waited, the two flows queued).
    PlatformTransactionManager transactions = new ResourcelessTransactionManager();
    ReadSteps reads =
        new ReadSteps(repository, transactions, graph, stores, run, chunkSize, concurrency);
    // Directory entities and reports (the logs, registration details) draw on separate Graph
    // throttling budgets (resource units per app and tenant, against 5 report requests per 10 s),
    // so they are read side by side: a load takes the longer of the two, not their sum.
    List<Flow> flows = new ArrayList<>();
    for (boolean logs : new boolean[] {false, true}) {
      List<Step[]> steps = new ArrayList<>(); // read, load
      List<Boolean> computed = new ArrayList<>();
      for (TablePlan plan : launch.plans()) {
        if (onReportsBudget(plan.entity()) != logs) {
          continue;
        }
        Step load =
            new StepBuilder(plan.entity().name() + "-load", repository)
                .tasklet(new LoadTasklet(repository, stores, plan, run), transactions)
                .build();
        steps.add(new Step[] {reads.of(plan), load});
        computed.add(!plan.entity().readFromGraph());
      }
      if (!steps.isEmpty()) {
        flows.add(logs ? commitsBeside("logs", steps, 0) : flow("directory", steps, computed));
      }
    }
    Flow all =
        flows.size() == 1
            ? flows.get(0)
            : new FlowBuilder<SimpleFlow>("directory-and-logs")
                .split(new SimpleAsyncTaskExecutor("directory-load-"))
                .add(flows.toArray(new Flow[0]))
                .build();
    return new JobBuilder(NAME, repository)
        .start(all)
        .end()
        .listener(new LoadListener(repository, stores, launch, run))
        .build();
  }

  /**
   * The reports budget's tables: read in order, each table's load (its lake commit and DuckDB
   * apply) beside the reads after it. At Graph's real windows the reports budget (5 requests per 10
   * s) bounds the whole load, and a commit needs no request: run in line, the audits' and sign-ins'
   * commits left the budget idle for 18-22 s and 32-61 s.
   */
  private static Flow commitsBeside(String name, List<Step[]> steps, int from) {
    Step[] table = steps.get(from);
    FlowBuilder<SimpleFlow> flow = new FlowBuilder<SimpleFlow>(name + "-" + from).start(table[0]);
    if (from == steps.size() - 1) {
      return flow.next(table[1]).build();
    }
    Flow load = new FlowBuilder<SimpleFlow>(name + "-" + from + "-load").start(table[1]).build();
    Flow split =
        new FlowBuilder<SimpleFlow>(name + "-" + from + "-split")
            .split(new SimpleAsyncTaskExecutor("directory-load-"))
            .add(load, commitsBeside(name, steps, from + 1))
            .build();
    return flow.next(split).build();
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
}
