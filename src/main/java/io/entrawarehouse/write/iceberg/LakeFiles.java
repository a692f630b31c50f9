package io.entrawarehouse.write.iceberg;

import io.entrawarehouse.warehouse.Entity;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.iceberg.DataFile;

/**
 * A table's current rows as DuckDB reads them with no catalog: {@code read_parquet} of the data
 * files of its current snapshot. Globbing the table's folder instead counts the files of older
 * snapshots too, kept for time travel. The lake writes no delete files (every commit rewrites what
 * it replaces), so the data files are the rows.
 */
public final class LakeFiles {

  private LakeFiles() {}

  /**
   * A file's location as DuckDB opens it: a local path for {@code file:}, {@code s3://} for
   * Hadoop's {@code s3a://} (DuckDB's httpfs), any other as it is.
   */
  public static String forDuckDb(String location) {
    String lower = location.toLowerCase(Locale.ROOT);
    if (lower.startsWith("file:")) {
      return Path.of(URI.create(location)).toString();
    }
    if (lower.startsWith("s3a://") || lower.startsWith("s3n://")) {
      return "s3://" + location.substring("s3a://".length());
    }
    return location;
  }

  /** The locations of {@code files}, as DuckDB opens them. */
  public static List<String> forDuckDb(List<DataFile> files) {
    return files.stream().map(f -> forDuckDb(f.location())).toList();
  }

  /**
   * A DuckDB query of {@code files} with the table's columns in its order; files written before a
   * column was added read it as null. With no file, an empty result of the same columns is not
   * expressible without the table, so null is returned.
   */
  public static String readParquet(Entity entity, List<String> files) {
    if (files.isEmpty()) {
      return null;
    }
    return "SELECT "
        + String.join(", ", entity.allColumns())
        + " FROM read_parquet(["
        + files.stream()
            .map(f -> "'" + f.replace("'", "''") + "'")
            .collect(Collectors.joining(", "))
        + "], hive_partitioning = false, union_by_name = true)";
  }
}
