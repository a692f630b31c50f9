package io.entrawarehouse.job;

import java.time.Instant;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Load ids that never repeat: each is one above both the highest id handed out (a table {@code
 * entra_loads} in the job repository's database, which workers on one database share) and the
 * highest id the lake has committed (which survives losing the job repository). Thread-safe and
 * safe across processes: two workers racing for one id are told apart by the table's key.
 */
public final class LoadIds {

  private final JdbcTemplate jdbc;

  public LoadIds(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
    jdbc.execute(
        "CREATE TABLE IF NOT EXISTS entra_loads (load_id BIGINT PRIMARY KEY,"
            + " tenant_id VARCHAR(255) NOT NULL, job_instance_id BIGINT NOT NULL,"
            + " created_at VARCHAR(40) NOT NULL)");
  }

  /** A new load id for a job instance, above {@code committedMax} (the lake's highest). */
  public long next(String tenantId, long jobInstanceId, long committedMax) {
    for (int attempt = 0; ; attempt++) {
      Long handedOut = jdbc.queryForObject("SELECT max(load_id) FROM entra_loads", Long.class);
      long id = Math.max(handedOut == null ? 0 : handedOut, committedMax) + 1;
      try {
        jdbc.update(
            "INSERT INTO entra_loads (load_id, tenant_id, job_instance_id, created_at)"
                + " VALUES (?, ?, ?, ?)",
            id,
            tenantId,
            jobInstanceId,
            Instant.now().toString());
        return id;
      } catch (DataAccessException e) {
        // Another worker took this id (SQLite's constraint error is not always translated into
        // a DuplicateKeyException): try the next one; anything else is a real failure.
        Integer taken =
            jdbc.queryForObject(
                "SELECT count(*) FROM entra_loads WHERE load_id = ?", Integer.class, id);
        if (taken == null || taken == 0 || attempt > 100) {
          throw e;
        }
      }
    }
  }
}
