package io.entrawarehouse.job;

import io.entrawarehouse.warehouse.Entity;
import io.entrawarehouse.write.iceberg.IcebergLake;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.infrastructure.item.ExecutionContext;

/**
 * A launch's window on the logs, and all that follows from it in one place: where each log's read
 * starts ({@code since}, or the lake's mark with {@code since=cursor}, never older than Graph keeps
 * logs), where it ends, and where the lake's mark moves once the log is committed. Immutable.
 *
 * @param since the launch's start ({@code until} less 7 days with {@code since=cursor}: the start
 *     for a log the lake has no mark of)
 * @param until the window's end, exclusive
 * @param cursor whether each log starts from the lake's mark
 */
public record LogWindow(Instant since, Instant until, boolean cursor) {

  /**
   * How far before a log's mark (the end of the window its last load read) a cursor load starts
   * again: events Graph publishes late, after a load read past their time, are read then. Microsoft
   * documents the latency of sign-ins and audit logs as 2 minutes at the 95th and 5 minutes at the
   * 99th percentile ("Azure AD reporting latencies", learn.microsoft.com, 2019-2022), and its
   * training material says sign-ins take up to two hours to show; two hours covers both, at the
   * cost of reading about 8% of a day's events twice (deduplicated by id).
   */
  public static final Duration LOG_OVERLAP = Duration.ofHours(2);

  /**
   * How long Graph keeps sign-ins and directory audits: 30 days with Entra ID P1/P2, 7 without. A
   * filter on an older time is refused ({@code 400 Invalid filter clause}).
   */
  public static final Duration LOG_RETENTION = Duration.ofDays(30);

  /**
   * How far inside the retention a clamped window starts: time for the last page of a long read to
   * still be inside it, since Graph checks the filter of every next link again.
   */
  public static final Duration RETENTION_MARGIN = Duration.ofHours(1);

  /** In a log's read step context: where its window starts, fixed by the step's first open. */
  static final String WINDOW_FROM = "window.from";

  /**
   * In a log's read step context: the window starts at the oldest time Graph keeps, later than the
   * lake's mark or the launch's {@code since}; what lay between is beyond reach.
   */
  static final String WINDOW_CLAMPED = "window.clamped";

  /**
   * In a log's read step context: when its first read began. Events after it may exist that this
   * read never saw, so the tenant's mark never moves past it (an {@code until} later today).
   */
  static final String WINDOW_READ_AT = "window.read-at";

  private static final Logger log = LoggerFactory.getLogger(LogWindow.class);

  /**
   * Where a log's window starts when read at {@code now}: {@code since}, or the oldest time Graph
   * still keeps (less a margin) when {@code since} reaches past it.
   */
  public Instant effectiveSince(Instant now) {
    return withinRetention(since, now);
  }

  /**
   * A log window's start no older than Graph keeps logs when read at {@code now} (less a margin):
   * Graph refuses a filter on an older time.
   */
  static Instant withinRetention(Instant wanted, Instant now) {
    // Whole seconds: Graph's DateTimeOffset takes at most 7 fractional digits.
    Instant oldest =
        now.minus(LOG_RETENTION)
            .plus(RETENTION_MARGIN)
            .truncatedTo(ChronoUnit.SECONDS)
            .plusSeconds(1);
    return wanted.isBefore(oldest) ? oldest : wanted;
  }

  /**
   * Where a log's window starts: as the step context has it (a restart), else {@code since=} as
   * given, or with {@code since=cursor} the lake's mark for the tenant less {@link #LOG_OVERLAP}
   * ({@link #since} without a mark); never before the oldest time Graph keeps (one WARN line when
   * it had to move). Recorded in the context, with when the read began.
   */
  Instant start(ExecutionContext step, Entity entity, IcebergLake lake, String tenantId) {
    if (step.containsKey(WINDOW_FROM)) {
      return Instant.parse(step.getString(WINDOW_FROM));
    }
    Instant mark = cursor ? lake.logMark(entity, tenantId) : null;
    Instant wanted = mark == null ? since : mark.minus(LOG_OVERLAP);
    Instant now = Instant.now();
    Instant from = withinRetention(wanted, now);
    if (mark != null) {
      log.info(
          "{}: the lake holds every event up to {}: reading from {} ({} h before it) to {}",
          entity.name(),
          mark,
          from,
          LOG_OVERLAP.toHours(),
          until);
    }
    if (!from.equals(wanted)) {
      log.warn(
          "{}: {} reaches past the {} days Graph keeps {}; reading from {} instead{}",
          entity.name(),
          mark == null ? "since=" + wanted : "the lake's mark, " + mark + ",",
          LOG_RETENTION.toDays(),
          entity.what(),
          from,
          mark == null
              ? ""
              : ": the events between were never loaded, and Graph no longer keeps them");
      step.putString(WINDOW_CLAMPED, "true");
    }
    step.putString(WINDOW_FROM, from.toString());
    // Whole seconds, rounded down: the mark goes into the next load's $filter, and Graph's
    // DateTimeOffset takes at most 7 fractional digits (Instant.now() may have 9).
    step.putString(WINDOW_READ_AT, now.truncatedTo(ChronoUnit.SECONDS).toString());
    return from;
  }

  /**
   * Where the tenant's mark moves once the log read in {@code read} (its step's context) is
   * committed: to the window's end (or when the read began, if that is earlier) when the window
   * read every event (no filter of the user's) from the mark on (or from the oldest time Graph
   * keeps, when the mark is older: what lies before is beyond reach); else null, it stays, and a
   * cursor load later fills the gap.
   */
  Instant markAfter(ExecutionContext read, Entity entity, Instant mark, boolean filtered) {
    Instant from = from(read);
    boolean reaches = mark == null || !from.isAfter(mark) || read.containsKey(WINDOW_CLAMPED);
    if (filtered) {
      log.info(
          "{}: the lake's mark stays at {}: filter.{} read only some events",
          entity.name(),
          mark,
          entity.name());
    } else if (!reaches) {
      log.info(
          "{}: the lake's mark stays at {}: this window starts after it, at {}; a load with"
              + " since=cursor reads from the mark",
          entity.name(),
          mark,
          from);
    }
    Instant readAt =
        read.containsKey(WINDOW_READ_AT) ? Instant.parse(read.getString(WINDOW_READ_AT)) : until;
    Instant readTo = readAt.isBefore(until) ? readAt : until;
    if (readTo.isBefore(until)) {
      log.info(
          "{}: until={} is later than this read began ({}): the lake's mark moves to {} only, so"
              + " the next cursor load reads the events after it",
          entity.name(),
          until,
          readAt,
          readTo);
    }
    boolean forward = mark == null || readTo.isAfter(mark);
    return !filtered && reaches && forward ? readTo : null;
  }

  /** The window's start as it was fixed in a log's read step context. */
  static Instant from(ExecutionContext read) {
    return Instant.parse(read.getString(WINDOW_FROM));
  }

  /** How the window reads in a launch's description. */
  String describe() {
    return "["
        + (cursor ? "each log's mark less " + LOG_OVERLAP.toHours() + " h, else " + since : since)
        + ", "
        + until
        + ")";
  }
}
