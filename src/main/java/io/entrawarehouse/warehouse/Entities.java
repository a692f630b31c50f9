package io.entrawarehouse.warehouse;

import static io.entrawarehouse.warehouse.Column.Type.BOOLEAN;
import static io.entrawarehouse.warehouse.Column.Type.DOUBLE;
import static io.entrawarehouse.warehouse.Column.Type.INT;
import static io.entrawarehouse.warehouse.Column.Type.JSON;
import static io.entrawarehouse.warehouse.Column.Type.LONG;
import static io.entrawarehouse.warehouse.Column.Type.STRING;
import static io.entrawarehouse.warehouse.Column.Type.TIMESTAMP;
import static io.entrawarehouse.warehouse.Column.listOf;
import static io.entrawarehouse.warehouse.Column.of;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The entities the {@code directory-load} job loads, in load order. */
public final class Entities {

  private Entities() {}

  private static final Permission DEVICE_READ =
      Permission.anyOf("Device.Read.All", "Device.Read.All", "Device.ReadWrite.All");

  private static final Permission GROUP_READ =
      Permission.anyOf(
          "GroupMember.Read.All or Group.Read.All",
          "GroupMember.Read.All",
          "Group.Read.All",
          "Group.ReadWrite.All");
  private static final Permission AUDIT_LOG_READ =
      Permission.allOf("AuditLog.Read.All", "Directory.Read.All");

  /** A user's sign-in activity time, {@code <column>_date_time}: Graph's "never" is NULL. */
  private static Column signInTime(String column, String property) {
    return of(column + "_date_time", TIMESTAMP, "signInActivity/" + property + "DateTime")
        .map(Column.NEVER_IS_NULL);
  }

  /** The request id of a user's sign-in activity time, {@code <column>_request_id}. */
  private static Column signInRequest(String column, String property) {
    return of(column + "_request_id", STRING, "signInActivity/" + property + "RequestId")
        .map(Column.NEVER_IS_NULL)
        .highCardinality();
  }

  public static final Entity USERS =
      Entity.builder("users", "/users")
          .delta("/users/delta")
          .pageSize(999)
          .permission(Permission.anyOf("User.Read.All", "User.Read.All", "User.ReadWrite.All"))
          .extra(
              "signInActivity",
              "users.sign_in_activity",
              Permission.allOf("AuditLog.Read.All"),
              "P1",
              500)
          .columns(
              of("id", STRING, "id").highCardinality(),
              of("user_principal_name", STRING, "userPrincipalName").highCardinality(),
              of("display_name", STRING, "displayName").highCardinality(),
              of("given_name", STRING, "givenName"),
              of("surname", STRING, "surname"),
              of("mail", STRING, "mail").highCardinality(),
              of("account_enabled", BOOLEAN, "accountEnabled"),
              of("user_type", STRING, "userType"),
              of("created_date_time", TIMESTAMP, "createdDateTime"),
              of("creation_type", STRING, "creationType"),
              of("external_user_state", STRING, "externalUserState"),
              of("department", STRING, "department"),
              of("job_title", STRING, "jobTitle"),
              of("company_name", STRING, "companyName"),
              of("employee_id", STRING, "employeeId").highCardinality(),
              of("employee_type", STRING, "employeeType"),
              of("office_location", STRING, "officeLocation"),
              of("city", STRING, "city"),
              of("country", STRING, "country"),
              of("usage_location", STRING, "usageLocation"),
              of("preferred_language", STRING, "preferredLanguage"),
              of("mobile_phone", STRING, "mobilePhone").highCardinality(),
              listOf("business_phones", "businessPhones", null).highCardinality(),
              of("on_premises_sync_enabled", BOOLEAN, "onPremisesSyncEnabled"),
              of("on_premises_immutable_id", STRING, "onPremisesImmutableId").highCardinality(),
              of("on_premises_sam_account_name", STRING, "onPremisesSamAccountName")
                  .highCardinality(),
              of("on_premises_domain_name", STRING, "onPremisesDomainName"),
              of("on_premises_last_sync_date_time", TIMESTAMP, "onPremisesLastSyncDateTime"),
              of("last_password_change_date_time", TIMESTAMP, "lastPasswordChangeDateTime"),
              listOf("assigned_license_sku_ids", "assignedLicenses", "skuId"),
              of("assigned_licenses", JSON, "assignedLicenses"),
              listOf("proxy_addresses", "proxyAddresses", null).highCardinality(),
              listOf("other_mails", "otherMails", null).highCardinality(),
              signInTime("last_sign_in", "lastSignIn"),
              signInRequest("last_sign_in", "lastSignIn"),
              signInTime("last_non_interactive_sign_in", "lastNonInteractiveSignIn"),
              signInRequest("last_non_interactive_sign_in", "lastNonInteractiveSignIn"),
              signInTime("last_successful_sign_in", "lastSuccessfulSignIn"),
              signInRequest("last_successful_sign_in", "lastSuccessfulSignIn"))
          .build();

  public static final Entity GROUPS =
      Entity.builder("groups", "/groups")
          .delta("/groups/delta")
          .pageSize(999)
          .permission(GROUP_READ)
          .columns(
              of("id", STRING, "id").highCardinality(),
              of("display_name", STRING, "displayName").highCardinality(),
              of("description", STRING, "description").highCardinality(),
              of("mail", STRING, "mail").highCardinality(),
              of("mail_enabled", BOOLEAN, "mailEnabled"),
              of("mail_nickname", STRING, "mailNickname").highCardinality(),
              of("security_enabled", BOOLEAN, "securityEnabled"),
              listOf("group_types", "groupTypes", null),
              of("membership_rule", STRING, "membershipRule"),
              of("membership_rule_processing_state", STRING, "membershipRuleProcessingState"),
              of("is_assignable_to_role", BOOLEAN, "isAssignableToRole"),
              of("visibility", STRING, "visibility"),
              of("classification", STRING, "classification"),
              of("created_date_time", TIMESTAMP, "createdDateTime"),
              of("renewed_date_time", TIMESTAMP, "renewedDateTime"),
              of("expiration_date_time", TIMESTAMP, "expirationDateTime"),
              of("preferred_data_location", STRING, "preferredDataLocation"),
              of("on_premises_sync_enabled", BOOLEAN, "onPremisesSyncEnabled"),
              of("on_premises_security_identifier", STRING, "onPremisesSecurityIdentifier")
                  .highCardinality(),
              of("on_premises_last_sync_date_time", TIMESTAMP, "onPremisesLastSyncDateTime"),
              listOf("proxy_addresses", "proxyAddresses", null).highCardinality(),
              listOf("resource_provisioning_options", "resourceProvisioningOptions", null))
          .build();

  /**
   * Direct members of every group; nested groups are members, not expanded. A full read lists each
   * group's members, then each service principal's groups, as v1.0's member listing leaves them
   * out; a delta round reads both from the groups' {@code members@delta}.
   */
  public static final Entity GROUP_MEMBERS =
      Entity.builder("group_members", "/groups/{id}/members")
          .delta("/groups/delta", "members")
          .pageSize(999)
          .under("/groups")
          .memberSide(
              new Entity.MemberSide(
                  "/servicePrincipals",
                  "/servicePrincipals/{id}/memberOf",
                  "#microsoft.graph.servicePrincipal",
                  "#microsoft.graph.group",
                  "Application.Read.All"))
          .rawJson(false)
          .permission(GROUP_READ)
          .columns(
              of("group_id", STRING, Entity.Parent.FIELD),
              of("member_id", STRING, "id").highCardinality(),
              of("member_type", STRING, "@odata.type").map(Column.ODATA_TYPE_NAME),
              of("member_display_name", STRING, "displayName").highCardinality())
          .ids("group_id", "member_id")
          .build();

  /**
   * Every group's members at any depth, as Graph's {@code /groups/{id}/transitiveMembers} lists
   * them (nested groups included, each member once, the group itself never, cycles ended), computed
   * from {@link #GROUP_MEMBERS} as the lake holds it: no request to Graph, where reading the
   * endpoint would cost one request per group at 5 resource units each.
   */
  public static final Entity GROUP_MEMBERS_TRANSITIVE =
      Entity.builder("group_members_transitive", "/groups/{id}/transitiveMembers")
          .what("effective group members")
          .under("/groups")
          .closureOf(GROUP_MEMBERS)
          .rawJson(false)
          .permission(GROUP_READ)
          .columns(GROUP_MEMBERS.columns().toArray(new Column[0]))
          .ids("group_id", "member_id")
          .build();

  public static final Entity DEVICES =
      Entity.builder("devices", "/devices")
          .delta("/devices/delta")
          .pageSize(999)
          .permission(DEVICE_READ)
          .columns(
              of("id", STRING, "id").highCardinality(),
              of("device_id", STRING, "deviceId").highCardinality(),
              of("display_name", STRING, "displayName").highCardinality(),
              of("operating_system", STRING, "operatingSystem"),
              of("operating_system_version", STRING, "operatingSystemVersion"),
              of("trust_type", STRING, "trustType"),
              of("profile_type", STRING, "profileType"),
              of("is_managed", BOOLEAN, "isManaged"),
              of("is_compliant", BOOLEAN, "isCompliant"),
              of("is_rooted", BOOLEAN, "isRooted"),
              of("account_enabled", BOOLEAN, "accountEnabled"),
              of("approximate_last_sign_in_date_time", TIMESTAMP, "approximateLastSignInDateTime"),
              of("registration_date_time", TIMESTAMP, "registrationDateTime"),
              of("created_date_time", TIMESTAMP, "createdDateTime"),
              of("compliance_expiration_date_time", TIMESTAMP, "complianceExpirationDateTime"),
              of("manufacturer", STRING, "manufacturer"),
              of("model", STRING, "model"),
              of("device_ownership", STRING, "deviceOwnership"),
              of("management_type", STRING, "managementType"),
              of("enrollment_type", STRING, "enrollmentType"),
              of("enrollment_profile_name", STRING, "enrollmentProfileName"),
              of("device_category", STRING, "deviceCategory"),
              of("mdm_app_id", STRING, "mdmAppId"),
              of("device_version", INT, "deviceVersion"),
              of("on_premises_sync_enabled", BOOLEAN, "onPremisesSyncEnabled"),
              of("on_premises_last_sync_date_time", TIMESTAMP, "onPremisesLastSyncDateTime"),
              of("on_premises_security_identifier", STRING, "onPremisesSecurityIdentifier")
                  .highCardinality(),
              listOf("physical_ids", "physicalIds", null).highCardinality(),
              listOf("system_labels", "systemLabels", null))
          .build();

  public static final Entity DIRECTORY_AUDITS =
      Entity.builder("directory_audits", "/auditLogs/directoryAudits")
          .pageSize(999)
          .log("activityDateTime")
          .rawJson(false)
          .permission(AUDIT_LOG_READ)
          .columns(
              of("id", STRING, "id").highCardinality(),
              of("activity_date_time", TIMESTAMP, "activityDateTime"),
              of("activity_display_name", STRING, "activityDisplayName"),
              of("category", STRING, "category"),
              of("correlation_id", STRING, "correlationId").highCardinality(),
              of("result", STRING, "result"),
              of("result_reason", STRING, "resultReason"),
              of("logged_by_service", STRING, "loggedByService"),
              of("operation_type", STRING, "operationType"),
              of("initiated_by_user_id", STRING, "initiatedBy/user/id"),
              of("initiated_by_user_principal_name", STRING, "initiatedBy/user/userPrincipalName"),
              of("initiated_by_user_display_name", STRING, "initiatedBy/user/displayName"),
              of("initiated_by_ip_address", STRING, "initiatedBy/user/ipAddress"),
              of("initiated_by_app_id", STRING, "initiatedBy/app/appId"),
              of("initiated_by_app_display_name", STRING, "initiatedBy/app/displayName"),
              of("initiated_by_service_principal_id", STRING, "initiatedBy/app/servicePrincipalId"),
              of("initiated_by", JSON, "initiatedBy"),
              listOf("target_resource_ids", "targetResources", "id").highCardinality(),
              of("target_resources", JSON, "targetResources"),
              of("additional_details", JSON, "additionalDetails"))
          .build();

  public static final Entity SIGN_INS =
      Entity.builder("sign_ins", "/auditLogs/signIns")
          .what("sign-ins")
          .pageSize(1000)
          .log("createdDateTime")
          .noSelect() // v1.0 documents none, and Graph has refused it (Conformance)
          .rawJson(false)
          .permission(AUDIT_LOG_READ)
          .licence("P1")
          .columns(
              of("id", STRING, "id").highCardinality(),
              of("created_date_time", TIMESTAMP, "createdDateTime"),
              of("user_id", STRING, "userId").highCardinality(),
              of("user_principal_name", STRING, "userPrincipalName").highCardinality(),
              of("user_display_name", STRING, "userDisplayName").highCardinality(),
              of("app_id", STRING, "appId"),
              of("app_display_name", STRING, "appDisplayName"),
              of("resource_id", STRING, "resourceId"),
              of("resource_display_name", STRING, "resourceDisplayName"),
              of("ip_address", STRING, "ipAddress").highCardinality(),
              of("client_app_used", STRING, "clientAppUsed"),
              of("correlation_id", STRING, "correlationId").highCardinality(),
              of("is_interactive", BOOLEAN, "isInteractive"),
              of("status_error_code", INT, "status/errorCode"),
              of("status_failure_reason", STRING, "status/failureReason"),
              of("status_additional_details", STRING, "status/additionalDetails"),
              of("conditional_access_status", STRING, "conditionalAccessStatus"),
              of("applied_conditional_access_policies", JSON, "appliedConditionalAccessPolicies"),
              listOf(
                  "applied_conditional_access_policy_ids",
                  "appliedConditionalAccessPolicies",
                  "id"),
              of("risk_detail", STRING, "riskDetail"),
              of("risk_level_aggregated", STRING, "riskLevelAggregated"),
              of("risk_level_during_sign_in", STRING, "riskLevelDuringSignIn"),
              of("risk_state", STRING, "riskState"),
              listOf("risk_event_types", "riskEventTypes", null),
              of("device_id", STRING, "deviceDetail/deviceId").highCardinality(),
              of("device_display_name", STRING, "deviceDetail/displayName").highCardinality(),
              of("device_operating_system", STRING, "deviceDetail/operatingSystem"),
              of("device_browser", STRING, "deviceDetail/browser"),
              of("device_is_compliant", BOOLEAN, "deviceDetail/isCompliant"),
              of("device_is_managed", BOOLEAN, "deviceDetail/isManaged"),
              of("device_trust_type", STRING, "deviceDetail/trustType"),
              of("location_city", STRING, "location/city"),
              of("location_state", STRING, "location/state"),
              of("location_country_or_region", STRING, "location/countryOrRegion"),
              of("location_latitude", DOUBLE, "location/geoCoordinates/latitude"),
              of("location_longitude", DOUBLE, "location/geoCoordinates/longitude"))
          .build();

  private static final Permission APPLICATION_READ =
      Permission.anyOf("Application.Read.All", "Application.Read.All", "Application.ReadWrite.All");

  /** What a secret's or certificate's metadata may never carry into the warehouse. */
  private static final String[] CREDENTIAL_SECRETS = {
    "passwordCredentials/hint", "passwordCredentials/secretText", "keyCredentials/key"
  };

  /** App registrations. Their credentials' metadata go to app_credentials; secrets nowhere. */
  public static final Entity APPLICATIONS =
      Entity.builder("applications", "/applications")
          .delta("/applications/delta")
          .pageSize(999)
          .permission(APPLICATION_READ)
          .redact(CREDENTIAL_SECRETS)
          .columns(
              of("id", STRING, "id").highCardinality(),
              of("app_id", STRING, "appId").highCardinality(),
              of("display_name", STRING, "displayName").highCardinality(),
              of("description", STRING, "description"),
              of("sign_in_audience", STRING, "signInAudience"),
              of("publisher_domain", STRING, "publisherDomain"),
              of("created_date_time", TIMESTAMP, "createdDateTime"),
              listOf("tags", "tags", null),
              listOf("identifier_uris", "identifierUris", null).highCardinality())
          .build();

  /** Enterprise apps and managed identities: who signs in and holds permissions as an app. */
  public static final Entity SERVICE_PRINCIPALS =
      Entity.builder("service_principals", "/servicePrincipals")
          .delta("/servicePrincipals/delta")
          .what("service principals")
          .pageSize(999)
          .permission(APPLICATION_READ)
          .redact(CREDENTIAL_SECRETS)
          .columns(
              of("id", STRING, "id").highCardinality(),
              of("app_id", STRING, "appId").highCardinality(),
              of("display_name", STRING, "displayName").highCardinality(),
              of("app_display_name", STRING, "appDisplayName"),
              of("service_principal_type", STRING, "servicePrincipalType"),
              of("account_enabled", BOOLEAN, "accountEnabled"),
              of("app_owner_organization_id", STRING, "appOwnerOrganizationId"),
              of("publisher_name", STRING, "publisherName"),
              of("sign_in_audience", STRING, "signInAudience"),
              listOf("tags", "tags", null),
              listOf("service_principal_names", "servicePrincipalNames", null).highCardinality())
          .build();

  /** Who may use which app, with which app role: each service principal's appRoleAssignedTo. */
  public static final Entity APP_ROLE_ASSIGNMENTS =
      Entity.builder("app_role_assignments", "/servicePrincipals/{id}/appRoleAssignedTo")
          .what("app role assignments")
          .pageSize(999)
          .under("/servicePrincipals")
          .permission(APPLICATION_READ)
          .columns(
              of("id", STRING, "id").highCardinality(),
              of("resource_id", STRING, "resourceId"),
              of("resource_display_name", STRING, "resourceDisplayName"),
              of("app_role_id", STRING, "appRoleId"),
              of("principal_id", STRING, "principalId").highCardinality(),
              of("principal_type", STRING, "principalType"),
              of("principal_display_name", STRING, "principalDisplayName").highCardinality(),
              of("created_date_time", TIMESTAMP, "createdDateTime"))
          .build();

  /** The metadata of every certificate and client secret of applications and service principals. */
  public static final Entity APP_CREDENTIALS =
      Entity.builder("app_credentials", "/applications")
          .what("app credentials")
          .pageSize(999)
          .each("keyCredentials,passwordCredentials")
          .also("/servicePrincipals")
          .permission(APPLICATION_READ)
          .redact("hint", "secretText", "key")
          .columns(
              of("owner_id", STRING, Entity.Parent.FIELD).highCardinality(),
              of("owner_kind", STRING, Entity.SOURCE)
                  .map(
                      Column.rename(
                          Map.of(
                              "applications",
                              "application",
                              "servicePrincipals",
                              "servicePrincipal"))),
              of("key_id", STRING, "keyId").highCardinality(),
              of("credential_type", STRING, Entity.ARRAY)
                  .map(
                      Column.rename(
                          Map.of(
                              "keyCredentials", "certificate", "passwordCredentials", "password"))),
              of("display_name", STRING, "displayName"),
              of("start_date_time", TIMESTAMP, "startDateTime"),
              of("end_date_time", TIMESTAMP, "endDateTime"),
              of("key_type", STRING, "type"),
              of("key_usage", STRING, "usage"),
              of("custom_key_identifier", STRING, "customKeyIdentifier").highCardinality())
          .ids("owner_id", "key_id")
          .build();

  private static final Permission ROLE_READ =
      Permission.anyOf(
          "RoleManagement.Read.Directory",
          "RoleManagement.Read.Directory",
          "RoleManagement.Read.All",
          "RoleManagement.ReadWrite.Directory");

  /** Directory roles, built-in and custom. */
  public static final Entity ROLE_DEFINITIONS =
      Entity.builder("role_definitions", "/roleManagement/directory/roleDefinitions")
          .what("role definitions")
          .permission(ROLE_READ)
          .columns(
              of("id", STRING, "id"),
              of("display_name", STRING, "displayName"),
              of("description", STRING, "description"),
              of("is_built_in", BOOLEAN, "isBuiltIn"),
              of("is_enabled", BOOLEAN, "isEnabled"),
              of("template_id", STRING, "templateId"),
              of("version", STRING, "version"),
              listOf("resource_scopes", "resourceScopes", null),
              of("role_permissions", JSON, "rolePermissions"))
          .build();

  /** Who holds which directory role, at which scope, now (active assignments). */
  public static final Entity ROLE_ASSIGNMENTS =
      Entity.builder("role_assignments", "/roleManagement/directory/roleAssignments")
          .what("role assignments")
          .permission(ROLE_READ)
          .columns(
              of("id", STRING, "id").highCardinality(),
              of("principal_id", STRING, "principalId").highCardinality(),
              of("role_definition_id", STRING, "roleDefinitionId"),
              of("directory_scope_id", STRING, "directoryScopeId"),
              of("resource_scope", STRING, "resourceScope"))
          .build();

  /** Who may activate which directory role through PIM (Entra ID P2). */
  public static final Entity ROLE_ELIGIBILITY_SCHEDULES =
      Entity.builder(
              "role_eligibility_schedules", "/roleManagement/directory/roleEligibilitySchedules")
          .what("role eligibility schedules")
          .permission(
              new Permission(
                  "RoleEligibilitySchedule.Read.Directory",
                  Set.of(
                      "RoleEligibilitySchedule.Read.Directory",
                      "RoleManagement.Read.Directory",
                      "RoleManagement.Read.All",
                      "RoleEligibilitySchedule.ReadWrite.Directory",
                      "RoleManagement.ReadWrite.Directory"),
                  Set.of()))
          .licence("P2")
          .columns(
              of("id", STRING, "id").highCardinality(),
              of("principal_id", STRING, "principalId").highCardinality(),
              of("role_definition_id", STRING, "roleDefinitionId"),
              of("directory_scope_id", STRING, "directoryScopeId"),
              of("app_scope_id", STRING, "appScopeId"),
              of("status", STRING, "status"),
              of("member_type", STRING, "memberType"),
              of("created_date_time", TIMESTAMP, "createdDateTime"),
              of("modified_date_time", TIMESTAMP, "modifiedDateTime"),
              of("start_date_time", TIMESTAMP, "scheduleInfo/startDateTime"),
              of("expiration_type", STRING, "scheduleInfo/expiration/type"),
              of("end_date_time", TIMESTAMP, "scheduleInfo/expiration/endDateTime"))
          .build();

  /** Each user's MFA, SSPR and passwordless registration (a report: Entra ID P1/P2). */
  public static final Entity AUTH_METHOD_REGISTRATIONS =
      Entity.builder(
              "auth_method_registrations", "/reports/authenticationMethods/userRegistrationDetails")
          .what("authentication method registrations")
          .noSelect()
          .permission(new Permission("AuditLog.Read.All", Set.of(), Set.of("AuditLog.Read.All")))
          .licence("P1")
          .columns(
              of("user_id", STRING, "id").highCardinality(),
              of("user_principal_name", STRING, "userPrincipalName").highCardinality(),
              of("user_display_name", STRING, "userDisplayName").highCardinality(),
              of("user_type", STRING, "userType"),
              of("is_admin", BOOLEAN, "isAdmin"),
              of("is_mfa_registered", BOOLEAN, "isMfaRegistered"),
              of("is_mfa_capable", BOOLEAN, "isMfaCapable"),
              of("is_passwordless_capable", BOOLEAN, "isPasswordlessCapable"),
              of("is_sspr_registered", BOOLEAN, "isSsprRegistered"),
              of("is_sspr_enabled", BOOLEAN, "isSsprEnabled"),
              of("is_sspr_capable", BOOLEAN, "isSsprCapable"),
              of(
                  "is_system_preferred_authentication_method_enabled",
                  BOOLEAN,
                  "isSystemPreferredAuthenticationMethodEnabled"),
              listOf("methods_registered", "methodsRegistered", null),
              listOf(
                  "system_preferred_authentication_methods",
                  "systemPreferredAuthenticationMethods",
                  null),
              of(
                  "user_preferred_method_for_secondary_authentication",
                  STRING,
                  "userPreferredMethodForSecondaryAuthentication"),
              of("last_updated_date_time", TIMESTAMP, "lastUpdatedDateTime"))
          .ids("user_id")
          .build();

  /** Conditional-access policies: state, conditions and controls, with who and what as id lists. */
  public static final Entity CONDITIONAL_ACCESS_POLICIES =
      Entity.builder("conditional_access_policies", "/identity/conditionalAccess/policies")
          .what("conditional access policies")
          .permission(
              new Permission(
                  "Policy.Read.All",
                  Set.of("Policy.Read.All", "Policy.ReadWrite.ConditionalAccess"),
                  Set.of()))
          .licence("P1")
          .columns(
              of("id", STRING, "id"),
              of("display_name", STRING, "displayName"),
              of("state", STRING, "state"),
              of("created_date_time", TIMESTAMP, "createdDateTime"),
              of("modified_date_time", TIMESTAMP, "modifiedDateTime"),
              listOf("include_users", "conditions/users/includeUsers", null),
              listOf("exclude_users", "conditions/users/excludeUsers", null),
              listOf("include_groups", "conditions/users/includeGroups", null),
              listOf("exclude_groups", "conditions/users/excludeGroups", null),
              listOf("include_roles", "conditions/users/includeRoles", null),
              listOf("exclude_roles", "conditions/users/excludeRoles", null),
              listOf("include_applications", "conditions/applications/includeApplications", null),
              listOf("exclude_applications", "conditions/applications/excludeApplications", null),
              listOf("client_app_types", "conditions/clientAppTypes", null),
              listOf("grant_built_in_controls", "grantControls/builtInControls", null),
              of("grant_operator", STRING, "grantControls/operator"),
              of("conditions", JSON, "conditions"),
              of("grant_controls", JSON, "grantControls"),
              of("session_controls", JSON, "sessionControls"))
          .build();

  /** The licences the tenant bought: what analysts join users' SKU ids with. */
  public static final Entity SUBSCRIBED_SKUS =
      Entity.builder("subscribed_skus", "/subscribedSkus")
          .what("subscribed SKUs")
          .permission(
              Permission.anyOf(
                  "Organization.Read.All", "Organization.Read.All", "Organization.ReadWrite.All"))
          .columns(
              of("id", STRING, "id"),
              of("sku_id", STRING, "skuId"),
              of("sku_part_number", STRING, "skuPartNumber"),
              of("capability_status", STRING, "capabilityStatus"),
              of("applies_to", STRING, "appliesTo"),
              of("account_name", STRING, "accountName"),
              of("account_id", STRING, "accountId"),
              of("consumed_units", LONG, "consumedUnits"),
              of("prepaid_enabled", LONG, "prepaidUnits/enabled"),
              of("prepaid_suspended", LONG, "prepaidUnits/suspended"),
              of("prepaid_warning", LONG, "prepaidUnits/warning"),
              of("prepaid_locked_out", LONG, "prepaidUnits/lockedOut"),
              listOf("service_plan_ids", "servicePlans", "servicePlanId"),
              listOf("service_plan_names", "servicePlans", "servicePlanName"),
              of("service_plans", JSON, "servicePlans"),
              listOf("subscription_ids", "subscriptionIds", null))
          .build();

  /**
   * One row per user and licence, from the users' assignedLicenses joined with the SKUs' part
   * numbers: one pass over /users and one request for /subscribedSkus, none per user.
   */
  /**
   * Devices' registered owners (the user who joined or registered the device; Graph allows one),
   * brought with the devices by {@code $expand}: 100 devices a page, Graph's cap with $expand.
   */
  public static final Entity DEVICE_OWNERS =
      Entity.builder("device_owners", "/devices")
          .what("device owners")
          .pageSize(100)
          .each("registeredOwners")
          .expand("registeredOwners($select=id,userPrincipalName,displayName)")
          .rawJson(false)
          .permission(DEVICE_READ)
          .columns(
              of("device_id", STRING, Entity.Parent.FIELD).highCardinality(),
              of("owner_id", STRING, "id").highCardinality(),
              of("owner_type", STRING, "@odata.type").map(Column.ODATA_TYPE_NAME),
              of("owner_user_principal_name", STRING, "userPrincipalName").highCardinality(),
              of("owner_display_name", STRING, "displayName").highCardinality())
          .ids("device_id", "owner_id")
          .build();

  public static final Entity USER_LICENSES =
      Entity.builder("user_licenses", "/users")
          .what("user licences")
          .pageSize(999)
          .each("assignedLicenses")
          .lookup("/subscribedSkus", "skuId", "skuPartNumber", "skuId")
          .permission(
              Permission.anyOf(
                  "User.Read.All + Organization.Read.All, or Directory.Read.All",
                  "Directory.Read.All"))
          .columns(
              of("user_id", STRING, Entity.Parent.FIELD).highCardinality(),
              of("sku_id", STRING, "skuId"),
              of("sku_part_number", STRING, Entity.Lookup.FIELD),
              listOf("disabled_plan_ids", "disabledPlans", null))
          .ids("user_id", "sku_id")
          .build();

  /**
   * Every entity by name, in load order. Memberships come after every object a group can hold
   * (users, groups, devices, service principals): their delta round is completed from those tables
   * as this load commits them (names, members this load saw deleted or restored).
   */
  public static final Map<String, Entity> ALL =
      index(
          USERS,
          GROUPS,
          DEVICES,
          DEVICE_OWNERS,
          DIRECTORY_AUDITS,
          SIGN_INS,
          SUBSCRIBED_SKUS,
          USER_LICENSES,
          APPLICATIONS,
          SERVICE_PRINCIPALS,
          GROUP_MEMBERS,
          GROUP_MEMBERS_TRANSITIVE,
          APP_CREDENTIALS,
          ROLE_DEFINITIONS,
          ROLE_ASSIGNMENTS,
          ROLE_ELIGIBILITY_SCHEDULES,
          AUTH_METHOD_REGISTRATIONS,
          CONDITIONAL_ACCESS_POLICIES,
          APP_ROLE_ASSIGNMENTS);

  /**
   * The history tables, by the name of the table whose versions each keeps: the directory's objects
   * and memberships, the apps and their service principals.
   */
  public static final Map<String, Entity> HISTORY =
      historyIndex(
          USERS.history(),
          GROUPS.history(),
          GROUP_MEMBERS.history(),
          DEVICES.history(),
          APPLICATIONS.history(),
          SERVICE_PRINCIPALS.history());

  private static Map<String, Entity> historyIndex(Entity... histories) {
    Map<String, Entity> map = new LinkedHashMap<>();
    for (Entity h : histories) {
      map.put(h.historyOf().name(), h);
    }
    return Collections.unmodifiableMap(map);
  }

  /** The history table of a table, or null when it keeps none. */
  public static Entity history(Entity table) {
    return HISTORY.get(table.name());
  }

  private static Map<String, Entity> index(Entity... entities) {
    Map<String, Entity> map = new LinkedHashMap<>();
    for (Entity e : entities) {
      map.put(e.name(), e);
    }
    return Collections.unmodifiableMap(map);
  }

  /**
   * An entity by its table name or the way messages name it ("sign-ins"), or null: how a Graph
   * error about a request finds the permission to name.
   */
  public static Entity named(String nameOrWhat) {
    Entity e = ALL.get(nameOrWhat);
    if (e != null) {
      return e;
    }
    return ALL.values().stream().filter(x -> x.what().equals(nameOrWhat)).findFirst().orElse(null);
  }

  /** Resolves a comma-separated entity list; an unknown name fails with the valid ones. */
  public static List<Entity> parse(String list) {
    if (list == null || list.trim().equals("all")) {
      return List.copyOf(ALL.values());
    }
    List<Entity> out = new ArrayList<>();
    for (String raw : list.split(",", -1)) {
      String name = raw.trim();
      if (name.isEmpty()) {
        throw new IllegalArgumentException(
            "'"
                + list
                + "' names no table"
                + (list.isBlank() ? "" : " between two commas")
                + ": choose from "
                + String.join(", ", ALL.keySet())
                + ", or all.");
      }
      Entity e = ALL.get(name);
      if (e == null) {
        throw new IllegalArgumentException(
            "Unknown entity '"
                + name
                + "': choose from "
                + String.join(", ", ALL.keySet())
                + " (or all).");
      }
      if (!out.contains(e)) {
        out.add(e);
      }
    }
    // Keep the load order whatever order they were named in.
    out.sort(Comparator.comparingInt(e -> List.copyOf(ALL.values()).indexOf(e)));
    return out;
  }
}
