package io.entrawarehouse.simulator;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Graph's documented throttling, per app and tenant: a token bucket of resource units refilled over
 * a 10-second window for directory calls, and a fixed number of requests per 10-second window for
 * reports (audit logs and sign-ins). A time scale shrinks both windows to speed benchmarks up while
 * keeping their proportions. Thread-safe.
 */
final class Throttler {

  /** The outcome of one request: admitted, or refused with the wait Graph would advise. */
  record Decision(boolean admitted, long retryAfterSeconds, double usedFraction, String scope) {}

  private final long windowNanos;
  private final int resourceUnitsPerWindow;
  private final int reportsPerWindow;
  private final Map<String, double[]> buckets = new HashMap<>();
  private final Map<String, ArrayDeque<Long>> reportWindows = new HashMap<>();

  Throttler(double timeScale, int resourceUnitsPerWindow, int reportsPerWindow) {
    this.windowNanos = Math.max(1_000_000L, (long) (10_000_000_000L * timeScale));
    this.resourceUnitsPerWindow = resourceUnitsPerWindow;
    this.reportsPerWindow = reportsPerWindow;
  }

  /** The documented limit for a tenant of this many users. */
  static int resourceUnitsFor(int users) {
    if (users < 50) {
      return 3_500;
    }
    return users <= 500 ? 5_000 : 8_000;
  }

  synchronized Decision admit(String key, boolean reports, int cost, long nowNanos) {
    if (reports) {
      ArrayDeque<Long> window = reportWindows.computeIfAbsent(key, k -> new ArrayDeque<>());
      while (!window.isEmpty() && nowNanos - window.peekFirst() >= windowNanos) {
        window.removeFirst();
      }
      if (window.size() >= reportsPerWindow) {
        long waitNanos = window.peekFirst() + windowNanos - nowNanos;
        return new Decision(false, seconds(waitNanos), 1.0, "Reports/" + key);
      }
      window.addLast(nowNanos);
      return new Decision(true, 0, window.size() / (double) reportsPerWindow, "Reports/" + key);
    }
    // bucket[0] = available units, bucket[1] = time of the last refill
    double[] bucket =
        buckets.computeIfAbsent(key, k -> new double[] {resourceUnitsPerWindow, nowNanos});
    double perNano = resourceUnitsPerWindow / (double) windowNanos;
    bucket[0] = Math.min(resourceUnitsPerWindow, bucket[0] + (nowNanos - bucket[1]) * perNano);
    bucket[1] = nowNanos;
    if (bucket[0] < cost) {
      long waitNanos = (long) Math.ceil((cost - bucket[0]) / perNano);
      return new Decision(false, seconds(waitNanos), 1.0, "Tenant_Application/ReadOnly/" + key);
    }
    bucket[0] -= cost;
    double used = (resourceUnitsPerWindow - bucket[0]) / resourceUnitsPerWindow;
    return new Decision(true, 0, used, "Tenant_Application/ReadOnly/" + key);
  }

  /** Retry-After is whole seconds: round up, and never advise 0. */
  private static long seconds(long nanos) {
    return Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
  }
}
