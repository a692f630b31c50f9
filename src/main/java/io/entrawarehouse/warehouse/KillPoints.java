package io.entrawarehouse.warehouse;

/**
 * Named points in a load where a test can kill the process as SIGKILL would (no shutdown hook, no
 * finally block): set {@code entra.fault.halt-at=<point>} and the process halts with status 137 on
 * reaching it. Unset (always, outside tests), a point costs one property read.
 */
public final class KillPoints {

  /** The system property naming the point to halt at. */
  public static final String PROPERTY = "entra.fault.halt-at";

  private KillPoints() {}

  /** Halts the process if {@code point} is the one named. */
  public static void reached(String point) {
    if (point.equals(System.getProperty(PROPERTY))) {
      System.out.println("halting at " + point);
      System.out.flush();
      Runtime.getRuntime().halt(137);
    }
  }
}
