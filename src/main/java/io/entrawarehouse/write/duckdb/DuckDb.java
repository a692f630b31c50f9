package io.entrawarehouse.write.duckdb;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import org.duckdb.DuckDBDriver;

/**
 * Opens DuckDB connections through its driver directly. {@code DriverManager} would first load
 * every JDBC driver on the class path, which in the executable jar means reading the service files
 * of all its nested jars: half a second of a {@code query}'s CPU.
 */
public final class DuckDb {

  private static final DuckDBDriver DRIVER = new DuckDBDriver();

  private DuckDb() {}

  /** A connection to {@code url} ({@code jdbc:duckdb:…}) with these DuckDB settings. */
  public static Connection connect(String url, Properties settings) throws SQLException {
    Connection c = DRIVER.connect(url, settings);
    if (c == null) {
      throw new SQLException("Not a DuckDB URL: " + url);
    }
    return c;
  }
}
