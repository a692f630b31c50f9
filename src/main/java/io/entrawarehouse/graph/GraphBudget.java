package io.entrawarehouse.graph;

import io.entrawarehouse.config.EntraProperties;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Paces requests to Graph's documented throttling budgets for one app and tenant, so reading as
 * fast as Graph allows draws few 429s instead of a storm of them:
 *
 * <ul>
 *   <li>directory requests draw resource units (users and applications 2, group members 3,
 *       transitive members 5, subscribed SKUs 3, the rest 1; {@code $select} one less, {@code
 *       $expand} one more, never under 1) from a bucket refilled at the tenant's rate per window:
 *       8,000, 5,000 or 3,500 units per 10 s by tenant size;
 *   <li>reports requests (audit logs, sign-ins, registration details) are at most 5 per window.
 * </ul>
 *
 * <p>The tenant's size is not known up front, so the bucket starts at the largest tier and steps
 * down to the next one each time Graph throttles a directory request anyway (a smaller tenant, or
 * another tool on the same app registration). It follows what Graph says: a {@code Retry-After}
 * stops the kind of request throttled until it passes, a 429 without one empties the bucket, and
 * {@code x-ms-throttle-limit-percentage} (the share of the budget Graph counts as used, 0.8 to 1.8,
 * sent above 0.8) takes the bucket down to what Graph counts as left. A share below 1 ({@code
 * entra.graph.budget-share}) leaves the rest of each budget to other tools. Thread-safe.
 */
public final class GraphBudget {

  private static final Logger log = LoggerFactory.getLogger(GraphBudget.class);

  /** Graph's resource units per window by tenant size: over 500 users, 50 to 500, under 50. */
  public static final int[] TIERS = {8_000, 5_000, 3_500};

  /** A budget that never waits (pacing off). */
  public static final GraphBudget NONE =
      new GraphBudget(0, 0, Duration.ofSeconds(10), 1.0, System::nanoTime, d -> {});

  /** The budget one client (one app and tenant) paces its requests to, as configured. */
  public static GraphBudget of(EntraProperties.Graph settings, GraphClient.Sleeper sleeper) {
    return settings.pacing()
        ? new GraphBudget(
            settings.resourceUnits(),
            settings.reportRequests(),
            settings.budgetWindow(),
            settings.budgetShare(),
            System::nanoTime,
            sleeper)
        : NONE;
  }

  /** Which budget a request draws on. */
  public enum Kind {
    DIRECTORY,
    REPORTS
  }

  /** What one request costs: its budget and, for directory requests, its resource units. */
  public record Cost(Kind kind, int units) {}

  /**
   * A request let through. For a report, when it counts in the window: until its answer arrives,
   * always (Graph counted it at some moment before that); then from the answer's arrival, which is
   * no earlier than when Graph counted it. So the next report goes no sooner than a full window
   * after Graph counted this one, however long the requests took to travel.
   */
  public static final class Permit {
    private final Kind kind;
    private volatile long countedAt = Long.MAX_VALUE;

    private Permit(Kind kind) {
      this.kind = kind;
    }
  }

  private final long windowNanos;
  private final double share;
  private final int fixedUnits; // 0: the documented tiers, stepping down on throttling
  private final int reportsPerWindow;
  private final LongSupplier clock;
  private final GraphClient.Sleeper sleeper;
  private final boolean off;

  private int tier;
  private double tokens;
  private long refilledAt;
  private long directoryPausedUntil;
  private long reportsPausedUntil;
  private final ArrayDeque<Permit> reportsSent = new ArrayDeque<>();

  /**
   * @param resourceUnits the directory budget per window, or 0 for Graph's documented tiers
   * @param reportsPerWindow the reports budget per window (Graph: 5), or 0 with resourceUnits 0 and
   *     no tiers for no pacing at all
   * @param window Graph's budget window (10 s)
   * @param share the part of each budget to use, above 0 and at most 1
   * @param clock nanoseconds
   */
  public GraphBudget(
      int resourceUnits,
      int reportsPerWindow,
      Duration window,
      double share,
      LongSupplier clock,
      GraphClient.Sleeper sleeper) {
    if (!(share > 0 && share <= 1)) {
      throw new IllegalArgumentException(
          "entra.graph.budget-share must be above 0 and at most 1, got " + share);
    }
    this.off = reportsPerWindow == 0 && resourceUnits == 0;
    this.windowNanos = window.toNanos();
    this.share = share;
    this.fixedUnits = resourceUnits;
    this.reportsPerWindow = Math.max(1, (int) Math.floor(reportsPerWindow * share));
    this.clock = clock;
    this.sleeper = sleeper;
    this.refilledAt = clock.getAsLong();
    this.tokens = capacity();
  }

  /** The directory budget per window now, after the share. */
  public synchronized double capacity() {
    return units() * share;
  }

  /** Graph's directory budget per window, as this budget now takes it (before the share). */
  private int units() {
    return fixedUnits > 0 ? fixedUnits : TIERS[tier];
  }

  /** What a request to this URL costs, by Microsoft's table. */
  public static Cost cost(String url) {
    URI uri = URI.create(url);
    String path = uri.getRawPath() == null ? "" : uri.getRawPath().toLowerCase(Locale.ROOT);
    String query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
    if (path.contains("/auditlogs/") || path.contains("/reports/")) {
      return new Cost(Kind.REPORTS, 1);
    }
    String[] segments = path.split("/");
    String last = segments.length == 0 ? "" : segments[segments.length - 1];
    String collection = segments.length > 2 ? segments[2] : last;
    int units;
    if (last.equals("transitivemembers")) {
      units = 5;
    } else if (last.equals("members")) {
      units = 3;
    } else if (last.equals("subscribedskus")) {
      units = 3;
    } else if ((collection.equals("users") || collection.equals("applications"))
        && segments.length <= 4) {
      units = 2;
    } else {
      units = 1;
    }
    if (query.contains("$select=") || query.contains("%24select=")) {
      units--;
    }
    if (query.contains("$expand=") || query.contains("%24expand=")) {
      units++;
    }
    return new Cost(Kind.DIRECTORY, Math.max(1, units));
  }

  /**
   * Waits until the budget allows a request of this cost, and draws it; give the permit back to
   * {@link #answered} when the answer (any answer) has arrived.
   */
  public Permit acquire(Cost cost) throws InterruptedException {
    Permit permit = new Permit(cost.kind());
    if (off) {
      return permit;
    }
    while (true) {
      long wait;
      synchronized (this) {
        long now = clock.getAsLong();
        wait = cost.kind() == Kind.REPORTS ? reportsWait(now) : directoryWait(now, cost.units());
        if (wait <= 0) {
          if (cost.kind() == Kind.REPORTS) {
            reportsSent.addLast(permit);
          } else {
            tokens -= cost.units();
          }
          return permit;
        }
      }
      sleeper.sleep(Duration.ofNanos(wait));
    }
  }

  /** The answer to a permitted request has arrived (or the request failed). */
  public void answered(Permit permit) {
    if (permit.kind == Kind.REPORTS && permit.countedAt == Long.MAX_VALUE) {
      permit.countedAt = clock.getAsLong();
    }
  }

  private long directoryWait(long now, int units) {
    double capacity = capacity();
    double perNano = capacity / windowNanos;
    tokens = Math.min(capacity, tokens + (now - refilledAt) * perNano);
    refilledAt = now;
    if (now < directoryPausedUntil) {
      return directoryPausedUntil - now;
    }
    // A reserve of a twentieth of the bucket: Graph counts a request when it arrives, and a
    // request that travels faster than the one before it arrives earlier than this clock says.
    double needed = units + capacity / 20;
    return tokens >= needed ? 0 : (long) Math.ceil((needed - tokens) / perNano);
  }

  private long reportsWait(long now) {
    if (now < reportsPausedUntil) {
      return reportsPausedUntil - now;
    }
    // No margin beyond the window: an answer's arrival is no earlier than the instant Graph counted
    // its request (Graph's documentation does not say which instant between the request's arrival
    // and the answer's departure that is), and the next request reaches Graph after it is sent.
    long span = windowNanos;
    while (!reportsSent.isEmpty()
        && reportsSent.peekFirst().countedAt != Long.MAX_VALUE
        && now - reportsSent.peekFirst().countedAt >= span) {
      reportsSent.removeFirst();
    }
    if (reportsSent.size() < reportsPerWindow) {
      return 0;
    }
    long oldest = reportsSent.peekFirst().countedAt;
    // A report still in flight: look again shortly.
    return oldest == Long.MAX_VALUE ? windowNanos / 100 + 1 : oldest + span - now;
  }

  /**
   * Graph throttled a request anyway: nothing of its kind goes until {@code retryAfter} has passed
   * (or the bucket refills, without one); a directory budget steps down to the next tier.
   */
  public synchronized void throttled(Cost cost, Duration retryAfter) {
    if (off) {
      return;
    }
    long now = clock.getAsLong();
    long until = retryAfter == null ? now : now + retryAfter.toNanos();
    if (cost.kind() == Kind.REPORTS) {
      reportsPausedUntil = Math.max(reportsPausedUntil, until);
      return;
    }
    directoryPausedUntil = Math.max(directoryPausedUntil, until);
    tokens = 0;
    refilledAt = now;
    if (fixedUnits == 0 && tier < TIERS.length - 1) {
      tier++;
      log.info(
          "Graph throttled a directory request: pacing to {} resource units per {} s from now"
              + " (the next documented tier; a smaller tenant, or another tool on the app)",
          Math.round(capacity()),
          windowNanos / 1_000_000_000L);
    }
  }

  /**
   * Graph reported the share of the directory budget it counts as used ({@code
   * x-ms-throttle-limit-percentage}): the bucket keeps no more than what Graph counts as left.
   */
  public synchronized void used(double fraction) {
    if (off || fraction <= 0) {
      return;
    }
    directoryWait(clock.getAsLong(), 0); // refill to now first
    tokens = Math.min(tokens, units() * (1 - fraction));
  }
}
