package io.entrawarehouse.simulator;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Graph's throttling at the door: each request's cost in resource units (or one report request),
 * the {@link Throttler}'s verdict per app and tenant, and the 429 Graph answers when over budget,
 * with or without Retry-After as configured. Thread-safe.
 */
final class Admission {

  private final SimulatorSettings settings;
  private final RequestLog log;
  private final String tenantId;
  private final Throttler throttler;
  private final SplittableRandom throttleRandom;

  Admission(SimulatorSettings settings, RequestLog log, String tenantId) {
    this.settings = settings;
    this.log = log;
    this.tenantId = tenantId;
    this.throttler =
        new Throttler(
            settings.timeScale(), settings.resourceUnitsPerWindow(), settings.reportsPerWindow());
    this.throttleRandom = new SplittableRandom(settings.seed() ^ 0x429L);
  }

  /**
   * Admits a request, or throws Graph's 429.
   *
   * @return the answer's headers: the request ids, its cost, and how much of the budget is used
   */
  Map<String, String> admit(
      GraphCollection collection,
      TokenService.Claims claims,
      boolean selected,
      String requestId,
      String clientRequestId) {
    int cost =
        collection.reports() ? 1 : Math.max(1, collection.resourceUnits() - (selected ? 1 : 0));
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("request-id", requestId);
    headers.put("client-request-id", clientRequestId);
    headers.put("x-ms-resource-unit", Integer.toString(cost));
    if (!settings.throttling()) {
      log.resourceUnits(cost);
      return headers;
    }
    String key = tenantId + "/" + claims.appId();
    Throttler.Decision decision = throttler.admit(key, collection.reports(), cost, nanoTime());
    if (!decision.admitted()) {
      throw throttled(collection, key, decision.retryAfterSeconds(), decision.scope());
    }
    log.resourceUnits(cost);
    if (decision.usedFraction() > 0.8) {
      headers.put(
          "x-ms-throttle-limit-percentage",
          String.format(Locale.ROOT, "%.2f", Math.min(1.8, decision.usedFraction())));
    }
    return headers;
  }

  private GraphError throttled(
      GraphCollection collection, String key, long retryAfter, String scope) {
    boolean withHeader;
    synchronized (throttleRandom) {
      withHeader = throttleRandom.nextDouble() >= settings.throttleWithoutRetryAfterRatio();
    }
    log.throttled(collection.name(), withHeader);
    GraphError error =
        new GraphError(
            429,
            "TooManyRequests",
            "Too many requests from Identifier:"
                + key
                + " under category:throttle.aad.ags.subscriptionservice.dc.list. Please try again later.");
    if (withHeader) {
      error.header("Retry-After", Long.toString(retryAfter));
    }
    error.header("x-ms-throttle-scope", scope);
    error.header(
        "x-ms-throttle-information",
        collection.reports() ? "ReportsRequestLimitExceeded" : "ResourceUnitLimitExceeded");
    return error;
  }

  /**
   * The throttler's time: the JVM's monotonic clock, or the settings' clock when a test set one (so
   * windows pass as the test moves it, not as the machine's load allows).
   */
  private long nanoTime() {
    Clock clock = settings.clock();
    if (clock.equals(Clock.systemUTC())) {
      return System.nanoTime();
    }
    Instant now = clock.instant();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }
}
