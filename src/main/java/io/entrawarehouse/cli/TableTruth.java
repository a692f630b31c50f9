package io.entrawarehouse.cli;

import io.entrawarehouse.simulator.DemoTenant;
import io.entrawarehouse.simulator.GroundTruth;
import io.entrawarehouse.warehouse.Entities;
import io.entrawarehouse.warehouse.Entity;
import io.entrawarehouse.warehouse.Source;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The demo tenant's ground truth by warehouse table: what a complete load of it must hold. A table
 * whose rows are a collection's items (a plain collection, a log) takes the truth the simulator
 * derives for its path; a table shaped from other items takes the one written for its name.
 */
public final class TableTruth {

  private TableTruth() {}

  /** Every table's truth, in load order; a table the simulator has none for is an error. */
  public static Map<String, GroundTruth.Entity> of(DemoTenant tenant) {
    Map<String, GroundTruth.Entity> truth = GroundTruth.of(tenant);
    Map<String, GroundTruth.Entity> out = new LinkedHashMap<>();
    for (Entity table : Entities.ALL.values()) {
      String key = rowsAreItems(table) ? table.path() : table.name();
      GroundTruth.Entity t = truth.get(key);
      if (t == null) {
        throw new IllegalStateException(
            table.name() + ": the demo tenant has no ground truth for " + key);
      }
      out.put(table.name(), t);
    }
    return out;
  }

  private static boolean rowsAreItems(Entity table) {
    return table.source() instanceof Source.Collection || table.isLog();
  }
}
