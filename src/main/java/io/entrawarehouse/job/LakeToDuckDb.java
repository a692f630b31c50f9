package io.entrawarehouse.job;

import io.entrawarehouse.warehouse.Entities;
import io.entrawarehouse.warehouse.Entity;
import io.entrawarehouse.write.duckdb.DuckDbLoader;
import io.entrawarehouse.write.duckdb.DuckDbRefresh;
import io.entrawarehouse.write.iceberg.IcebergLake;
import io.entrawarehouse.write.parquet.Staging;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings DuckDB to the lake's state for the tables a load committed: for each, the tenant's slice
 * (a log's: the load's window) is taken from the lake's current snapshot, all in one swap of the
 * DuckDB file. Tables DuckDB already records for the load are left alone, so it runs again
 * harmlessly after a crash. Files on a lake DuckDB cannot read ({@code hdfs:}, {@code s3a:}) are
 * fetched to a scratch folder first.
 */
public final class LakeToDuckDb {

  private static final Logger log = LoggerFactory.getLogger(LakeToDuckDb.class);

  private LakeToDuckDb() {}

  /**
   * Applies to a refresh session every table of the launch that the load committed and the session
   * does not record yet.
   */
  static void applyCommitted(
      LoadStores stores,
      LoadParameters launch,
      IcebergLake.Load load,
      DuckDbRefresh session,
      List<Entity> entities) {
    Set<String> recorded;
    try {
      recorded = session.recorded(load.id(), launch.tenantId());
    } catch (SQLException e) {
      throw new IllegalStateException(
          "Cannot read the DuckDB copy being refreshed: " + e.getMessage(), e);
    }
    for (Entity entity : Entities.withHistories(entities)) {
      if (!recorded.contains(entity.name())) {
        apply(stores, launch.tenantId(), load, session, entity);
      }
    }
  }

  /**
   * Applies one table's slice, as the lake's current snapshot has it, if the load committed the
   * table; returns whether it did.
   */
  static boolean apply(
      LoadStores stores,
      String tenantId,
      IcebergLake.Load load,
      DuckDbRefresh session,
      Entity entity) {
    Table table = stores.lake().table(entity);
    Snapshot snapshot = IcebergLake.committed(table, load.uid());
    if (snapshot == null) {
      return false; // this load has not committed the table
    }
    Instant from = instant(snapshot, IcebergLake.WINDOW_FROM);
    Instant until = instant(snapshot, IcebergLake.WINDOW_UNTIL);
    Path scratch = stores.scratch().resolve("load-" + load.id()).resolve(entity.name());
    try {
      List<Path> files = new ArrayList<>();
      for (DataFile f : IcebergLake.files(table, entity, tenantId, from, until, true)) {
        files.add(local(stores.lake(), f, scratch));
      }
      String rows = snapshot.summary().get(IcebergLake.ROWS_LOADED);
      session.apply(
          new DuckDbLoader.Slice(
              entity,
              tenantId,
              from,
              until,
              files,
              load.id(),
              rows == null ? -1 : Long.parseLong(rows)));
      return true;
    } finally {
      delete(scratch);
    }
  }

  /**
   * Brings DuckDB up to what a load committed, in one swap, outside a run (a completed load whose
   * end did not happen).
   *
   * @return the tables DuckDB took
   */
  static Set<String> refresh(LoadStores stores, LoadParameters launch, IcebergLake.Load load) {
    DuckDbLoader duckdb = stores.duckdb();
    Set<String> pending = new TreeSet<>();
    try {
      Map<String, DuckDbLoader.Loaded> recorded = duckdb.loads(load.id(), launch.tenantId());
      for (Entity entity : Entities.withHistories(launch.entities())) {
        if (!recorded.containsKey(entity.name())
            && IcebergLake.committed(stores.lake().table(entity), load.uid()) != null) {
          pending.add(entity.name());
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot read " + duckdb.file() + ": " + e.getMessage(), e);
    }
    if (pending.isEmpty()) {
      return pending;
    }
    try (DuckDbRefresh session = open(stores, load.id())) {
      for (Entity entity : Entities.withHistories(launch.entities())) {
        if (pending.contains(entity.name())) {
          apply(stores, launch.tenantId(), load, session, entity);
        }
      }
      session.finish();
    }
    return pending;
  }

  /**
   * A session that changes the DuckDB file. When the file is missing or unreadable (deleted,
   * truncated, overwritten) it starts from every table of the lake's current snapshots, so that
   * what the load then applies lands in a whole warehouse, not in one holding only this load's
   * slices. One WARN line says so.
   */
  static DuckDbRefresh open(LoadStores stores, long loadId) {
    DuckDbRefresh session = stores.duckdb().open(false);
    if (session.startedEmpty() == null || !holdsOtherLoads(stores.lake(), loadId)) {
      return session; // a first load: nothing but its own tables, which it applies itself
    }
    Path fetched = stores.scratch().resolve("rebuild");
    try {
      List<DuckDbLoader.Slice> slices = current(stores.lake(), fetched);
      if (!slices.isEmpty()) {
        log.warn(
            "DuckDB: {}: building it anew from the lake's current snapshots ({} table slices),"
                + " then this load's tables",
            session.startedEmpty(),
            slices.size());
        for (DuckDbLoader.Slice slice : slices) {
          session.apply(slice);
        }
      }
      return session;
    } catch (RuntimeException e) {
      session.close();
      throw e;
    } finally {
      delete(fetched);
    }
  }

  /** Whether any table of the lake holds a commit of a load other than {@code loadId}. */
  private static boolean holdsOtherLoads(IcebergLake lake, long loadId) {
    for (Entity entity : Entities.withHistories(List.copyOf(Entities.ALL.values()))) {
      if (lake.exists(entity)) {
        for (Snapshot s : lake.table(entity).snapshots()) {
          if (!String.valueOf(loadId).equals(s.summary().get(IcebergLake.LOAD_ID))) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** What a rebuild took: per table, the tenants and their rows. */
  public record Rebuilt(String table, String tenantId, long loadId, long rows) {}

  /**
   * Builds the DuckDB file anew from the lake's current snapshots: every table, every tenant, each
   * recorded in {@code _loads} under the tenant's latest load. For a lake loaded by lake-only
   * workers, or a DuckDB file lost or out of step.
   */
  public static List<Rebuilt> rebuild(IcebergLake lake, DuckDbLoader duckdb, Path scratch) {
    Path fetched = scratch.resolve("rebuild");
    try {
      List<DuckDbLoader.Slice> slices = current(lake, fetched);
      List<Rebuilt> rebuilt = new ArrayList<>();
      duckdb.rebuild(slices);
      try {
        for (DuckDbLoader.Slice s : slices) {
          Map<String, DuckDbLoader.Loaded> loads = duckdb.loads(s.loadId(), s.tenantId());
          DuckDbLoader.Loaded l = loads.get(s.entity().name());
          rebuilt.add(
              new Rebuilt(
                  s.entity().name(), s.tenantId(), s.loadId(), l == null ? 0 : l.tableRows()));
        }
      } catch (SQLException e) {
        throw new IllegalStateException("Cannot read " + duckdb.file() + ": " + e.getMessage(), e);
      }
      return rebuilt;
    } finally {
      delete(fetched);
    }
  }

  /**
   * Every table's slices in the lake's current snapshots, one per tenant, each recorded under the
   * tenant's latest load of the table; files on a remote lake are fetched to {@code fetched}.
   */
  private static List<DuckDbLoader.Slice> current(IcebergLake lake, Path fetched) {
    List<DuckDbLoader.Slice> slices = new ArrayList<>();
    for (Entity entity : Entities.withHistories(List.copyOf(Entities.ALL.values()))) {
      if (!lake.exists(entity)) {
        continue;
      }
      Table table = lake.table(entity);
      Map<String, List<Path>> byTenant = new TreeMap<>();
      for (DataFile f : IcebergLake.files(table, entity, null, null, null, false)) {
        String tenant = f.partition().get(0, String.class);
        byTenant.computeIfAbsent(tenant, t -> new ArrayList<>()).add(local(lake, f, fetched));
      }
      for (Map.Entry<String, List<Path>> tenant : byTenant.entrySet()) {
        Snapshot latest = null;
        for (Snapshot s : table.snapshots()) {
          if (tenant.getKey().equals(s.summary().get(IcebergLake.TENANT))
              && (latest == null || s.sequenceNumber() > latest.sequenceNumber())) {
            latest = s;
          }
        }
        String id = latest == null ? null : latest.summary().get(IcebergLake.LOAD_ID);
        String rows = latest == null ? null : latest.summary().get(IcebergLake.ROWS_LOADED);
        slices.add(
            new DuckDbLoader.Slice(
                entity,
                tenant.getKey(),
                null,
                null,
                tenant.getValue(),
                id == null ? 0 : Long.parseLong(id),
                rows == null ? -1 : Long.parseLong(rows)));
      }
    }
    return slices;
  }

  private static Instant instant(Snapshot snapshot, String key) {
    String value = snapshot.summary().get(key);
    return value == null ? null : Instant.parse(value);
  }

  /** A lake file as a local path: itself on a {@code file:} lake, else a fetched copy. */
  private static Path local(IcebergLake lake, DataFile file, Path scratch) {
    URI uri = URI.create(file.location());
    if (uri.getScheme() == null || uri.getScheme().equals("file")) {
      return uri.getScheme() == null ? Path.of(file.location()) : Path.of(uri);
    }
    try {
      Files.createDirectories(scratch);
      org.apache.hadoop.fs.Path source = new org.apache.hadoop.fs.Path(uri);
      Path target = scratch.resolve(Integer.toHexString(uri.hashCode()) + "-" + source.getName());
      lake.fileSystem()
          .copyToLocalFile(false, source, new org.apache.hadoop.fs.Path(target.toUri()), true);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot fetch " + file.location() + " for DuckDB: " + e.getMessage(), e);
    }
  }

  private static void delete(Path dir) {
    Staging.deleteTree(dir);
  }
}
