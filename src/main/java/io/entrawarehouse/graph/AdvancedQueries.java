package io.entrawarehouse.graph;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether a {@code $filter} on a directory collection is an advanced query, one Graph answers only
 * with {@code ConsistencyLevel: eventual} and {@code $count=true}: Microsoft's table of properties
 * and operators (docs-contrib concepts/aad-advanced-queries.md and
 * includes/filter-directory-objects.md), not a guess from three operators. Always advanced: {@code
 * ne}, {@code not}, {@code endsWith}, and {@code /$count}. Per property: {@code eq} (and {@code
 * in}), {@code startsWith} and {@code ge}/{@code le} on the properties Microsoft marks, and a
 * comparison with {@code null} on those whose "null value" it marks. Stateless.
 */
public final class AdvancedQueries {

  /**
   * Per collection path: the properties whose {@code eq}, {@code in}, {@code startsWith} and range
   * comparisons need an advanced query (Microsoft marks them alike for these collections).
   */
  private static final Map<String, Set<String>> COMPARED =
      Map.of(
          "/users",
          Set.of(
              "companyName",
              "createdDateTime",
              "employeeHireDate",
              "employeeType",
              "employeeOrgData/costCenter",
              "employeeOrgData/division",
              "faxNumber",
              "mobilePhone",
              "officeLocation",
              "onPremisesSamAccountName",
              "postalCode",
              "preferredLanguage",
              "showInAddressList",
              "streetAddress",
              "assignedPlans/capabilityStatus",
              "assignedPlans/service",
              "assignedPlans/servicePlanId",
              "provisionedPlans/provisioningStatus",
              "provisionedPlans/service",
              "passwordProfile/forceChangePasswordNextSignIn",
              "passwordProfile/forceChangePasswordNextSignInWithMfa"),
          "/groups",
          Set.of(
              "description", "expirationDateTime", "onPremisesSamAccountName", "preferredLanguage"),
          "/devices",
          // deviceOwnership and the enrolment properties are advanced-only in the newer table.
          Set.of(
              "alternativeSecurityIds/identityProvider",
              "deviceOwnership",
              "registrationDateTime",
              "createdDateTime",
              "managementType",
              "manufacturer",
              "model",
              "profileType",
              "enrollmentType",
              "enrollmentProfileName",
              "deviceCategory"),
          "/applications",
          Set.of(
              "description",
              "info/termsOfServiceUrl",
              "keyCredentials/endDateTime",
              "requiredResourceAccess/resourceAppId"),
          "/servicePrincipals",
          Set.of(
              "appOwnerOrganizationId",
              "appRoleAssignmentRequired",
              "description",
              "info/termsOfServiceUrl",
              "keyCredentials/endDateTime"));

  /** Per collection path: the properties a comparison with {@code null} needs one for. */
  private static final Map<String, Set<String>> NULL_COMPARED =
      Map.of(
          "/users",
          Set.of(
              "city",
              "companyName",
              "country",
              "department",
              "displayName",
              "employeeId",
              "faxNumber",
              "givenName",
              "jobTitle",
              "mail",
              "mailNickname",
              "mobilePhone",
              "officeLocation",
              "onPremisesSecurityIdentifier",
              "onPremisesSyncEnabled",
              "passwordPolicies",
              "postalCode",
              "preferredLanguage",
              "state",
              "streetAddress",
              "surname",
              "usageLocation",
              "userType"),
          "/groups",
          Set.of(
              "displayName",
              "mail",
              "mailNickname",
              "onPremisesSecurityIdentifier",
              "onPremisesSyncEnabled",
              "preferredLanguage"),
          "/devices",
          Set.of(
              "approximateLastSignInDateTime",
              "displayName",
              "onPremisesSyncEnabled",
              "operatingSystem",
              "operatingSystemVersion"),
          "/applications",
          Set.of("createdDateTime", "displayName", "info/logoUrl"),
          "/servicePrincipals",
          Set.of("displayName", "info/logoUrl"));

  private static final Pattern ALWAYS =
      Pattern.compile("(?i)(\\bne\\b|\\bnot\\b|\\bendswith\\s*\\(|/\\$count\\b)");

  /** {@code startswith(prop, …)}. */
  private static final Pattern STARTS = Pattern.compile("(?i)\\bstartswith\\s*\\(\\s*([\\w/]+)");

  /** {@code prop op value}, the property possibly a lambda's {@code x/sub}. */
  private static final Pattern COMPARE =
      Pattern.compile("(?i)([A-Za-z_][\\w/]*)\\s+(eq|in|ge|gt|le|lt)\\s+(null\\b)?");

  /** {@code coll/any(x: …)}: the lambda variable, to read {@code x/sub} as {@code coll/sub}. */
  private static final Pattern LAMBDA =
      Pattern.compile("(?i)([A-Za-z_][\\w/]*)/(?:any|all)\\(\\s*(\\w+)\\s*:");

  private AdvancedQueries() {}

  /** Whether {@code filter} on the collection at {@code path} needs an advanced query. */
  public static boolean needed(String path, String filter) {
    if (filter == null || filter.isBlank()) {
      return false;
    }
    String f = withoutStrings(filter);
    if (ALWAYS.matcher(f).find()) {
      return true;
    }
    Map<String, String> lambdas = new HashMap<>();
    Matcher l = LAMBDA.matcher(f);
    while (l.find()) {
      lambdas.put(l.group(2), l.group(1));
    }
    Set<String> compared = COMPARED.getOrDefault(path, Set.of());
    Set<String> nullCompared = NULL_COMPARED.getOrDefault(path, Set.of());
    Matcher s = STARTS.matcher(f);
    while (s.find()) {
      if (compared.contains(property(s.group(1), lambdas))) {
        return true;
      }
    }
    Matcher c = COMPARE.matcher(f);
    while (c.find()) {
      String property = property(c.group(1), lambdas);
      if (c.group(3) != null ? nullCompared.contains(property) : compared.contains(property)) {
        return true;
      }
    }
    return false;
  }

  /** A path with its lambda variable read as the collection it ranges over. */
  private static String property(String path, Map<String, String> lambdas) {
    int slash = path.indexOf('/');
    String head = slash < 0 ? path : path.substring(0, slash);
    String collection = lambdas.get(head);
    return collection == null ? path : collection + (slash < 0 ? "" : path.substring(slash));
  }

  /** The filter with each quoted string emptied, so no value reads as an operator. */
  private static String withoutStrings(String filter) {
    return filter.replaceAll("'(?:[^']|'')*'", "''");
  }
}
