package io.entrawarehouse.cli;

import io.entrawarehouse.config.EntraProperties;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A run's meters at its end: the exit code and end time as gauges, and everything as Prometheus
 * text in {@code <warehouse>/metrics/entra_warehouse_<tenant>_<launch>.prom}, for node_exporter's
 * textfile collector (written whole, then renamed, so the collector never reads half a file). A
 * file per tenant and launch: a nightly's meters stay beside a review's, each worker's beside the
 * others'.
 */
final class RunMetrics {

  private RunMetrics() {}

  /**
   * What tells one run's meters from another's: a {@code tenant} and a {@code launch} label on
   * every meter, and the same two in the Pushgateway's grouping key, so that workers loading
   * tenants side by side keep their own series.
   *
   * @param tenant the tenant selection ({@code tenant=}; "all" by default)
   * @param launch the launch file's name ({@code @jobs/nightly.args}: "nightly"), else the command
   */
  record Labels(String tenant, String launch) {

    /** The labels of a load command: its tenant selection, its first launch file or itself. */
    static Labels of(String command, String tenantSelection, List<String> parameters) {
      String launch = command;
      for (String p : parameters) {
        if (p.startsWith("@")) {
          String name = Path.of(p.substring(1)).getFileName().toString();
          launch = name.endsWith(".args") ? name.substring(0, name.length() - 5) : name;
          break;
        }
      }
      return new Labels(tenantSelection == null ? "all" : tenantSelection, launch);
    }

    /** Spring Boot's settings that put the labels on every meter and in the grouping key. */
    Map<String, String> settings() {
      Map<String, String> s = new LinkedHashMap<>();
      Map<String, String> labels = new LinkedHashMap<>();
      labels.put("tenant", tenant);
      labels.put("launch", launch);
      for (Map.Entry<String, String> label : labels.entrySet()) {
        s.put("management.metrics.tags." + label.getKey(), label.getValue());
        s.put(
            "management.prometheus.metrics.export.pushgateway.grouping-key." + label.getKey(),
            label.getValue());
      }
      return s;
    }

    /** The textfile's name: the labels, each kept to letters, digits, '-' and '.'. */
    String file() {
      return "entra_warehouse_" + safe(tenant) + "_" + safe(launch) + ".prom";
    }

    private static String safe(String value) {
      return value.replaceAll("[^A-Za-z0-9.-]", "-");
    }
  }

  static void finish(
      ConfigurableApplicationContext spring, Labels labels, int exit, PrintWriter err) {
    PrometheusMeterRegistry registry =
        spring.getBeanProvider(PrometheusMeterRegistry.class).getIfAvailable();
    if (registry == null) {
      return;
    }
    AtomicLong code = new AtomicLong(exit);
    AtomicLong finished = new AtomicLong(System.currentTimeMillis() / 1000);
    Gauge.builder("entra.run.exit.code", code, AtomicLong::get)
        .description(
            "The run's exit code: 0 done, 1 failed, 2 bad input, 3 warehouse busy, 4 partial")
        .register(registry);
    Gauge.builder("entra.run.finished.time", finished, AtomicLong::get)
        .description("When the run ended, in seconds since the epoch")
        .baseUnit("seconds")
        .register(registry);
    Path dir = spring.getBean(EntraProperties.class).warehouse().directory().resolve("metrics");
    try {
      Files.createDirectories(dir);
      Path tmp = dir.resolve("." + labels.file() + ".tmp");
      Files.writeString(tmp, registry.scrape(), StandardCharsets.UTF_8);
      Files.move(
          tmp,
          dir.resolve(labels.file()),
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | RuntimeException e) {
      err.println("warning: the run's metrics were not written to " + dir + ": " + e.getMessage());
      err.flush();
    }
  }
}
