package io.entrawarehouse.simulator;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the simulator served: requests per endpoint, 429s, faults and resource units. Throttling
 * tests and benchmarks read it. Thread-safe.
 */
public final class RequestLog {

  /** A consistent-enough copy of the counters at one moment. */
  public record Snapshot(
      Map<String, Long> requests,
      Map<String, Long> throttled,
      long throttledWithoutRetryAfter,
      Map<String, Long> faults,
      long resourceUnits,
      long tokensIssued,
      int maxGraphRequestsInFlight) {

    public long requests(String endpoint) {
      return requests.getOrDefault(endpoint, 0L);
    }

    public long totalThrottled() {
      return throttled.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> throttled = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> faults = new ConcurrentHashMap<>();
  private final LongAdder throttledWithoutRetryAfter = new LongAdder();
  private final LongAdder resourceUnits = new LongAdder();
  private final LongAdder tokens = new LongAdder();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();

  /** A Graph request starts being served. */
  void enter() {
    int now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
  }

  /** A Graph request has been answered. */
  void exit() {
    inFlight.decrementAndGet();
  }

  void request(String endpoint) {
    requests.computeIfAbsent(endpoint, k -> new LongAdder()).increment();
  }

  void throttled(String endpoint, boolean withRetryAfter) {
    throttled.computeIfAbsent(endpoint, k -> new LongAdder()).increment();
    if (!withRetryAfter) {
      throttledWithoutRetryAfter.increment();
    }
  }

  void fault(FaultRule.Kind kind) {
    faults.computeIfAbsent(kind.label(), k -> new LongAdder()).increment();
  }

  void resourceUnits(int units) {
    resourceUnits.add(units);
  }

  void tokenIssued() {
    tokens.increment();
  }

  public Snapshot snapshot() {
    return new Snapshot(
        copy(requests),
        copy(throttled),
        throttledWithoutRetryAfter.sum(),
        copy(faults),
        resourceUnits.sum(),
        tokens.sum(),
        maxInFlight.get());
  }

  private static Map<String, Long> copy(Map<String, LongAdder> source) {
    Map<String, Long> out = new TreeMap<>();
    source.forEach((k, v) -> out.put(k, v.sum()));
    return Map.copyOf(out);
  }
}
