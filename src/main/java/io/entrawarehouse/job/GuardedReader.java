package io.entrawarehouse.job;

import com.fasterxml.jackson.databind.JsonNode;
import io.entrawarehouse.graph.GraphClient;
import io.entrawarehouse.graph.GraphErrors;
import io.entrawarehouse.graph.GraphException;
import io.entrawarehouse.warehouse.Entity;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

/**
 * A table's Graph reader, guarded: a refused query's message says where the query came from, and a
 * table Graph denies from its first request (a permission not granted, a licence the tenant lacks)
 * is read as empty and marked {@link LoadOutcome#DENIED} in the step's context: the load step
 * leaves that table as it was and the rest of the load goes on, ending PARTIAL. When the query
 * carries the entity's {@link Entity.Extra} ({@code withoutExtra} is not null), a denial of the
 * first request is taken as the extra's: the table is read again without it, its columns NULL, and
 * marked {@link LoadOutcome#DEGRADED}. A denial after the first item fails the step as any error
 * does.
 *
 * <p>Not thread-safe: one per thread, as a step's stream is. Restarts as its delegate does, with
 * the denial or degradation kept in the step's context.
 */
final class GuardedReader implements ItemStreamReader<JsonNode> {

  private static final Logger log = LoggerFactory.getLogger(GuardedReader.class);

  private final Supplier<ItemStreamReader<JsonNode>> withoutExtra;
  private final Entity entity;
  private final String hint;
  private final GraphClient graph;
  private final BooleanSupplier loadedBefore;
  private final String unavailable;
  private final String extraUnavailable;

  private ItemStreamReader<JsonNode> reader;
  private boolean started;
  private String denied;
  private String degraded;
  private boolean askedAgain;

  /**
   * @param withExtra the reader of the plan's query
   * @param withoutExtra the reader of the query without the extra, or null when there is none
   * @param hint what to fix when Graph refuses the query
   * @param loadedBefore whether the lake holds the table already (a licence refusal is then asked
   *     again once)
   * @param unavailable why the table is not offered in this cloud, or null
   * @param extraUnavailable why the extra is not offered in this cloud, or null
   */
  GuardedReader(
      ItemStreamReader<JsonNode> withExtra,
      Supplier<ItemStreamReader<JsonNode>> withoutExtra,
      Entity entity,
      String hint,
      GraphClient graph,
      BooleanSupplier loadedBefore,
      String unavailable,
      String extraUnavailable) {
    this.reader = withExtra;
    this.withoutExtra = withoutExtra;
    this.entity = entity;
    this.hint = hint;
    this.graph = graph;
    this.loadedBefore = loadedBefore;
    this.unavailable = unavailable;
    this.extraUnavailable = extraUnavailable;
  }

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
    denied =
        context.containsKey(LoadOutcome.DENIED)
            ? context.getString(LoadOutcome.DENIED)
            : unavailable;
    degraded =
        context.containsKey(LoadOutcome.DEGRADED)
            ? context.getString(LoadOutcome.DEGRADED)
            : extraUnavailable;
    if (unavailable != null && !context.containsKey(LoadOutcome.DENIED)) {
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
      context.putString(LoadOutcome.DENIED, denied);
    }
    if (degraded != null) {
      context.putString(LoadOutcome.DEGRADED, degraded);
    }
  }

  @Override
  public void close() {
    reader.close();
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
}
