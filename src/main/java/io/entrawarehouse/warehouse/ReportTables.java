package io.entrawarehouse.warehouse;

import static io.entrawarehouse.warehouse.Column.Type.BOOLEAN;
import static io.entrawarehouse.warehouse.Column.Type.DOUBLE;
import static io.entrawarehouse.warehouse.Column.Type.INT;
import static io.entrawarehouse.warehouse.Column.Type.JSON;
import static io.entrawarehouse.warehouse.Column.Type.STRING;
import static io.entrawarehouse.warehouse.Column.Type.TIMESTAMP;
import static io.entrawarehouse.warehouse.Column.listOf;
import static io.entrawarehouse.warehouse.Column.of;

import java.util.List;
import java.util.Set;

/**
 * The tables read from Graph's reports, which draw on its reports budget (5 requests per 10 s per
 * app and tenant): the audit and sign-in logs, and authentication-method registrations. Entries of
 * {@link Entities#ALL}, in load order.
 */
public final class ReportTables {

  private ReportTables() {}

  private static final Permission AUDIT_LOG_READ =
      Permission.allOf("AuditLog.Read.All", "Directory.Read.All");

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

  /** This family's tables, in load order. */
  static final List<Entity> TABLES = List.of(DIRECTORY_AUDITS, SIGN_INS, AUTH_METHOD_REGISTRATIONS);
}
