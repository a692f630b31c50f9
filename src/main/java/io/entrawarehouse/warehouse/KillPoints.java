package io.entrawarehouse.warehouse;

/**
 * Named points in a load where a test can stop it. {@code entra.fault.halt-at=<point>} halts the
 * process there as SIGKILL would (no shutdown hook, no finally block), with status 137; {@code
 * entra.fault.fail-at=<point>} throws {@link PlannedFailure} there instead, once, so a test can
 * fail a load in-process at a chosen point and restart it in the same JVM. Unset (always, outside
 * tests), a point costs two property reads.
 */
public final class KillPoints {

  /** The system property naming the point to halt at. */
  public static final String PROPERTY = "entra.fault.halt-at";

  /** The system property naming the point to fail at; cleared when reached. */
  public static final String FAIL_AT = "entra.fault.fail-at";

  private KillPoints() {}

  /** A failure a test planned at a kill point. */
  public static final class PlannedFailure extends RuntimeException {
    PlannedFailure(String point) {
      super("planned failure at " + point);
    }
  }

  /** Halts the process, or fails, if {@code point} is the one named. */
  public static void reached(String point) {
    if (point.equals(System.getProperty(PROPERTY))) {
      System.out.println("halting at " + point);
      System.out.flush();
      Runtime.getRuntime().halt(137);
    }
    if (point.equals(System.getProperty(FAIL_AT))) {
      synchronized (KillPoints.class) {
        if (point.equals(System.getProperty(FAIL_AT))) {
          System.clearProperty(FAIL_AT);
          throw new PlannedFailure(point);
        }
      }
    }
  }
}
