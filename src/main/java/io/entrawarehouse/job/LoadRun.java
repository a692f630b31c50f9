package io.entrawarehouse.job;

import io.entrawarehouse.write.duckdb.DuckDbRefresh;
import io.entrawarehouse.write.iceberg.IcebergLake;
import java.time.Instant;
import java.time.LocalDate;

/**
 * What the steps of one load share that is only known once its job execution starts: the load's id,
 * unique id and time (the same on every restart of it), and the DuckDB refresh its first commit
 * opens. Thread-safe: the directory's and the logs' flows run side by side.
 */
final class LoadRun {

  private final String tenantId;
  private final LocalDate runDate;
  private volatile long id;
  private volatile String uid;
  private volatile Instant loadedAt;

  /**
   * The DuckDB refresh of this run, opened by the first commit: each table is applied as soon as it
   * is committed (while the other flow still reads Graph), and the copy is swapped in when the job
   * ends.
   */
  private DuckDbRefresh session;

  LoadRun(String tenantId, LocalDate runDate) {
    this.tenantId = tenantId;
    this.runDate = runDate;
  }

  /** Called when the execution starts, with what its job execution context holds. */
  void begin(long id, String uid, Instant loadedAt) {
    this.id = id;
    this.uid = uid;
    this.loadedAt = loadedAt;
  }

  String tenantId() {
    return tenantId;
  }

  LocalDate runDate() {
    return runDate;
  }

  long id() {
    return id;
  }

  /** The first execution's creation time: the same on every restart of this load. */
  Instant loadedAt() {
    return loadedAt;
  }

  /** The run's DuckDB refresh, opened on first use. */
  synchronized DuckDbRefresh session(LoadStores stores) {
    if (session == null) {
      session = LakeToDuckDb.open(stores, id);
    }
    return session;
  }

  /** The refresh opened by this execution and forgotten here (the caller closes it), or null. */
  synchronized DuckDbRefresh takeSession() {
    DuckDbRefresh taken = session;
    session = null;
    return taken;
  }

  /** The load as the lake records it for a directory table: no window. */
  IcebergLake.Load load() {
    return load(null, null, null);
  }

  /** The load as the lake records it for a log: its window and where the tenant's mark moves. */
  IcebergLake.Load load(Instant from, Instant until, Instant mark) {
    return new IcebergLake.Load(id, uid, tenantId, runDate, from, until, mark);
  }
}
