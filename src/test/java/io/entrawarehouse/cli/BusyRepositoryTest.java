package io.entrawarehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.TenantScale;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job repository named by a plain SQLite URL works as the default one does, and one that another
 * process holds is reported busy (exit 3), naming it.
 */
class BusyRepositoryTest {

  @TempDir Path dir;
  final Cli cli = new Cli();

  @AfterEach
  void clear() {
    cli.clear();
  }

  @Test
  void aPlainSqliteUrlGetsTheSettingsAJobRepositoryNeeds() throws Exception {
    try (GraphSimulator sim =
        GraphSimulator.start(
            SimulatorSettings.builder().scale(TenantScale.TINY).throttling(false).build())) {
      cli.against(sim, dir);
      cli.properties.put("spring.datasource.url", "jdbc:sqlite:" + dir.resolve("repo.sqlite"));
      Cli.Run run = cli.run("run", "entities=users,groups,group_members,sign_ins");
      assertThat(run.exit()).as(run.all()).isZero();
      Cli.Run status = cli.run("status");
      assertThat(status.exit()).as(status.all()).isZero();
      assertThat(status.out()).contains("COMPLETED");
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("repo.sqlite"));
          ResultSet mode = c.createStatement().executeQuery("PRAGMA journal_mode")) {
        mode.next();
        assertThat(mode.getString(1)).as("the file's journal mode, kept in it").isEqualTo("wal");
      }
    }
  }

  @Test
  void aRepositoryAnotherProcessHoldsIsBusyAndNamed() throws Exception {
    try (GraphSimulator sim =
        GraphSimulator.start(
            SimulatorSettings.builder().scale(TenantScale.TINY).throttling(false).build())) {
      cli.against(sim, dir);
      Path repository = dir.resolve("repo.sqlite");
      cli.properties.put(
          "spring.datasource.url", "jdbc:sqlite:" + repository + "?busy_timeout=500");
      assertThat(cli.run("run", "entities=users").exit()).isZero();
      try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + repository);
          Statement st = other.createStatement()) {
        st.execute("BEGIN EXCLUSIVE");
        for (String[] command :
            new String[][] {{"run", "entities=users", "reload=true"}, {"abandon"}}) {
          Cli.Run r = cli.run(command);
          assertThat(r.exit()).as(r.all()).isEqualTo(3);
          assertThat(r.err())
              .contains("the job repository jdbc:sqlite:" + repository + " is held by another")
              .contains("busy_timeout (0.5 s)");
        }
        st.execute("ROLLBACK");
      }
      Cli.Run after = cli.run("run", "entities=users", "reload=true");
      assertThat(after.exit()).as(after.all()).isZero();
    }
  }
}
