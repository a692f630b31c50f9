package io.entrawarehouse.simulator;

import static io.entrawarehouse.simulator.FilterSupport.ADVANCED;
import static io.entrawarehouse.simulator.FilterSupport.BASIC;
import static io.entrawarehouse.simulator.Routes.alive;
import static io.entrawarehouse.simulator.Routes.indexed;
import static io.entrawarehouse.simulator.Routes.parent;
import static io.entrawarehouse.simulator.Routes.route;
import static io.entrawarehouse.simulator.Routes.source;
import static io.entrawarehouse.simulator.Routes.uncounted;

import io.entrawarehouse.simulator.Routes.DeltaRoute;
import io.entrawarehouse.simulator.Routes.Route;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The collections the simulator serves, with the page sizes, permissions, throttling costs and
 * filter support that Microsoft documents for each (see NOTES.md).
 */
final class Catalog {

  private Catalog() {}

  private static final Set<String> DIRECTORY_READ =
      Set.of("Directory.Read.All", "Directory.ReadWrite.All");

  static final GraphCollection USERS =
      new GraphCollection(
          "users",
          "User",
          "microsoft.graph.user",
          "users",
          100,
          999,
          2,
          false,
          union(
              Set.of("User.Read.All", "User.ReadWrite.All", "User.ReadBasic.All"), DIRECTORY_READ),
          Set.of(),
          People.USER_DEFAULTS,
          filters(
              BASIC,
              "id displayName givenName surname mail userPrincipalName userType accountEnabled jobTitle"
                  + " employeeId onPremisesSyncEnabled onPremisesImmutableId proxyAddresses"
                  + " assignedLicenses assignedLicenses/skuId otherMails"
                  + " signInActivity/lastSignInDateTime signInActivity/lastNonInteractiveSignInDateTime"
                  + " signInActivity/lastSuccessfulSignInDateTime department country city state"
                  + " usageLocation creationType externalUserState onPremisesLastSyncDateTime"
                  + " mailNickname ageGroup",
              ADVANCED,
              "companyName createdDateTime employeeType employeeHireDate mobilePhone officeLocation"
                  + " preferredLanguage onPremisesSamAccountName faxNumber postalCode streetAddress"
                  + " showInAddressList"),
          null);

  static final GraphCollection GROUPS =
      new GraphCollection(
          "groups",
          "Group",
          "microsoft.graph.group",
          "groups",
          100,
          999,
          1,
          false,
          union(
              Set.of("Group.Read.All", "GroupMember.Read.All", "Group.ReadWrite.All"),
              DIRECTORY_READ),
          Set.of(),
          List.of(),
          filters(
              BASIC,
              "id displayName mail mailEnabled mailNickname securityEnabled groupTypes"
                  + " onPremisesSyncEnabled onPremisesSecurityIdentifier proxyAddresses"
                  + " isAssignableToRole resourceProvisioningOptions",
              ADVANCED,
              "classification createdDateTime description expirationDateTime membershipRule"
                  + " membershipRuleProcessingState preferredDataLocation preferredLanguage"
                  + " renewedDateTime visibility onPremisesLastSyncDateTime"),
          null);

  static final GraphCollection MEMBERS =
      new GraphCollection(
          "members",
          "DirectoryObject",
          "microsoft.graph.directoryObject",
          "directoryObjects",
          100,
          999,
          3,
          false,
          union(
              Set.of("GroupMember.Read.All", "Group.Read.All", "Group.ReadWrite.All"),
              DIRECTORY_READ),
          Set.of(),
          List.of(),
          filters(ADVANCED, "id displayName"),
          null);

  /**
   * The groups (and directory roles) a service principal is a direct member of: {@code
   * /servicePrincipals/{id}/memberOf}, which v1.0 offers where a group's own member listing leaves
   * service principals out.
   */
  static final GraphCollection MEMBER_OF =
      new GraphCollection(
          "memberOf",
          "DirectoryObject",
          "microsoft.graph.directoryObject",
          "directoryObjects",
          100,
          999,
          1,
          false,
          union(Set.of("Application.Read.All", "Application.ReadWrite.All"), DIRECTORY_READ),
          Set.of(),
          List.of(),
          filters(ADVANCED, "id displayName"),
          null);

  /** A group's members at any depth: as its members, at 5 resource units a request. */
  static final GraphCollection TRANSITIVE_MEMBERS = MEMBERS.as("transitiveMembers", 5);

  static final GraphCollection DEVICES =
      new GraphCollection(
          "devices",
          "Device",
          "microsoft.graph.device",
          "devices",
          100,
          999,
          1,
          false,
          union(Set.of("Device.Read.All", "Device.ReadWrite.All"), DIRECTORY_READ),
          Set.of(),
          List.of(),
          filters(
              BASIC,
              "id accountEnabled deviceId displayName operatingSystem operatingSystemVersion"
                  + " trustType isManaged isCompliant onPremisesSyncEnabled physicalIds systemLabels"
                  + " approximateLastSignInDateTime alternativeSecurityIds mdmAppId"
                  + " onPremisesLastSyncDateTime",
              ADVANCED,
              "registrationDateTime createdDateTime deviceOwnership managementType manufacturer"
                  + " model profileType enrollmentType enrollmentProfileName deviceCategory"),
          null);

  static final GraphCollection SERVICE_PRINCIPALS =
      new GraphCollection(
          "servicePrincipals",
          "ServicePrincipal",
          "microsoft.graph.servicePrincipal",
          "servicePrincipals",
          100,
          999,
          2,
          false,
          union(Set.of("Application.Read.All", "Application.ReadWrite.All"), DIRECTORY_READ),
          Set.of(),
          List.of(),
          filters(
              BASIC,
              "id appId displayName accountEnabled servicePrincipalType servicePrincipalNames tags",
              ADVANCED,
              "createdDateTime appOwnerOrganizationId"),
          null);

  static final GraphCollection APPLICATIONS =
      new GraphCollection(
          "applications",
          "Application",
          "microsoft.graph.application",
          "applications",
          100,
          999,
          2,
          false,
          union(Set.of("Application.Read.All", "Application.ReadWrite.All"), DIRECTORY_READ),
          Set.of(),
          List.of(),
          filters(
              BASIC,
              "id appId displayName publisherDomain signInAudience tags identifierUris",
              ADVANCED,
              "createdDateTime description"),
          null);

  private static final Set<String> ROLE_READ =
      Set.of(
          "RoleManagement.Read.Directory",
          "RoleManagement.Read.All",
          "RoleManagement.ReadWrite.Directory",
          "Directory.Read.All",
          "Directory.ReadWrite.All");

  /** Role definitions and assignments: no $top (served in pages of 1000), $select and $filter. */
  static final GraphCollection ROLE_DEFINITIONS =
      new GraphCollection(
          "roleDefinitions",
          "UnifiedRoleDefinition",
          "microsoft.graph.unifiedRoleDefinition",
          "roleManagement/directory/roleDefinitions",
          1000,
          0,
          1,
          false,
          ROLE_READ,
          Set.of(),
          List.of(),
          filters(BASIC, "id displayName isBuiltIn templateId"),
          null);

  static final GraphCollection ROLE_ASSIGNMENTS =
      new GraphCollection(
          "roleAssignments",
          "UnifiedRoleAssignment",
          "microsoft.graph.unifiedRoleAssignment",
          "roleManagement/directory/roleAssignments",
          1000,
          0,
          1,
          false,
          ROLE_READ,
          Set.of(),
          List.of(),
          filters(BASIC, "id principalId roleDefinitionId directoryScopeId"),
          null);

  /** PIM eligibility schedules: Entra ID P2, and not Directory.Read.All. */
  static final GraphCollection ROLE_ELIGIBILITY_SCHEDULES =
      new GraphCollection(
          "roleEligibilitySchedules",
          "UnifiedRoleEligibilitySchedule",
          "microsoft.graph.unifiedRoleEligibilitySchedule",
          "roleManagement/directory/roleEligibilitySchedules",
          1000,
          0,
          1,
          false,
          Set.of(
              "RoleEligibilitySchedule.Read.Directory",
              "RoleManagement.Read.Directory",
              "RoleManagement.Read.All",
              "RoleEligibilitySchedule.ReadWrite.Directory",
              "RoleManagement.ReadWrite.Directory"),
          Set.of(),
          List.of(),
          filters(BASIC, "id principalId roleDefinitionId directoryScopeId status"),
          null);

  /** Registration details: a reports endpoint, no $select or $top ($filter only, as documented). */
  static final GraphCollection REGISTRATION_DETAILS =
      new GraphCollection(
          "userRegistrationDetails",
          "UserRegistrationDetails",
          "microsoft.graph.userRegistrationDetails",
          "reports/authenticationMethods/userRegistrationDetails",
          1000,
          0,
          1,
          true,
          Set.of(),
          Set.of("AuditLog.Read.All"),
          List.of(),
          filters(
              BASIC,
              "id isAdmin isMfaCapable isMfaRegistered isPasswordlessCapable isSsprCapable"
                  + " isSsprEnabled isSsprRegistered userPrincipalName userDisplayName"),
          null);

  static final GraphCollection APP_ROLE_ASSIGNED_TO =
      new GraphCollection(
          "appRoleAssignedTo",
          "AppRoleAssignment",
          "microsoft.graph.appRoleAssignment",
          "appRoleAssignments",
          100,
          999,
          1,
          false,
          union(Set.of("Application.Read.All", "AppRoleAssignment.ReadWrite.All"), DIRECTORY_READ),
          Set.of(),
          List.of(),
          filters(BASIC, "id principalId principalType appRoleId"),
          null);

  static final GraphCollection CONDITIONAL_ACCESS_POLICIES =
      new GraphCollection(
          "conditionalAccessPolicies",
          "ConditionalAccessPolicy",
          "microsoft.graph.conditionalAccessPolicy",
          "identity/conditionalAccess/policies",
          100,
          999,
          1,
          false,
          Set.of("Policy.Read.All", "Policy.ReadWrite.ConditionalAccess"),
          Set.of(),
          List.of(),
          filters(BASIC, "id displayName state createdDateTime modifiedDateTime"),
          null);

  static final GraphCollection NAMED_LOCATIONS =
      new GraphCollection(
          "namedLocations",
          "NamedLocation",
          "microsoft.graph.namedLocation",
          "conditionalAccess/namedLocations",
          100,
          999,
          1,
          false,
          Set.of("Policy.Read.All", "Policy.ReadWrite.ConditionalAccess"),
          Set.of(),
          List.of(),
          filters(BASIC, "id displayName createdDateTime modifiedDateTime"),
          null);

  /** One page of every SKU: no $top, no $filter, only $select (as documented). */
  static final GraphCollection SUBSCRIBED_SKUS =
      new GraphCollection(
          "subscribedSkus",
          "SubscribedSku",
          "microsoft.graph.subscribedSku",
          "subscribedSkus",
          1000,
          0,
          1,
          false,
          union(Set.of("Organization.Read.All", "Organization.ReadWrite.All"), DIRECTORY_READ),
          Set.of(),
          List.of(),
          Map.of(),
          null);

  static final GraphCollection DIRECTORY_AUDITS =
      new GraphCollection(
          "directoryAudits",
          "DirectoryAudit",
          "microsoft.graph.directoryAudit",
          "auditLogs/directoryAudits",
          100,
          999,
          1,
          true,
          Set.of(),
          Set.of("AuditLog.Read.All", "Directory.Read.All"),
          List.of(),
          filters(
              BASIC,
              "id activityDateTime activityDisplayName category correlationId loggedByService"
                  + " operationType result initiatedBy/user/id initiatedBy/user/displayName"
                  + " initiatedBy/user/userPrincipalName initiatedBy/app/appId"
                  + " initiatedBy/app/displayName targetResources targetResources/id"
                  + " targetResources/displayName targetResources/type"
                  + " targetResources/userPrincipalName"),
          "activityDateTime");

  static final GraphCollection SIGN_INS =
      new GraphCollection(
          "signIns",
          "SignIn",
          "microsoft.graph.signIn",
          "auditLogs/signIns",
          1000,
          1000,
          1,
          true,
          Set.of(),
          Set.of("AuditLog.Read.All", "Directory.Read.All"),
          List.of(),
          filters(
              BASIC,
              "id createdDateTime userId userDisplayName userPrincipalName appId appDisplayName"
                  + " ipAddress clientAppUsed correlationId conditionalAccessStatus isInteractive"
                  + " riskDetail riskLevelAggregated riskLevelDuringSignIn riskState"
                  + " resourceDisplayName resourceId status/errorCode location/city location/state"
                  + " location/countryOrRegion deviceDetail/browser deviceDetail/operatingSystem"
                  + " deviceDetail/deviceId deviceDetail/isCompliant deviceDetail/isManaged"),
          "createdDateTime");

  // ---------------------------------------------------------------- the route table

  private static Set<String> memberProperties(DemoTenant tenant) {
    Set<String> all = new LinkedHashSet<>(People.USER_DEFAULTS);
    all.addAll(tenant.groups().group(0).keySet());
    all.addAll(tenant.devices().device(0).keySet());
    all.addAll(tenant.apps().servicePrincipal(0).keySet());
    return all;
  }

  /** The paths the simulated Graph serves besides delta, each to its collection and items. */
  static final List<Route> ROUTES =
      List.of(
          route("users", USERS, alive(DemoTenant.USER, (t, i) -> t.people().user(i))),
          route("groups", GROUPS, alive(DemoTenant.GROUP, (t, i) -> t.groups().group(i))),
          route("devices", DEVICES, alive(DemoTenant.DEVICE, (t, i) -> t.devices().device(i))),
          route(
              "servicePrincipals",
              SERVICE_PRINCIPALS,
              indexed(t -> t.scale().servicePrincipals(), (t, i) -> t.apps().servicePrincipal(i))),
          route(
              "applications",
              APPLICATIONS,
              indexed(t -> t.apps().applications(), (t, i) -> t.apps().application(i))),
          uncounted(
              "identity/conditionalAccess/policies",
              CONDITIONAL_ACCESS_POLICIES,
              indexed(
                  t -> t.policies().conditionalAccessPolicies(),
                  (t, i) -> t.policies().conditionalAccessPolicy(i))),
          new Route(
              "identity/conditionalAccess/namedLocations",
              NAMED_LOCATIONS,
              true,
              indexed(t -> t.policies().namedLocations(), (t, i) -> t.policies().namedLocation(i))
                  .items(),
              t -> {
                // Two types, each with its own properties: $select knows both.
                Set<String> known = new LinkedHashSet<>();
                for (int k = 0; k < t.policies().namedLocations(); k++) {
                  known.addAll(t.policies().namedLocation(k).keySet());
                }
                return known;
              }),
          uncounted(
              "reports/authenticationMethods/userRegistrationDetails",
              REGISTRATION_DETAILS,
              indexed(t -> t.scale().users(), (t, i) -> t.people().registrationDetails(i))),
          uncounted(
              "roleManagement/directory/roleDefinitions",
              ROLE_DEFINITIONS,
              indexed(t -> t.roles().roleDefinitions(), (t, i) -> t.roles().roleDefinition(i))),
          uncounted(
              "roleManagement/directory/roleAssignments",
              ROLE_ASSIGNMENTS,
              indexed(t -> t.roles().roleAssignments(), (t, i) -> t.roles().roleAssignment(i))),
          uncounted(
              "roleManagement/directory/roleEligibilitySchedules",
              ROLE_ELIGIBILITY_SCHEDULES,
              indexed(
                  t -> t.roles().roleEligibilitySchedules(),
                  (t, i) -> t.roles().roleEligibilitySchedule(i))),
          new Route(
              "subscribedSkus",
              SUBSCRIBED_SKUS,
              false,
              indexed(t -> t.policies().subscribedSkus(), (t, i) -> t.policies().subscribedSku(i))
                  .items(),
              t -> Policies.SUBSCRIBED_SKU_PROPERTIES),
          uncounted(
              "auditLogs/directoryAudits",
              DIRECTORY_AUDITS,
              indexed(t -> t.scale().directoryAudits(), (t, i) -> t.logs().directoryAudit(i))),
          uncounted(
              "auditLogs/signIns",
              SIGN_INS,
              indexed(t -> t.scale().signIns(), (t, i) -> t.logs().signIn(i))),
          new Route(
              "servicePrincipals/{id}/appRoleAssignedTo",
              APP_ROLE_ASSIGNED_TO,
              true,
              (t, id) -> {
                int sp = parent(id, t.apps().servicePrincipalIndex(id));
                return source(
                    t.apps().appRoleAssignments(sp), j -> t.apps().appRoleAssignment(sp, (int) j));
              },
              t -> t.apps().appRoleAssignment(0, 0).keySet()),
          new Route(
              "servicePrincipals/{id}/memberOf",
              MEMBER_OF,
              true,
              (t, id) -> {
                List<Integer> groups =
                    t.groups()
                        .servicePrincipalGroups(parent(id, t.apps().servicePrincipalIndex(id)));
                return source(
                    groups.size(),
                    j -> {
                      Map<String, Object> m = new LinkedHashMap<>();
                      m.put("@odata.type", "#microsoft.graph.group");
                      m.putAll(t.groups().group(groups.get((int) j)));
                      return m;
                    });
              },
              Catalog::memberProperties),
          new Route(
              "groups/{id}/members",
              MEMBERS,
              true,
              (t, id) -> {
                // Conformance.V1_MEMBERS_OMIT_SERVICE_PRINCIPALS
                List<Groups.MemberRef> members =
                    t.groups()
                        .v1Members(t.groups().liveMembers(parent(id, t.groups().groupIndex(id))));
                return source(members.size(), j -> t.groups().object(members.get((int) j)));
              },
              Catalog::memberProperties),
          new Route(
              "groups/{id}/transitiveMembers",
              TRANSITIVE_MEMBERS,
              true,
              (t, id) -> {
                List<Map<String, Object>> members =
                    t.groups().transitiveMembers(parent(id, t.groups().groupIndex(id))).stream()
                        .filter(
                            m -> !"#microsoft.graph.servicePrincipal".equals(m.get("@odata.type")))
                        .toList();
                return source(members.size(), j -> members.get((int) j));
              },
              Catalog::memberProperties));

  /** The resources with a delta function. */
  static final List<DeltaRoute> DELTA_ROUTES =
      List.of(
          new DeltaRoute("users", USERS, DemoTenant.USER),
          new DeltaRoute("groups", GROUPS, DemoTenant.GROUP),
          new DeltaRoute("devices", DEVICES, DemoTenant.DEVICE),
          new DeltaRoute("servicePrincipals", SERVICE_PRINCIPALS, DemoTenant.SERVICE_PRINCIPAL),
          new DeltaRoute("applications", APPLICATIONS, DemoTenant.APPLICATION));

  private static Set<String> union(Set<String> a, Set<String> b) {
    HashSet<String> all = new HashSet<>(a);
    all.addAll(b);
    return Set.copyOf(all);
  }

  /**
   * Properties Graph filters by default except against {@code null}, which needs an advanced query
   * (the "null value" column of Microsoft's filter-directory-objects table), per collection.
   */
  private static final Map<String, Set<String>> NULL_ADVANCED =
      Map.of(
          "users",
          Set.of(
              "city",
              "country",
              "department",
              "displayName",
              "employeeId",
              "givenName",
              "jobTitle",
              "mail",
              "mailNickname",
              "onPremisesSyncEnabled",
              "state",
              "surname",
              "usageLocation",
              "userType"),
          "groups",
          Set.of("displayName", "mail", "mailNickname", "onPremisesSyncEnabled"),
          "devices",
          Set.of(
              "approximateLastSignInDateTime",
              "displayName",
              "onPremisesSyncEnabled",
              "operatingSystem",
              "operatingSystemVersion"),
          "applications",
          Set.of("createdDateTime", "displayName"),
          "servicePrincipals",
          Set.of("displayName"));

  static boolean nullNeedsAdvanced(GraphCollection collection, String property) {
    return NULL_ADVANCED.getOrDefault(collection.name(), Set.of()).contains(property);
  }

  private static Map<String, FilterSupport> filters(Object... supportThenNames) {
    Map<String, FilterSupport> map = new HashMap<>();
    for (int i = 0; i < supportThenNames.length; i += 2) {
      FilterSupport support = (FilterSupport) supportThenNames[i];
      for (String name : ((String) supportThenNames[i + 1]).split(" ")) {
        map.put(name, support);
      }
    }
    return Map.copyOf(map);
  }
}
