package io.entrawarehouse.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import java.net.URI;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * The product's Micrometer meters, recorded in Micrometer's global registry (Spring Boot adds its
 * Prometheus registry to it): what a run asked of Graph, how long it waited, what it wrote. Every
 * name starts {@code entra.}; Prometheus shows them as {@code entra_…_total}.
 */
public final class Meters {

  private static final Pattern ID =
      Pattern.compile(
          "^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
              + "|[0-9]+)$");

  private Meters() {}

  /** One answer from Graph: by endpoint (ids folded to {id}) and HTTP status. */
  public static void graphRequest(String url, int status) {
    counter(
            "entra.graph.requests",
            "Answers from Graph, by endpoint and HTTP status",
            "endpoint",
            endpoint(url),
            "status",
            "" + status)
        .increment();
  }

  /** A 429 from Graph. */
  public static void throttled(String url) {
    counter(
            "entra.graph.throttled",
            "429 answers from Graph, by endpoint",
            "endpoint",
            endpoint(url))
        .increment();
  }

  /**
   * Time spent waiting before a request: {@code reason} is "retry-after" (Graph's 429 or 503),
   * "pacing" (our own budget kept the request back) or "backoff" (after a failed connection).
   */
  public static void waited(String url, String reason, Duration d) {
    counter(
            "entra.graph.wait.seconds",
            "Seconds spent waiting for Graph before requests",
            "endpoint",
            endpoint(url),
            "reason",
            reason)
        .increment(d.toNanos() / 1e9);
  }

  /** An access token fetched from Entra ID (not one served from the cache). */
  public static void tokenAcquired() {
    counter("entra.graph.token.acquisitions", "Access tokens fetched from Entra ID (not cached)")
        .increment();
  }

  /** A data file written to the lake. */
  public static void lakeBytes(String table, long bytes) {
    Counter.builder("entra.lake.written.bytes")
        .description("Bytes of data files written to the lake, by table")
        .baseUnit("bytes")
        .tag("table", table)
        .register(Metrics.globalRegistry)
        .increment(bytes);
  }

  /** A finished step's items. */
  public static void stepItems(String step, long read, long written, long skipped) {
    counter("entra.step.items.read", "Items a finished step read, by step", "step", step)
        .increment(read);
    counter("entra.step.items.written", "Items a finished step wrote, by step", "step", step)
        .increment(written);
    counter(
            "entra.step.items.skipped",
            "Malformed items a finished step skipped, by step",
            "step",
            step)
        .increment(skipped);
  }

  /** A counter with its HELP text (Prometheus' exposition wants one for every metric). */
  private static Counter counter(String name, String help, String... tags) {
    return Counter.builder(name).description(help).tags(tags).register(Metrics.globalRegistry);
  }

  /** "/groups/{id}/members" for ".../v1.0/groups/0b1c…/members?$top=999". */
  static String endpoint(String url) {
    String path;
    try {
      path = URI.create(url).getRawPath();
    } catch (IllegalArgumentException e) {
      return "unknown";
    }
    if (path == null) {
      return "unknown";
    }
    StringBuilder out = new StringBuilder();
    String[] segments = path.split("/");
    for (int i = 0; i < segments.length; i++) {
      String s = segments[i];
      if (s.isEmpty() || (out.isEmpty() && (s.equals("v1.0") || s.equals("beta")))) {
        continue;
      }
      out.append('/').append(ID.matcher(s).matches() ? "{id}" : s);
    }
    return out.isEmpty() ? "/" : out.toString();
  }
}
