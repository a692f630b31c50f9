package io.entrawarehouse.simulator;

import java.util.Locale;

/**
 * How many objects of each kind the demo tenant holds. The named presets are the sizes that the
 * tests ({@code tiny}), the quick start ({@code small}) and the benchmarks ({@code medium}, {@code
 * large}) use.
 */
public record TenantScale(
    String name,
    int users,
    int devices,
    int groups,
    long memberships,
    int directoryAudits,
    int signIns,
    int servicePrincipals) {

  public static final TenantScale TINY = new TenantScale("tiny", 40, 30, 12, 120, 60, 150, 8);
  public static final TenantScale SMALL =
      new TenantScale("small", 1_000, 800, 200, 8_000, 1_000, 5_000, 40);
  public static final TenantScale MEDIUM =
      new TenantScale("medium", 20_000, 20_000, 5_000, 200_000, 20_000, 100_000, 200);
  public static final TenantScale LARGE =
      new TenantScale("large", 100_000, 100_000, 20_000, 1_000_000, 200_000, 1_000_000, 500);

  public TenantScale {
    require(users >= 1, "users", users);
    require(devices >= 0, "devices", devices);
    require(groups >= 0, "groups", groups);
    require(memberships >= 0, "memberships", memberships);
    require(directoryAudits >= 0, "directoryAudits", directoryAudits);
    require(signIns >= 0, "signIns", signIns);
    require(servicePrincipals >= 1, "servicePrincipals", servicePrincipals);
    if (groups == 0 && memberships > 0) {
      throw new IllegalArgumentException("memberships must be 0 when groups is 0");
    }
  }

  private static void require(boolean ok, String what, long value) {
    if (!ok) {
      throw new IllegalArgumentException(
          what + " must not be negative (users at least 1), got " + value);
    }
  }

  /** A preset by name: tiny, small, medium or large. */
  public static TenantScale preset(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "tiny" -> TINY;
      case "small" -> SMALL;
      case "medium" -> MEDIUM;
      case "large" -> LARGE;
      default ->
          throw new IllegalArgumentException(
              "unknown scale '" + name + "': use tiny, small, medium or large");
    };
  }

  /** This scale with some counts replaced; a negative argument keeps the current value. */
  public TenantScale with(
      int users, int devices, int groups, long memberships, int audits, int signIns) {
    return new TenantScale(
        "custom",
        users < 0 ? this.users : users,
        devices < 0 ? this.devices : devices,
        groups < 0 ? this.groups : groups,
        memberships < 0 ? this.memberships : memberships,
        audits < 0 ? this.directoryAudits : audits,
        signIns < 0 ? this.signIns : signIns,
        servicePrincipals);
  }
}
