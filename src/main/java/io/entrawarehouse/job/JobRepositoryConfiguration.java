package io.entrawarehouse.job;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;
import javax.sql.DataSource;
import org.springframework.boot.batch.jdbc.autoconfigure.BatchDataSourceScriptDatabaseInitializer;
import org.springframework.boot.batch.jdbc.autoconfigure.BatchJdbcProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The job repository: by default a SQLite file in the warehouse, in WAL mode, so that any number of
 * processes read it while one writes (status during a run); writers take the lock when their
 * transaction begins ({@code transaction_mode=IMMEDIATE}) and wait up to 60 s for it, so two
 * threads of a run never deadlock upgrading a read. Its schema is created only where missing:
 * Spring Boot's initializer with {@code initialize-schema=always} runs the DDL on every start and
 * ignores the errors.
 */
@Configuration(proxyBeanMethods = false)
public class JobRepositoryConfiguration {

  /** The default job repository of a warehouse directory. */
  public static String defaultUrl(java.nio.file.Path warehouse) {
    return "jdbc:sqlite:"
        + warehouse.toAbsolutePath().resolve("job-repository.sqlite")
        + "?journal_mode=WAL&busy_timeout=60000&transaction_mode=IMMEDIATE&foreign_keys=true";
  }

  /**
   * A job repository URL fit to print: without its parameters ({@code ?password=…}, H2's {@code ;…}
   * settings), which may hold a secret.
   */
  public static String printable(String url) {
    if (url == null) {
      return "?";
    }
    int cut = url.length();
    for (char c : new char[] {'?', ';'}) {
      int at = url.indexOf(c);
      if (at >= 0) {
        cut = Math.min(cut, at);
      }
    }
    return url.substring(0, cut);
  }

  @Bean
  BatchDataSourceScriptDatabaseInitializer batchDataSourceInitializer(
      DataSource dataSource, BatchJdbcProperties properties) {
    return new BatchDataSourceScriptDatabaseInitializer(dataSource, properties) {
      @Override
      public boolean initializeDatabase() {
        return !hasSchema(dataSource) && super.initializeDatabase();
      }
    };
  }

  /** Whether Spring Batch's tables exist, asked of the catalog (an absent table is no error). */
  static boolean hasSchema(DataSource dataSource) {
    try (Connection c = dataSource.getConnection();
        ResultSet tables = c.getMetaData().getTables(null, null, "%", new String[] {"TABLE"})) {
      while (tables.next()) {
        if (tables.getString("TABLE_NAME").toLowerCase(Locale.ROOT).equals("batch_job_instance")) {
          return true;
        }
      }
      return false;
    } catch (SQLException e) {
      throw new IllegalStateException(
          "Cannot read the job repository's tables: " + e.getMessage(), e);
    }
  }
}
