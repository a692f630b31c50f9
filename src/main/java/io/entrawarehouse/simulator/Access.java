package io.entrawarehouse.simulator;

/**
 * Whether an app may make a request, as Graph decides: a missing permission (403), a licence the
 * tenant lacks (PIM: 400, the rest: 403), or an API the tenant's cloud does not offer (400).
 */
final class Access {

  private Access() {}

  static void authorize(
      SimulatorSettings settings,
      GraphCollection collection,
      TokenService.Claims claims,
      boolean signInActivity) {
    if (!collection.permits(claims.permissions())) {
      throw GraphError.accessDenied();
    }
    if (signInActivity && !claims.permissions().contains("AuditLog.Read.All")) {
      throw GraphError.accessDenied();
    }
    NationalCloud cloud = NationalCloud.ofGraphHost(settings.graphHost());
    if ((collection == Catalog.SIGN_INS && cloud != NationalCloud.GLOBAL)
        || (collection == Catalog.DIRECTORY_AUDITS && cloud == NationalCloud.CHINA)
        || (signInActivity && cloud == NationalCloud.US_GOV)) {
      // Conformance.NATIONAL_CLOUD_GAPS: what the API pages' availability tables leave out.
      throw new GraphError(
          400,
          "Request_UnsupportedQuery",
          "This API is not available in the " + cloud.id() + " cloud.");
    }
    if (collection == Catalog.ROLE_ELIGIBILITY_SCHEDULES && !settings.p2()) {
      // 400, not 403: Conformance.PIM_WITHOUT_P2.
      throw new GraphError(
          400,
          "AadPremiumLicenseRequired",
          "The tenant needs an AAD Premium 2 license to use Privileged Identity Management.");
    }
    if ((collection == Catalog.SIGN_INS
            || collection == Catalog.REGISTRATION_DETAILS
            || collection == Catalog.CONDITIONAL_ACCESS_POLICIES
            || signInActivity)
        && !settings.premium()) {
      throw new GraphError(
          403,
          "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
          "Neither tenant is B2C or tenant doesn't have premium license");
    }
  }
}
