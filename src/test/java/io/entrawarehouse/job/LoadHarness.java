package io.entrawarehouse.job;

import io.entrawarehouse.cli.TableTruth;
import io.entrawarehouse.cli.WarehouseApplication;
import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.GroundTruth;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.SimulatorTenants;
import io.entrawarehouse.warehouse.Entities;
import io.entrawarehouse.warehouse.Entity;
import io.entrawarehouse.write.iceberg.IcebergLake;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.Assertions;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Runs directory-load against a simulator the way a real tenant is configured: tenant id, client id
 * and secret, authority host, Graph URL and a trusted certificate. Only URLs and trust differ.
 */
final class LoadHarness implements AutoCloseable {

  final GraphSimulator simulator;
  final Path warehouse;
  final ConfigurableApplicationContext spring;
  final DirectoryLoadLauncher launcher;

  private final boolean ownsSimulator;

  LoadHarness(SimulatorSettings settings, Path warehouse, Map<String, String> extra)
      throws Exception {
    this(GraphSimulator.start(settings), warehouse, extra, true);
  }

  /** A harness over a running simulator it does not own (several warehouses, one tenant). */
  static LoadHarness over(GraphSimulator simulator, Path warehouse, Map<String, String> extra)
      throws Exception {
    return new LoadHarness(simulator, warehouse, extra, false);
  }

  /** A harness over a simulator and warehouse that already exist (to inspect a finished load). */
  static LoadHarness attach(GraphSimulator simulator, Path warehouse) throws Exception {
    return new LoadHarness(simulator, warehouse, Map.of(), false);
  }

  private LoadHarness(
      GraphSimulator simulator, Path warehouse, Map<String, String> extra, boolean owns)
      throws Exception {
    this.simulator = simulator;
    this.ownsSimulator = owns;
    this.warehouse = warehouse;
    Path pem = warehouse.resolve("simulator.pem");
    Files.createDirectories(warehouse);
    Files.writeString(pem, simulator.certificatePem(), StandardCharsets.US_ASCII);
    Map<String, Object> props = new LinkedHashMap<>(properties(simulator, warehouse, pem));
    props.putAll(extra);
    SpringApplication app = new SpringApplication(WarehouseApplication.class);
    app.setDefaultProperties(props);
    this.spring = app.run();
    this.launcher = spring.getBean(DirectoryLoadLauncher.class);
  }

  /** The properties a user would set for this tenant (the secret included: tests only). */
  static Map<String, String> properties(GraphSimulator simulator, Path warehouse, Path pem) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("spring.datasource.url", JobRepositoryConfiguration.defaultUrl(warehouse));
    p.putAll(SimulatorTenants.properties("entra.tenant.", simulator));
    p.put("entra.tenant.client-secret", SimulatorSettings.DEMO_CLIENT_SECRET);
    p.put("entra.graph.trust-certificate", pem.toAbsolutePath().toString());
    p.put("entra.graph.max-backoff", "2s");
    p.put("entra.warehouse.directory", warehouse.toAbsolutePath().toString());
    return p;
  }

  JobExecution run(Map<String, String> args) throws Exception {
    return run(args, false);
  }

  /** With {@code reload}: a launch that completed today loads again, as run's reload=true. */
  JobExecution run(Map<String, String> args, boolean reload) throws Exception {
    try (DirectoryLoadLauncher.Connection c = launcher.connect(launcher.tenants().get(0))) {
      LoadParameters launch =
          LoadParameters.parse(c.tenantId(), args, LocalDate.now(ZoneOffset.UTC));
      JobExecution e = launcher.run(c, reload ? launcher.attemptToRun(launch, true) : launch);
      // A failed run's causes, for the test's log: assertions only see the status.
      e.getAllFailureExceptions().forEach(t -> t.printStackTrace(System.err));
      return e;
    }
  }

  /**
   * The ids (joined id columns) of a table in DuckDB, or in the lake's current snapshot as
   * Iceberg's own reader returns it.
   */
  List<String> ids(Entity entity, boolean fromLake) throws Exception {
    if (fromLake) {
      List<String> ids = new ArrayList<>();
      try (IcebergLake lake = launcher.lake()) {
        for (org.apache.iceberg.data.Record r : LakeReads.rows(lake, entity)) {
          List<String> key = new ArrayList<>();
          for (String c : entity.idColumns()) {
            key.add(String.valueOf(r.getField(c)));
          }
          ids.add(String.join("/", key));
        }
      }
      return ids;
    }
    String key = String.join(" || '/' || ", entity.idColumns());
    List<String> ids = new ArrayList<>();
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:duckdb:" + warehouse.resolve("entra.duckdb").toAbsolutePath());
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT " + key + " FROM " + entity.name())) {
      while (r.next()) {
        ids.add(r.getString(1));
      }
    }
    return ids;
  }

  /** Asserts DuckDB and the lake hold exactly the tenant's ground truth for these entities. */
  void assertMatchesGroundTruth(List<Entity> entities) throws Exception {
    Map<String, GroundTruth.Entity> truth = TableTruth.of(simulator.tenant());
    for (Entity e : entities) {
      for (boolean lake : new boolean[] {false, true}) {
        List<String> ids = ids(e, lake);
        Assertions.assertThat(ids)
            .as(e.name() + (lake ? " in the lake" : " in DuckDB"))
            .doesNotHaveDuplicates();
        if (e == Entities.GROUP_MEMBERS) {
          // The rows themselves, so a failure names them.
          Assertions.assertThat(ids)
              .as(e.name() + (lake ? " in the lake" : " in DuckDB"))
              .containsExactlyInAnyOrderElementsOf(GroundTruth.memberships(simulator.tenant()));
        }
        Assertions.assertThat((long) ids.size())
            .as(e.name() + " count" + (lake ? " (lake)" : ""))
            .isEqualTo(truth.get(e.name()).count());
        Assertions.assertThat(GroundTruth.checksum(ids))
            .as(e.name() + " checksum" + (lake ? " (lake)" : ""))
            .isEqualTo(truth.get(e.name()).checksum());
      }
    }
  }

  static List<Entity> all() {
    return List.copyOf(Entities.ALL.values());
  }

  @Override
  public void close() {
    spring.close();
    if (ownsSimulator) {
      simulator.close();
    }
  }
}
