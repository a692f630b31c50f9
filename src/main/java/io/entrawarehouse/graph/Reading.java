package io.entrawarehouse.graph;

/**
 * What a request reads, as the caller knows it: the name messages, page sizes and Graph's activity
 * use, and what reading it needs, so that {@link GraphErrors} can say what to grant or license.
 *
 * @param what how messages name it ("users", "sign-ins")
 * @param permission the application permission to grant, as the user would grant it
 * @param licence the Entra ID licence it needs ("P1", "P2"), or null
 */
public record Reading(String what, String permission, String licence) {

  public Reading {
    if (what == null || what.isBlank()) {
      throw new IllegalArgumentException("A reading needs a name for messages");
    }
    if (permission == null || permission.isBlank()) {
      throw new IllegalArgumentException("A reading of " + what + " needs the permission it takes");
    }
  }

  /** A read the caller knows nothing more of than its name (a probe of a parent collection). */
  public static Reading of(String what) {
    return new Reading(what, "the permission its endpoint documents", null);
  }
}
