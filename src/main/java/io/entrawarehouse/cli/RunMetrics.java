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
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A run's meters at its end: the exit code and end time as gauges, and everything as Prometheus
 * text in {@code <warehouse>/metrics/entra_warehouse.prom}, for node_exporter's textfile collector
 * (written whole, then renamed, so the collector never reads half a file).
 */
final class RunMetrics {

  static final String FILE = "entra_warehouse.prom";

  private RunMetrics() {}

  static void finish(ConfigurableApplicationContext spring, int exit, PrintWriter err) {
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
      Path tmp = dir.resolve("." + FILE + ".tmp");
      Files.writeString(tmp, registry.scrape(), StandardCharsets.UTF_8);
      Files.move(
          tmp,
          dir.resolve(FILE),
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | RuntimeException e) {
      err.println("warning: the run's metrics were not written to " + dir + ": " + e.getMessage());
      err.flush();
    }
  }
}
