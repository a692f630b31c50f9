package io.entrawarehouse.job;

import io.entrawarehouse.write.duckdb.DuckDbLoader;
import io.entrawarehouse.write.iceberg.IcebergLake;
import io.entrawarehouse.write.parquet.Staging;
import java.nio.file.Path;

/**
 * Where a load writes: its local staging, the lake, the DuckDB file (null in lake-only mode), the
 * folder for skipped items, the load-id allocator, and a scratch folder for lake files DuckDB
 * cannot read where they are. Close it to release the lake.
 */
public record LoadStores(
    Staging staging,
    IcebergLake lake,
    DuckDbLoader duckdb,
    Path rejected,
    LoadIds loadIds,
    Path scratch)
    implements AutoCloseable {

  @Override
  public void close() {
    lake.close();
  }
}
