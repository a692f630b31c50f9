package io.entrawarehouse.warehouse;

import static io.entrawarehouse.warehouse.Column.Type.BOOLEAN;
import static io.entrawarehouse.warehouse.Column.Type.JSON;
import static io.entrawarehouse.warehouse.Column.Type.STRING;
import static io.entrawarehouse.warehouse.Column.Type.TIMESTAMP;
import static io.entrawarehouse.warehouse.Column.listOf;
import static io.entrawarehouse.warehouse.Column.of;

import java.util.List;
import java.util.Set;

/**
 * The tables of who may do what: directory roles, their active assignments and PIM eligibilities,
 * and the conditional-access policies that gate sign-ins. Entries of {@link Entities#ALL}, in load
 * order.
 */
public final class AccessTables {

  private AccessTables() {}

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

  /**
   * Named locations, the IP ranges and countries conditional-access policies name. The collection
   * mixes two types, each item with its own type's properties (ipNamedLocation: isTrusted,
   * ipRanges; countryNamedLocation: countriesAndRegions and how the country is found), so it is
   * read without $select: Graph returns every property of each item's own type.
   */
  public static final Entity NAMED_LOCATIONS =
      Entity.builder("named_locations", "/identity/conditionalAccess/namedLocations")
          .what("named locations")
          .noSelect()
          .permission(
              new Permission(
                  "Policy.Read.All",
                  Set.of("Policy.Read.All", "Policy.ReadWrite.ConditionalAccess"),
                  Set.of()))
          .columns(
              of("id", STRING, "id"),
              of("display_name", STRING, "displayName"),
              of("location_type", STRING, "@odata.type").map(Column.ODATA_TYPE_NAME),
              of("created_date_time", TIMESTAMP, "createdDateTime"),
              of("modified_date_time", TIMESTAMP, "modifiedDateTime"),
              of("is_trusted", BOOLEAN, "isTrusted"),
              listOf("ip_ranges", "ipRanges", "cidrAddress"),
              listOf("countries_and_regions", "countriesAndRegions", null),
              of(
                  "include_unknown_countries_and_regions",
                  BOOLEAN,
                  "includeUnknownCountriesAndRegions"),
              of("country_lookup_method", STRING, "countryLookupMethod"))
          .build();

  /** This family's tables, in load order. */
  static final List<Entity> TABLES =
      List.of(
          ROLE_DEFINITIONS,
          ROLE_ASSIGNMENTS,
          ROLE_ELIGIBILITY_SCHEDULES,
          CONDITIONAL_ACCESS_POLICIES,
          NAMED_LOCATIONS);
}
