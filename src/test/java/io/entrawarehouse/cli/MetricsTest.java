package io.entrawarehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.GroundTruth;
import io.entrawarehouse.simulator.RequestLog;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.TenantScale;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run's meters, pushed to a Pushgateway (a small HTTP server here, speaking its API) and written
 * as Prometheus text into the warehouse, counted against what the simulator served and holds.
 */
class MetricsTest {

  @TempDir Path dir;

  /** One request the fake Pushgateway received. */
  record Push(String method, String path, String body) {}

  @Test
  void aRunPushesItsMetersWithTheCountsOfWhatItDidAndQueriesPushNothing() throws Exception {
    List<Push> pushes = new CopyOnWriteArrayList<>();
    HttpServer gateway = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    gateway.createContext(
        "/",
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          pushes.add(
              new Push(
                  exchange.getRequestMethod(),
                  exchange.getRequestURI().getPath(),
                  new String(body, StandardCharsets.UTF_8)));
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    gateway.start();
    Cli cli = new Cli();
    try (GraphSimulator simulator =
        GraphSimulator.start(
            SimulatorSettings.builder().scale(TenantScale.TINY).throttling(false).build())) {
      cli.against(simulator, dir);
      Path warehouse = dir.resolve("warehouse");
      cli.properties.put("management.prometheus.metrics.export.pushgateway.enabled", "true");
      cli.properties.put(
          "management.prometheus.metrics.export.pushgateway.address",
          "127.0.0.1:" + gateway.getAddress().getPort());
      RequestLog.Snapshot before = simulator.stats();
      Cli.Run run = cli.run("run", "entities=users,groups,group_members,sign_ins");
      assertThat(run.exit()).as(run.all()).isZero();
      RequestLog.Snapshot after = simulator.stats();

      // Spring Boot's push as the context starts (POST, nothing counted yet: the Pushgateway
      // records the time, so a run that never ends shows as started), then the run's meters as it
      // ends.
      assertThat(pushes).hasSize(2);
      assertThat(pushes.get(0).method()).isEqualTo("POST");
      assertThat(sum(samples(pushes.get(0).body()), "entra_")).isZero();
      Push push = pushes.get(1);
      assertThat(push.method()).isEqualTo("PUT");
      // Grouped by tenant and launch: workers loading tenants side by side keep their own series.
      assertThat(push.path())
          .isIn(
              "/metrics/job/entra-warehouse/launch/run/tenant/all",
              "/metrics/job/entra-warehouse/tenant/all/launch/run");
      Map<String, Double> pushed = samples(push.body());

      long graphRequests = 0;
      for (Map.Entry<String, Long> e : after.requests().entrySet()) {
        if (!e.getKey().equals("token")) {
          graphRequests += e.getValue() - before.requests().getOrDefault(e.getKey(), 0L);
        }
      }
      assertThat(sum(pushed, "entra_graph_requests_total{")).isEqualTo(graphRequests);
      assertThat(
              pushed.get(
                  "entra_graph_requests_total{endpoint=\"/groups/{id}/members\",status=\"200\"}"))
          .as("a request per group: none of them has a second page")
          .isEqualTo(simulator.tenant().scale().groups());
      assertThat(pushed.get("entra_graph_token_acquisitions_total"))
          .isEqualTo(after.tokensIssued() - before.tokensIssued());
      Map<String, GroundTruth.Entity> truth = TableTruth.of(simulator.tenant());
      for (String table : List.of("users", "groups", "group_members", "sign_ins")) {
        double rows = truth.get(table).count();
        assertThat(pushed.get("entra_step_items_read_total{step=\"" + table + "\"}"))
            .as(table)
            .isEqualTo(rows);
        assertThat(pushed.get("entra_step_items_written_total{step=\"" + table + "\"}"))
            .as(table)
            .isEqualTo(rows);
        assertThat(pushed.get("entra_step_items_skipped_total{step=\"" + table + "\"}")).isZero();
      }
      assertThat(pushed.get("entra_run_exit_code")).isZero();
      long parquet;
      try (Stream<Path> files = Files.walk(warehouse.resolve("lake"))) {
        parquet =
            files
                .filter(p -> p.toString().endsWith(".parquet"))
                .mapToLong(p -> p.toFile().length())
                .sum();
      }
      assertThat(sum(pushed, "entra_lake_written_bytes_total{")).isEqualTo(parquet);

      // The same meters, as text for node_exporter's textfile collector.
      String text = Files.readString(warehouse.resolve("metrics/entra_warehouse_all_run.prom"));
      Map<String, Double> file = samples(text);
      // Every product metric says what it counts (# HELP), as Prometheus' exposition format wants.
      List<String> typed =
          text.lines()
              .filter(l -> l.startsWith("# TYPE entra_"))
              .map(l -> l.split(" ")[2])
              .toList();
      assertThat(typed).hasSizeGreaterThanOrEqualTo(8);
      for (String metric : typed) {
        assertThat(text).as(metric).containsPattern("(?m)^# HELP " + metric + " \\S");
      }
      for (String name :
          List.of("entra_graph_requests_total{", "entra_lake_written_bytes_total{")) {
        assertThat(sum(file, name)).as(name).isEqualTo(sum(pushed, name));
      }

      // A query would replace the load's meters with its own: it pushes nothing.
      assertThat(cli.run("query", "SELECT count(*) FROM users").exit()).isZero();
      assertThat(cli.run("status").exit()).isZero();
      assertThat(pushes).hasSize(2);
    } finally {
      cli.clear();
      gateway.stop(0);
    }
  }

  @Test
  void eachTenantAndLaunchKeepsItsOwnTextfileAndGroupingKey() {
    RunMetrics.Labels nightly = RunMetrics.Labels.of("run", null, List.of("@jobs/nightly.args"));
    RunMetrics.Labels review =
        RunMetrics.Labels.of(
            "run", "contoso", List.of("@jobs/failed-sign-ins.args", "until=2026-12-01"));

    assertThat(nightly).isEqualTo(new RunMetrics.Labels("all", "nightly"));
    assertThat(nightly.file()).isEqualTo("entra_warehouse_all_nightly.prom");
    assertThat(review.file()).isEqualTo("entra_warehouse_contoso_failed-sign-ins.prom");
    assertThat(review.settings())
        .containsEntry("management.metrics.tags.tenant", "contoso")
        .containsEntry("management.metrics.tags.launch", "failed-sign-ins")
        .containsEntry(
            "management.prometheus.metrics.export.pushgateway.grouping-key.tenant", "contoso")
        .containsEntry(
            "management.prometheus.metrics.export.pushgateway.grouping-key.launch",
            "failed-sign-ins");
    assertThat(RunMetrics.Labels.of("restart", null, List.of()).file())
        .isEqualTo("entra_warehouse_all_restart.prom");
    assertThat(new RunMetrics.Labels("a/b c", "x").file())
        .isEqualTo("entra_warehouse_a-b-c_x.prom");
  }

  @Test
  void aPushgatewayThatCannotBeReachedFailsNothing() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort(); // nothing listens there once closed
    }
    Cli cli = new Cli();
    try (GraphSimulator simulator =
        GraphSimulator.start(
            SimulatorSettings.builder().scale(TenantScale.TINY).throttling(false).build())) {
      cli.against(simulator, dir);
      Path warehouse = dir.resolve("warehouse");
      cli.properties.put("management.prometheus.metrics.export.pushgateway.enabled", "true");
      cli.properties.put(
          "management.prometheus.metrics.export.pushgateway.address", "127.0.0.1:" + closed);
      Cli.Run run = cli.run("run", "entities=users");
      assertThat(run.exit()).as(run.all()).isZero();
      Map<String, Double> file =
          samples(Files.readString(warehouse.resolve("metrics/entra_warehouse_all_run.prom")));
      assertThat(file.get("entra_step_items_written_total{step=\"users\"}"))
          .isEqualTo(simulator.tenant().scale().users());
    } finally {
      cli.clear();
    }
  }

  /**
   * Prometheus text: sample name with labels, to value. Every sample carries the run's labels (a
   * default run: tenant "all", launch "run"), checked and then left out of the key.
   */
  private static Map<String, Double> samples(String text) {
    Map<String, Double> out = new TreeMap<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      String key = line.substring(0, space);
      assertThat(key).as("the run's labels").contains("launch=\"run\"", "tenant=\"all\"");
      key =
          key.replace("launch=\"run\",", "")
              .replace("tenant=\"all\"", "")
              .replace(",}", "}")
              .replace("{}", "");
      out.put(key, Double.parseDouble(line.substring(space + 1)));
    }
    return out;
  }

  private static double sum(Map<String, Double> samples, String prefix) {
    return samples.entrySet().stream()
        .filter(e -> e.getKey().startsWith(prefix))
        .mapToDouble(Map.Entry::getValue)
        .sum();
  }
}
