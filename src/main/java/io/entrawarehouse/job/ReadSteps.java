package io.entrawarehouse.job;

import com.fasterxml.jackson.databind.JsonNode;
import io.entrawarehouse.config.Cloud;
import io.entrawarehouse.graph.GraphClient;
import io.entrawarehouse.process.MalformedItemException;
import io.entrawarehouse.process.WarehouseRowProcessor;
import io.entrawarehouse.read.DeltaItemReader;
import io.entrawarehouse.read.GraphReaders;
import io.entrawarehouse.read.TransitiveMembersItemReader;
import io.entrawarehouse.warehouse.CloudAvailability;
import io.entrawarehouse.warehouse.Entity;
import io.entrawarehouse.write.iceberg.IcebergLake;
import io.entrawarehouse.write.parquet.ParquetPartWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import org.apache.avro.generic.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.listener.SkipListener;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.batch.infrastructure.item.ItemStreamWriter;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The read steps of one load, each named after its table: Graph items (or, for a closure table, the
 * lake's memberships) read, made rows, and written as Parquet parts to local staging, chunk by
 * chunk. A restart resumes each from its last committed chunk.
 */
final class ReadSteps {

  private static final Logger log = LoggerFactory.getLogger(ReadSteps.class);

  private final JobRepository repository;
  private final PlatformTransactionManager transactions;
  private final GraphClient graph;
  private final LoadStores stores;
  private final LoadRun run;
  private final int chunkSize;
  private final int concurrency;

  ReadSteps(
      JobRepository repository,
      PlatformTransactionManager transactions,
      GraphClient graph,
      LoadStores stores,
      LoadRun run,
      int chunkSize,
      int concurrency) {
    this.repository = repository;
    this.transactions = transactions;
    this.graph = graph;
    this.stores = stores;
    this.run = run;
    this.chunkSize = chunkSize;
    this.concurrency = concurrency;
  }

  /** The table's read step: a closure, a delta or full read of the directory, or a log's slices. */
  Step of(TablePlan plan) {
    Entity entity = plan.entity();
    if (entity.isLog()) {
      return new LogReadStep(this, repository, graph, stores.lake(), run).of(plan);
    }
    ItemStreamReader<JsonNode> reader;
    if (!entity.readFromGraph()) {
      reader =
          new TransitiveMembersItemReader(
              entity.name(), memberships(stores.lake(), entity.closureOf(), run.tenantId()));
    } else if (plan.deltaSelect() == null) {
      reader = graphReader(plan, null, null);
    } else {
      reader =
          new DeltaItemReader(
              graph,
              entity,
              plan.deltaSelect(),
              () -> stores.lake().deltaLink(entity, run.tenantId(), plan.deltaSelect()),
              () -> graphReader(plan, null, null));
    }
    return chunkStep(entity.name(), plan, reader);
  }

  /**
   * A chunk step: Graph items read, made rows, written as Parquet parts. Its reader and writer keep
   * their state per thread (a log's slices run the same step on several threads at once).
   */
  Step chunkStep(String name, TablePlan plan, ItemStreamReader<JsonNode> reader) {
    Entity entity = plan.entity();
    DeltaItemReader delta = reader instanceof DeltaItemReader d ? d : null;
    RowReader rows =
        new RowReader(
            reader,
            mode ->
                new WarehouseRowProcessor(
                    entity,
                    run.tenantId(),
                    run.id(),
                    run.loadedAt(),
                    plan.rawJson() || mode == DeltaItemReader.Mode.CHANGES));
    ItemStreamWriter<GenericRecord> writer =
        new PerThread.Writer(
            () ->
                new ParquetPartWriter(
                    entity,
                    stores.staging(),
                    run::id,
                    run.runDate(),
                    () -> delta == null ? 0 : delta.round()));
    return new StepBuilder(name, repository)
        .<GenericRecord, GenericRecord>chunk(chunkSize)
        .transactionManager(transactions)
        .reader(rows)
        .writer(writer)
        .faultTolerant()
        .skip(MalformedItemException.class)
        .skipLimit(10_000)
        .skipListener(
            new SkipListener<GenericRecord, GenericRecord>() {
              @Override
              public void onSkipInRead(Throwable t) {
                log.warn("{}", t.getMessage());
                if (t instanceof MalformedItemException m && m.item() != null) {
                  RejectedItems.append(
                      RejectedItems.file(stores.rejected(), run.id(), entity),
                      entity,
                      m.item(),
                      t.getMessage());
                }
              }
            })
        .listener(
            name.equals(entity.name()) ? new RateLogger(entity) : new StepExecutionListener() {})
        .build();
  }

  /**
   * The plan's guarded Graph reader ({@link GuardedReader}); a log's in the window [from, until), a
   * directory table's with nulls.
   */
  ItemStreamReader<JsonNode> graphReader(TablePlan plan, Instant from, Instant until) {
    Entity entity = plan.entity();
    Cloud cloud = Cloud.ofGraphHost(graph.tokens().audience());
    String extraMissing = CloudAvailability.missingExtra(cloud, entity);
    String query = plan.query(from, until, extraMissing == null);
    String without = plan.query(from, until, false);
    return new GuardedReader(
        GraphReaders.of(graph, entity, query, plan.eventual(), concurrency),
        without.equals(query)
            ? null
            : () -> GraphReaders.of(graph, entity, without, plan.eventual(), concurrency),
        entity,
        plan.hint(from),
        graph,
        () -> stores.lake().loadedBefore(entity, run.tenantId()),
        CloudAvailability.missing(cloud, entity),
        plan.extraWanted() ? extraMissing : null);
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
        try (CloseableIterable<Record> rows = lake.rows(table, tenantId, snapshot, columns)) {
          for (Record r : rows) {
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
}
