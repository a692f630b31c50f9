package io.entrawarehouse.job;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.springframework.beans.factory.config.BeanPostProcessor;
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

  /**
   * What a SQLite job repository needs, whatever URL names it: WAL (readers beside a writer), a
   * wait for the lock instead of SQLITE_BUSY at once, writers that lock when they begin, and
   * foreign keys. A setting the URL gives itself is kept.
   */
  private static final Map<String, String> SQLITE =
      Map.of(
          "journal_mode", "WAL",
          "busy_timeout", "60000",
          "transaction_mode", "IMMEDIATE",
          "foreign_keys", "true");

  /** The default job repository of a warehouse directory. */
  public static String defaultUrl(Path warehouse) {
    return withSqliteSettings(
        "jdbc:sqlite:" + warehouse.toAbsolutePath().resolve("job-repository.sqlite"));
  }

  /**
   * {@code url} with {@link #SQLITE}'s settings it lacks, when it is a SQLite URL; any other URL as
   * it is.
   */
  public static String withSqliteSettings(String url) {
    if (url == null || !url.startsWith("jdbc:sqlite:")) {
      return url;
    }
    int q = url.indexOf('?');
    Set<String> given = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    if (q >= 0) {
      for (String p : url.substring(q + 1).split("&")) {
        int eq = p.indexOf('=');
        given.add(eq < 0 ? p : p.substring(0, eq));
      }
    }
    StringBuilder b = new StringBuilder(url);
    char sep = q < 0 ? '?' : '&';
    for (String key : new TreeSet<>(SQLITE.keySet())) {
      if (!given.contains(key)) {
        b.append(sep).append(key).append('=').append(SQLITE.get(key));
        sep = '&';
      }
    }
    return b.toString();
  }

  /**
   * Gives the job repository's pool {@link #withSqliteSettings}: before the pool starts, so every
   * connection has them.
   */
  @Bean
  static BeanPostProcessor sqliteSettings() {
    return new BeanPostProcessor() {
      @Override
      public Object postProcessBeforeInitialization(Object bean, String name) {
        if (bean instanceof HikariDataSource pool) {
          pool.setJdbcUrl(withSqliteSettings(pool.getJdbcUrl()));
        }
        return bean;
      }
    };
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
