package io.entrawarehouse.warehouse;

import io.entrawarehouse.config.Cloud;
import java.util.Map;
import java.util.Set;

/**
 * What Graph does not offer in each national cloud, as the availability tables of Microsoft's API
 * pages give it (NOTES and the conformance register: signin-list, directoryaudit-list, user's
 * signInActivity; microsoft-graph-docs#18484). A table a cloud lacks is skipped without a request,
 * and the load ends PARTIAL naming it; a property it lacks is left out of the query, its columns
 * NULL. Anything not listed is taken as offered: a refusal at run time is then a denial as any
 * other. Stateless.
 */
public final class CloudAvailability {

  private static final Map<Cloud, Set<String>> TABLES_LACKING =
      Map.of(
          Cloud.US_GOV, Set.of("sign_ins"),
          Cloud.US_GOV_DOD, Set.of("sign_ins"),
          Cloud.CHINA, Set.of("sign_ins", "directory_audits"));

  /** users' signInActivity: not in US Government L4 (GCC High). */
  private static final Map<Cloud, Set<String>> EXTRAS_LACKING =
      Map.of(Cloud.US_GOV, Set.of("users"));

  private CloudAvailability() {}

  /** Why the cloud does not offer the table, or null when it does. */
  public static String missing(Cloud cloud, Entity entity) {
    return TABLES_LACKING.getOrDefault(cloud, Set.of()).contains(entity.name())
        ? entity.what()
            + " are not offered by Microsoft Graph v1.0 in the "
            + cloud.id()
            + " cloud (the national cloud availability of its API page): not loaded."
        : null;
  }

  /** Why the cloud does not offer the entity's {@link Entity.Extra}, or null when it does. */
  public static String missingExtra(Cloud cloud, Entity entity) {
    return entity.extra() != null
            && EXTRAS_LACKING.getOrDefault(cloud, Set.of()).contains(entity.name())
        ? entity.extra().property()
            + " is not offered by Microsoft Graph in the "
            + cloud.id()
            + " cloud: "
            + entity.name()
            + " loaded without it, its "
            + entity.extra().property()
            + " columns NULL."
        : null;
  }
}
