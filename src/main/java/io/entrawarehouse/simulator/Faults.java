package io.entrawarehouse.simulator;

import com.sun.net.httpserver.HttpExchange;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The faults a test configured ({@link FaultRule}): which request gets one, by its count per
 * endpoint or at a seeded rate, and the faults that replace the answer. Faults that alter a page
 * (truncation, malformed items, slow pages) are applied by the handler that builds it. Thread-safe.
 */
final class Faults {

  private final SimulatorSettings settings;
  private final RequestLog log;
  private final SplittableRandom faultRandom;
  private final Map<String, AtomicLong> pageCounters = new ConcurrentHashMap<>();

  Faults(SimulatorSettings settings, RequestLog log) {
    this.settings = settings;
    this.log = log;
    this.faultRandom = new SplittableRandom(settings.seed() ^ 0xfa17L);
  }

  /** The fault this request to {@code endpoint} gets, logged; null for none. */
  FaultRule.Kind next(String endpoint) {
    FaultRule.Kind fault = pick(endpoint);
    if (fault != null) {
      log.fault(fault);
    }
    return fault;
  }

  private FaultRule.Kind pick(String endpoint) {
    if (settings.faults().isEmpty()) {
      return null;
    }
    long n = pageCounters.computeIfAbsent(endpoint, k -> new AtomicLong()).incrementAndGet();
    for (FaultRule rule : settings.faults()) {
      if (!rule.appliesTo(endpoint)) {
        continue;
      }
      if (rule.nth() > 0 && rule.nth() == n) {
        return rule.kind();
      }
      if (rule.rate() > 0) {
        double roll;
        synchronized (faultRandom) {
          roll = faultRandom.nextDouble();
        }
        if (roll < rule.rate()) {
          return rule.kind();
        }
      }
    }
    return null;
  }

  /** Throws the error a fault answers with instead of the page; returns for the others. */
  void beforeAnswer(FaultRule.Kind fault, HttpExchange exchange, GraphCollection collection) {
    switch (fault) {
      case SERVICE_UNAVAILABLE, SERVICE_UNAVAILABLE_RETRY_AFTER -> {
        GraphError e =
            new GraphError(
                503,
                "serviceNotAvailable",
                "The service is temporarily unavailable. Please retry later.");
        if (fault == FaultRule.Kind.SERVICE_UNAVAILABLE_RETRY_AFTER) {
          e.header("Retry-After", "1");
        }
        throw e;
      }
      case GATEWAY_TIMEOUT, GATEWAY_TIMEOUT_RETRY_AFTER -> {
        GraphError e =
            new GraphError(504, "UnknownError", "The gateway did not receive a timely response.");
        if (fault == FaultRule.Kind.GATEWAY_TIMEOUT_RETRY_AFTER) {
          e.header("Retry-After", "1");
        }
        throw e;
      }
      case THROTTLED, THROTTLED_NO_RETRY_AFTER -> {
        log.throttled(collection.name(), fault == FaultRule.Kind.THROTTLED);
        GraphError e =
            new GraphError(429, "TooManyRequests", "Too many requests. Please try again later.");
        if (fault == FaultRule.Kind.THROTTLED) {
          e.header("Retry-After", "1");
        }
        throw e;
      }
      case CONNECTION_RESET -> throw new Responses.ConnectionReset();
      case LICENCE_REFUSED ->
          throw new GraphError(
              403,
              "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
              "Neither tenant is B2C or tenant doesn't have premium license");
      case NOT_FOUND ->
          throw new GraphError(
              404,
              "Request_ResourceNotFound",
              "Resource '"
                  + exchange.getRequestURI().getPath().replaceAll(".*/([^/]+)/[^/]+$", "$1")
                  + "' does not exist or one of its queried reference-property objects are not"
                  + " present.");
      case PAGE_TOKEN -> {
        if (exchange.getRequestURI().getRawQuery() != null
            && exchange.getRequestURI().getRawQuery().contains("$skiptoken=")) {
          throw new GraphError(
              400,
              "DirectoryPageTokenNotFoundException",
              "The page token was not found: it may come from a retried request.");
        }
      }
      default -> {
        // Truncation and malformed items are applied to the page itself.
      }
    }
  }

  /**
   * The item with a value in each of its credentials' secret properties: {@link
   * FaultRule#SECRET_CANARY} and the credential's keyId.
   */
  @SuppressWarnings("unchecked")
  static Map<String, Object> withSecretValues(Map<String, Object> item) {
    Map<String, Object> out = new LinkedHashMap<>(item);
    for (String list : List.of("passwordCredentials", "keyCredentials")) {
      if (out.get(list) instanceof List<?> credentials) {
        List<Object> filled = new ArrayList<>();
        for (Object c : credentials) {
          Map<String, Object> credential = new LinkedHashMap<>((Map<String, Object>) c);
          String value = FaultRule.SECRET_CANARY + credential.get("keyId");
          if (list.equals("keyCredentials")) {
            credential.put("key", value);
          } else {
            credential.put("secretText", value);
            credential.put("hint", value);
          }
          filled.add(credential);
        }
        out.put(list, filled);
      }
    }
    return out;
  }

  /** The item with every timestamp and boolean replaced by text of the wrong type. */
  static Map<String, Object> malformed(Map<String, Object> item) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : item.entrySet()) {
      Object v = e.getValue();
      if (v instanceof Boolean) {
        v = "not-a-boolean";
      } else if (v instanceof String s
          && s.length() >= 20
          && s.charAt(4) == '-'
          && s.charAt(10) == 'T') {
        v = "not-a-date";
      }
      out.put(e.getKey(), v);
    }
    return out;
  }
}
