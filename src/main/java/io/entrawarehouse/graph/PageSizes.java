package io.entrawarehouse.graph;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The page size ({@code $top}) each report collection is asked for now. A page Graph answers too
 * slowly halves it, down to {@link #FLOOR}. Every {@link #GROW_AFTER} pages answered in time double
 * it again, up to the size the queries ask for, but not to a size that timed out less than {@link
 * #RETRY_SLOW_AFTER} ago. Graph's sign-in pages of 1,000 have taken over 30 s on tenants with many
 * conditional access policies (msgraph-sdk-powershell#3146, #2941), where 100 or 250 answer in a
 * few seconds; a slow spell that passes should not cost the rest of the night's pages.
 *
 * <p>A size applies to the first page of a query: a nextLink is followed whole, as Graph gives it
 * (paging.md), so a smaller size means reading the query again from its first page. Thread-safe:
 * the slices of one log are read side by side.
 */
public final class PageSizes {

  /** The smallest page asked for: below this, the request count costs more than the wait. */
  public static final int FLOOR = 50;

  /** Pages answered in time at a reduced size before the size doubles. */
  public static final int GROW_AFTER = 10;

  /** How long a size that timed out is not asked for again. */
  public static final Duration RETRY_SLOW_AFTER = Duration.ofMinutes(10);

  private static final Pattern TOP = Pattern.compile("([?&])(\\$|%24)top=(\\d+)");

  /** One collection's reduced size. */
  private static final class Size {
    final int asked; // the size before any shrink
    int now;
    int inTime; // pages answered in time since the size last changed
    int slow = Integer.MAX_VALUE; // the smallest size that timed out
    long slowAt;

    Size(int asked) {
      this.asked = asked;
      this.now = asked;
    }
  }

  private final Map<String, Size> sizes = new HashMap<>();
  private final LongSupplier nanoTime;

  public PageSizes() {
    this(System::nanoTime);
  }

  /** With a test clock. */
  public PageSizes(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  /** {@code link} with its {@code $top} lowered to the size {@code what} is read at now. */
  public synchronized String apply(String what, String link) {
    Size size = sizes.get(what);
    return size == null || top(link) <= size.now ? link : withTop(link, size.now);
  }

  /**
   * After a page of {@code link} timed out: the smaller {@code $top} to read it with, remembered
   * for the collection's later queries; or -1 when the link has no {@code $top} or is at the floor.
   */
  public synchronized int shrink(String what, String link) {
    int top = top(link);
    if (top <= FLOOR) {
      return -1;
    }
    Size size = sizes.computeIfAbsent(what, k -> new Size(top));
    size.now = Math.min(size.now, Math.max(FLOOR, top / 2));
    size.inTime = 0;
    size.slow = Math.min(size.slow, top);
    size.slowAt = nanoTime.getAsLong();
    return size.now;
  }

  /** A page of {@code what} answered in time: after enough of them, the size grows back. */
  public synchronized void answered(String what) {
    Size size = sizes.get(what);
    if (size == null || ++size.inTime < GROW_AFTER) {
      return;
    }
    size.inTime = 0;
    int bigger = Math.min(size.asked, size.now * 2);
    if (bigger >= size.slow && nanoTime.getAsLong() - size.slowAt < RETRY_SLOW_AFTER.toNanos()) {
      return; // that size timed out a moment ago
    }
    size.now = bigger;
    if (bigger >= size.slow) {
      size.slow = Integer.MAX_VALUE;
    }
    if (size.now >= size.asked) {
      sizes.remove(what);
    }
  }

  /** The size {@code what} is read at now, or -1 when it has not been shrunk. */
  public synchronized int current(String what) {
    Size size = sizes.get(what);
    return size == null ? -1 : size.now;
  }

  /** The {@code $top} a link asks for, or -1. */
  public static int top(String link) {
    Matcher m = TOP.matcher(link);
    return m.find() ? Integer.parseInt(m.group(3)) : -1;
  }

  /** The link with {@code $top} set to {@code top}. */
  public static String withTop(String link, int top) {
    Matcher m = TOP.matcher(link);
    return m.find() ? m.replaceFirst("$1$2top=" + top) : link;
  }
}
