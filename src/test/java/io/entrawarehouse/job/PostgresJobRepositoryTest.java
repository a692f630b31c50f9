package io.entrawarehouse.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.TenantScale;
import io.entrawarehouse.warehouse.Entities;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;

/**
 * PostgreSQL as the job repository, as in production: the schema is created on first use, and a
 * failed load resumes from its last committed chunk, its checkpoints read back from PostgreSQL.
 */
class PostgresJobRepositoryTest {

  @TempDir Path dir;

  @Test
  void aFailedLoadResumesFromCheckpointsKeptInPostgres() throws Exception {
    // Small tenant: 1,000 users on two pages of 500 (their sign-in activity caps it); the second
    // page fails for good (one attempt), so with chunks of 120 the first 480 users are committed
    // when the step fails, and 520 are read again.
    try (TestPostgres postgres = new TestPostgres();
        LoadHarness h =
            new LoadHarness(
                SimulatorSettings.builder()
                    .scale(TenantScale.SMALL)
                    .throttling(false)
                    .fault("503:users:nth=2")
                    .build(),
                dir,
                Map.of(
                    "spring.datasource.url", postgres.url(),
                    "spring.datasource.username", "entra",
                    "entra.warehouse.chunk-size", "120",
                    "entra.graph.max-attempts", "1"))) {
      JobExecution failed = h.run(Map.of("entities", "users,groups"));
      assertThat(failed.getStatus()).isEqualTo(BatchStatus.FAILED);

      JobExecution resumed = h.run(Map.of("entities", "users,groups"));

      assertThat(resumed.getStatus()).isEqualTo(BatchStatus.COMPLETED);
      assertThat(resumed.getJobInstanceId()).isEqualTo(failed.getJobInstanceId());
      long readAgain =
          resumed.getStepExecutions().stream()
              .filter(s -> s.getStepName().equals("users"))
              .findFirst()
              .orElseThrow()
              .getReadCount();
      assertThat(readAgain).isEqualTo(520);
      h.assertMatchesGroundTruth(List.of(Entities.USERS, Entities.GROUPS));
      try (Connection c = DriverManager.getConnection(postgres.url());
          ResultSet r =
              c.createStatement()
                  .executeQuery(
                      "SELECT (SELECT count(*) FROM batch_job_instance),"
                          + " (SELECT count(*) FROM batch_job_execution),"
                          + " (SELECT count(*) FROM batch_step_execution WHERE step_name = 'users')")) {
        r.next();
        assertThat(r.getLong(1)).isEqualTo(1);
        assertThat(r.getLong(2)).isEqualTo(2);
        assertThat(r.getLong(3)).isEqualTo(2);
      }
    }
  }
}
