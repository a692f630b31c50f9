package io.entrawarehouse.warehouse;

import static io.entrawarehouse.warehouse.Column.Type.BOOLEAN;
import static io.entrawarehouse.warehouse.Column.Type.INT;
import static io.entrawarehouse.warehouse.Column.Type.JSON;
import static io.entrawarehouse.warehouse.Column.Type.LONG;
import static io.entrawarehouse.warehouse.Column.Type.STRING;
import static io.entrawarehouse.warehouse.Column.Type.TIMESTAMP;
import static io.entrawarehouse.warehouse.Column.listOf;
import static io.entrawarehouse.warehouse.Column.of;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

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

  /**
   * {@code inactive=exclude} leaves out disabled accounts (the default, {@code include}, loads
   * them: a disabled account that still holds licences or group memberships is what analysts look
   * for).
   */
  private static final String INACTIVE = "inactive";

  private static final Entity.Values INCLUDE_OR_EXCLUDE =
      new Entity.Values("include|exclude", "include or exclude");

  private static String enabledOnly(String value, Instant until) {
    return value.equals("exclude") ? "accountEnabled eq true" : null;
  }

  public static final Entity USERS =
      Entity.builder("users", "/users")
          .delta("/users/delta")
          .pageSize(999)
          .narrowing(INACTIVE, INCLUDE_OR_EXCLUDE, Entities::enabledOnly)
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
          .narrowing(INACTIVE, INCLUDE_OR_EXCLUDE, Entities::enabledOnly)
          // company-owned devices only
          .narrowing(
              "devices.company_owned",
              Entity.Values.TRUE_OR_FALSE,
              (value, until) -> value.equals("true") ? "deviceOwnership eq 'Company'" : null)
          // devices signed in within N days before until
          .narrowing(
              "devices.seen_within_days",
              new Entity.Values("[1-9][0-9]{0,4}", "a number of days from 1 to 99999"),
              (value, until) ->
                  "approximateLastSignInDateTime ge "
                      + until.minus(Duration.ofDays(Long.parseLong(value))))
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

  /** The report tables ({@link ReportTables}), by the names the code uses. */
  public static final Entity DIRECTORY_AUDITS = ReportTables.DIRECTORY_AUDITS;

  public static final Entity SIGN_INS = ReportTables.SIGN_INS;
  public static final Entity AUTH_METHOD_REGISTRATIONS = ReportTables.AUTH_METHOD_REGISTRATIONS;

  /** The access tables ({@link AccessTables}), by the names the code uses. */
  public static final Entity ROLE_DEFINITIONS = AccessTables.ROLE_DEFINITIONS;

  public static final Entity ROLE_ASSIGNMENTS = AccessTables.ROLE_ASSIGNMENTS;
  public static final Entity ROLE_ELIGIBILITY_SCHEDULES = AccessTables.ROLE_ELIGIBILITY_SCHEDULES;
  public static final Entity CONDITIONAL_ACCESS_POLICIES = AccessTables.CONDITIONAL_ACCESS_POLICIES;

  /**
   * Every entity by name, in load order. Memberships come after every object a group can hold
   * (users, groups, devices, service principals): their delta round is completed from those tables
   * as this load commits them (names, members this load saw deleted or restored).
   */
  public static final Map<String, Entity> ALL =
      index(
          List.of(
              USERS,
              GROUPS,
              DEVICES,
              DEVICE_OWNERS,
              SUBSCRIBED_SKUS,
              USER_LICENSES,
              APPLICATIONS,
              SERVICE_PRINCIPALS,
              GROUP_MEMBERS,
              GROUP_MEMBERS_TRANSITIVE,
              APP_CREDENTIALS),
          ReportTables.TABLES,
          AccessTables.TABLES,
          List.of(APP_ROLE_ASSIGNMENTS));

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

  /** The tables and, after each that keeps one, its history table. */
  public static List<Entity> withHistories(List<Entity> entities) {
    List<Entity> all = new ArrayList<>();
    for (Entity e : entities) {
      all.add(e);
      Entity history = history(e);
      if (history != null) {
        all.add(history);
      }
    }
    return all;
  }

  /** Every table of the warehouse, histories included, by name in name order. */
  public static SortedMap<String, Entity> tables() {
    SortedMap<String, Entity> tables = new TreeMap<>();
    withHistories(List.copyOf(ALL.values())).forEach(e -> tables.put(e.name(), e));
    return tables;
  }

  @SafeVarargs
  private static Map<String, Entity> index(List<Entity>... families) {
    Map<String, Entity> map = new LinkedHashMap<>();
    for (List<Entity> family : families) {
      for (Entity e : family) {
        map.put(e.name(), e);
      }
    }
    return Collections.unmodifiableMap(map);
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
