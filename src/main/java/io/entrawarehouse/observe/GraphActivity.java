package io.entrawarehouse.observe;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What this process's load is doing with Graph, per thing being read ("sign-ins"): the waits (how
 * many, how long in all, the one under way) and the item count Graph announced ({@code
 * @odata.count}). Progress reads it, and summarises the waits instead of a line per wait.
 */
public final class GraphActivity {

  /**
   * A reader's waits so far: their number and length, the reason of the last, and whether one is
   * under way (planned for {@code currentLength}, zero if not known, since {@code
   * currentStartedAtNanos}).
   */
  public record Summary(
      int count,
      Duration total,
      String why,
      boolean waiting,
      Duration currentLength,
      long currentStartedAtNanos) {}

  private static final class Tally {
    int count;
    long nanos;
    String why;
    boolean waiting;
    long currentLength;
    long startedAt;
  }

  private static final Map<String, Tally> TALLIES = new ConcurrentHashMap<>();
  private static final Map<String, Long> EXPECTED = new ConcurrentHashMap<>();
  private static final Map<String, AtomicLong> FETCHED = new ConcurrentHashMap<>();

  private GraphActivity() {}

  /** Forgets the waits of an earlier load in this process. */
  public static void reset() {
    TALLIES.clear();
    EXPECTED.clear();
    FETCHED.clear();
  }

  /** A page of {@code items} arrived for {@code what}. */
  public static void fetched(String what, int items) {
    FETCHED.computeIfAbsent(what, k -> new AtomicLong()).addAndGet(items);
  }

  /** The items fetched from Graph for {@code what} so far. */
  public static long fetched(String what) {
    AtomicLong n = FETCHED.get(what);
    return n == null ? 0 : n.get();
  }

  /** Graph announced how many items {@code what} has ({@code @odata.count} on its first page). */
  public static void expect(String what, long count) {
    EXPECTED.putIfAbsent(what, count);
  }

  /** The items Graph announced for {@code what}, or null. */
  public static Long expected(String what) {
    return EXPECTED.get(what);
  }

  /**
   * A wait of {@code planned} (zero: not known ahead, as when our own pacing holds a request back)
   * begins for {@code what}, for the reason given.
   */
  public static void begin(String what, String why, Duration planned) {
    Tally t = TALLIES.computeIfAbsent(what, k -> new Tally());
    synchronized (t) {
      t.why = why;
      t.waiting = true;
      t.currentLength = planned.toNanos();
      t.startedAt = System.nanoTime();
    }
  }

  /**
   * The wait under way for {@code what} ended after {@code actual}; it counts as a wait when {@code
   * counts} (a pacing pause of a few milliseconds does not).
   */
  public static void end(String what, Duration actual, boolean counts) {
    Tally t = TALLIES.computeIfAbsent(what, k -> new Tally());
    synchronized (t) {
      if (counts) {
        t.count++;
        t.nanos += actual.toNanos();
      }
      t.waiting = false;
    }
  }

  /** Every reader's waits, by what is read. */
  public static Map<String, Summary> snapshot() {
    Map<String, Summary> out = new TreeMap<>();
    TALLIES.forEach(
        (what, t) -> {
          synchronized (t) {
            out.put(
                what,
                new Summary(
                    t.count,
                    Duration.ofNanos(t.nanos),
                    t.why,
                    t.waiting,
                    Duration.ofNanos(t.currentLength),
                    t.startedAt));
          }
        });
    return out;
  }
}
