package io.entrawarehouse.simulator;

import static io.entrawarehouse.simulator.DemoTenant.*;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The demo tenant's logs, newest first by index: sign-ins (and the users' signInActivity that
 * agrees with them) and directory audits. Immutable and thread-safe, as the tenant.
 */
public final class Logs {

  private final DemoTenant t;
  private volatile int[][] newestSignIns;

  Logs(DemoTenant tenant) {
    this.t = tenant;
  }

  static final List<String[]> APPS =
      List.of(
          new String[] {"de8bc8b5-d9f9-48b1-a8ad-b748da725064", "Graph explorer"},
          new String[] {"00000002-0000-0ff1-ce00-000000000000", "Office 365 Exchange Online"},
          new String[] {"1fec8e78-bce4-4aaf-ab1b-5451cc387264", "Microsoft Teams"},
          new String[] {"c44b4083-3bb0-49c1-b47d-974e53cbdf3c", "Azure Portal"},
          new String[] {"00000003-0000-0ff1-ce00-000000000000", "Office 365 SharePoint Online"},
          new String[] {"d3590ed6-52b3-4102-aeff-aad2292ab01c", "Microsoft Office"});

  static final List<String[]> RESOURCES =
      List.of(
          new String[] {"00000003-0000-0000-c000-000000000000", "Microsoft Graph"},
          new String[] {"00000002-0000-0ff1-ce00-000000000000", "Office 365 Exchange Online"},
          new String[] {
            "797f4846-ba00-4fd7-ba43-dac1f8f63013", "Windows Azure Service Management API"
          });

  static final List<Object[]> SIGN_IN_FAILURES =
      List.of(
          new Object[] {50126, "Error validating credentials due to invalid username or password."},
          new Object[] {50053, "Account is locked because user tried to sign in too many times."},
          new Object[] {50074, "Strong Authentication is required."},
          new Object[] {
            50076,
            "Due to a configuration change made by your administrator, or"
                + " because you moved to a new location, you must use multi-factor authentication."
          },
          new Object[] {53003, "Access has been blocked by Conditional Access policies."},
          new Object[] {50057, "User account is disabled."},
          new Object[] {
            50140,
            "This error occurred due to 'Keep me signed in' interrupt when the"
                + " user was signing in."
          });

  static final List<String[]> AUDIT_ACTIVITIES =
      List.of(
          // service, category, activity, operation type, target type
          new String[] {"Core Directory", "UserManagement", "Update user", "Update", "User"},
          new String[] {"Core Directory", "UserManagement", "Add user", "Add", "User"},
          new String[] {
            "Core Directory", "GroupManagement", "Add member to group", "Assign", "Group"
          },
          new String[] {
            "Core Directory", "GroupManagement", "Remove member from group", "Unassign", "Group"
          },
          new String[] {
            "Core Directory",
            "ApplicationManagement",
            "Add service principal",
            "Add",
            "ServicePrincipal"
          },
          new String[] {"Core Directory", "RoleManagement", "Add member to role", "Assign", "Role"},
          new String[] {"Core Directory", "DeviceManagement", "Add device", "Add", "Device"},
          new String[] {
            "Self-service Group Management",
            "GroupManagement",
            "GroupLifecyclePolicies_Get",
            "Update",
            "N/A"
          },
          new String[] {
            "Self-service Password Management",
            "UserManagement",
            "Reset password (self-service)",
            "Update",
            "User"
          },
          new String[] {"Invited Users", "UserManagement", "Invite external user", "Add", "User"},
          new String[] {
            "PIM", "RoleManagement", "Add member to role completed (PIM activation)", "Add", "Role"
          },
          new String[] {
            "Authentication Methods",
            "UserManagement",
            "User registered security info",
            "Add",
            "User"
          });

  /** The timestamp of log item {@code i} out of {@code count}: strictly decreasing in {@code i}. */
  Instant logTime(int kind, int i, int count) {
    long spanMicros = t.logSpan().toNanos() / 1_000;
    long slot = Math.max(1, spanMicros / Math.max(1, count));
    long jitter =
        Long.remainderUnsigned(Hashing.hash(t.seed(), kind + 300, i), Math.max(1, slot - 1));
    long micros = spanMicros - (long) i * slot - 1 - jitter;
    return t.oldestLog().plusNanos(Math.max(0, micros) * 1_000);
  }

  /** The first draws of sign-in {@code i}: who, into what, and whether it failed. */
  private record SignInDraw(Pick pick, int user, String[] app, String[] resource, boolean failed) {}

  private SignInDraw signInDraw(int i) {
    Pick p = t.pick(SIGN_IN + 100, i);
    int u = p.below(t.scale().users());
    for (int tries = 0; dormant(u) && tries < 20; tries++) {
      u = p.below(t.scale().users());
    }
    String[] app = p.one(APPS);
    String[] resource = p.one(RESOURCES);
    return new SignInDraw(p, u, app, resource, p.chance(0.15));
  }

  /**
   * Whether user {@code u} is one of the one in seven who no longer sign in interactively (left, on
   * leave, a service account): the sign-in log never names them, as in a real tenant, where stale
   * accounts are what "not signed in for 90 days" finds.
   */
  boolean dormant(int u) {
    return t.scale().users() > 1
        && Long.remainderUnsigned(Hashing.hash(t.seed(), DORMANT, u), 7) == 0;
  }

  /**
   * Per user, the index of their newest sign-in in the log and of their newest successful one (-1
   * for none): what their signInActivity agrees with. Computed once, on first use.
   */
  private int[][] newestSignIns() {
    int[][] newest = this.newestSignIns;
    if (newest == null) {
      newest = new int[2][t.scale().users()];
      Arrays.fill(newest[0], -1);
      Arrays.fill(newest[1], -1);
      for (int i = t.scale().signIns() - 1; i >= 0; i--) {
        SignInDraw draw = signInDraw(i);
        newest[0][draw.user()] = i;
        if (!draw.failed()) {
          newest[1][draw.user()] = i;
        }
      }
      this.newestSignIns = newest;
    }
    return newest;
  }

  /**
   * A user's signInActivity, as Graph keeps it: the newest interactive sign-in (failed or not) and
   * the newest successful one are those of the sign-in log when the user has one there; before the
   * log's window they are older. Graph has no successful sign-ins before December 2023: where it
   * has none, both lastSuccessful properties are empty strings, as Microsoft's example shows; the
   * other properties of a user who never signed in are null.
   */
  Map<String, Object> signInActivity(int u, boolean enabled) {
    Pick p = t.pick(USER + 900, u);
    int[][] newest = newestSignIns();
    // A user created after day 0 has no sign-in in the generated log.
    int interactive = u < newest[0].length ? newest[0][u] : -1;
    int successful = u < newest[1].length ? newest[1][u] : -1;
    Instant lastSignIn = null;
    String lastSignInRequest = null;
    if (interactive >= 0) {
      lastSignIn = logTime(SIGN_IN, interactive, t.scale().signIns());
      lastSignInRequest = t.id(SIGN_IN, interactive);
    } else if (enabled && u < t.scale().users() && p.chance(0.8)) {
      // (a user created after day 0 never signed in)
      lastSignIn = t.oldestLog().minusSeconds(1 + p.below(400L * 86_400));
      lastSignInRequest = Hashing.uuid(t.seed(), REQUEST, u);
    }
    Instant nonInteractive = null;
    String nonInteractiveRequest = null;
    if (lastSignIn != null && p.chance(0.8)) {
      nonInteractive = t.now().minusSeconds(1 + p.below(45L * 86_400));
      nonInteractiveRequest = Hashing.uuid(t.seed(), REQUEST, u + 1_000_000_000L);
    }
    Instant lastSuccess = null;
    String lastSuccessRequest = null;
    if (successful >= 0) {
      lastSuccess = logTime(SIGN_IN, successful, t.scale().signIns());
      lastSuccessRequest = t.id(SIGN_IN, successful);
    } else if (interactive < 0 && lastSignIn != null && p.chance(0.7)) {
      lastSuccess = lastSignIn;
      lastSuccessRequest = lastSignInRequest;
    }
    if (nonInteractive != null && (lastSuccess == null || nonInteractive.isAfter(lastSuccess))) {
      lastSuccess = nonInteractive;
      lastSuccessRequest = nonInteractiveRequest;
    }
    Map<String, Object> activity = new LinkedHashMap<>();
    activity.put("lastSignInDateTime", lastSignIn == null ? null : seconds(lastSignIn));
    activity.put("lastSignInRequestId", lastSignInRequest);
    activity.put(
        "lastNonInteractiveSignInDateTime",
        nonInteractive == null ? null : seconds(nonInteractive));
    activity.put("lastNonInteractiveSignInRequestId", nonInteractiveRequest);
    activity.put("lastSuccessfulSignInDateTime", lastSuccess == null ? "" : seconds(lastSuccess));
    activity.put("lastSuccessfulSignInRequestId", lastSuccess == null ? "" : lastSuccessRequest);
    return activity;
  }

  /** Sign-in {@code i}; {@code i = 0} is the newest. */
  public Map<String, Object> signIn(int i) {
    SignInDraw draw = signInDraw(i);
    Pick p = draw.pick();
    int u = draw.user();
    String[] app = draw.app();
    String[] resource = draw.resource();
    boolean failed = draw.failed();
    Object[] failure = failed ? p.one(SIGN_IN_FAILURES) : null;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", t.id(SIGN_IN, i));
    m.put("createdDateTime", micros7(logTime(SIGN_IN, i, t.scale().signIns())));
    m.put("userDisplayName", t.people().userDisplayName(u));
    m.put("userPrincipalName", t.people().userPrincipalName(u));
    m.put("userId", t.id(USER, u));
    m.put("appId", app[0]);
    m.put("appDisplayName", app[1]);
    m.put(
        "ipAddress",
        p.below(223) + 1 + "." + p.below(256) + "." + p.below(256) + "." + p.below(256));
    m.put(
        "clientAppUsed",
        p.one("Browser", "Browser", "Mobile Apps and Desktop clients", "Exchange ActiveSync"));
    m.put("correlationId", Hashing.uuid(t.seed(), SIGN_IN + 400, i));
    String caStatus =
        failure != null && (int) failure[0] == 53003
            ? "failure"
            : p.one("success", "notApplied", "success");
    m.put("conditionalAccessStatus", caStatus);
    m.put("isInteractive", true);
    boolean risky = p.chance(0.04);
    String risk = risky ? p.one("low", "medium", "high") : "none";
    m.put(
        "riskDetail",
        risky
            ? p.one(
                "none", "userPassedMFADrivenByRiskBasedPolicy", "adminConfirmedSigninCompromised")
            : "none");
    m.put("riskLevelAggregated", risk);
    m.put("riskLevelDuringSignIn", risk);
    m.put("riskState", risky ? p.one("atRisk", "confirmedSafe", "remediated") : "none");
    m.put(
        "riskEventTypes",
        risky
            ? List.of(p.one("unfamiliarFeatures", "anonymizedIPAddress", "impossibleTravel"))
            : List.of());
    m.put("resourceDisplayName", resource[1]);
    m.put("resourceId", resource[0]);
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("errorCode", failure == null ? 0 : failure[0]);
    status.put("failureReason", failure == null ? null : failure[1]);
    status.put(
        "additionalDetails",
        failure == null
            ? null
            : p.one(
                "MFA requirement satisfied by claim in the token",
                "The user didn't complete the MFA prompt."));
    m.put("status", status);
    Map<String, Object> device = new LinkedHashMap<>();
    if (t.scale().devices() > 0 && p.chance(0.6)) {
      Map<String, Object> d = t.devices().device(p.below(t.scale().devices()));
      device.put("deviceId", d.get("deviceId"));
      device.put("displayName", d.get("displayName"));
      device.put("operatingSystem", d.get("operatingSystem"));
      device.put(
          "browser", p.one("Edge 131.0.0", "Chrome 131.0.0", "Safari 18.1", "Rich Client 5.2.0"));
      device.put("isCompliant", d.get("isCompliant"));
      device.put("isManaged", d.get("isManaged"));
      device.put("trustType", d.get("trustType"));
    } else {
      device.put("deviceId", "");
      device.put("displayName", null);
      device.put("operatingSystem", p.one("Windows 10", "Ios 18", "Android", "MacOs"));
      device.put("browser", p.one("Edge 80.0.361", "Chrome 131.0.0", "Mobile Safari"));
      device.put("isCompliant", null);
      device.put("isManaged", null);
      device.put("trustType", null);
    }
    m.put("deviceDetail", device);
    String[] place = p.one(People.PLACES);
    Map<String, Object> location = new LinkedHashMap<>();
    location.put("city", place[0]);
    location.put("state", place[1]);
    location.put("countryOrRegion", place[2]);
    Map<String, Object> geo = new LinkedHashMap<>();
    geo.put("altitude", null);
    geo.put("latitude", Double.parseDouble(place[3]));
    geo.put("longitude", Double.parseDouble(place[4]));
    location.put("geoCoordinates", geo);
    m.put("location", location);
    List<Object> policies = new ArrayList<>();
    int policyCount = p.below(Policies.CA_POLICIES.size() + 1);
    for (int k = 0; k < policyCount; k++) {
      String[] policy = Policies.CA_POLICIES.get(k);
      Map<String, Object> applied = new LinkedHashMap<>();
      applied.put("id", policy[0]);
      applied.put("displayName", policy[1]);
      String result =
          caStatus.equals("notApplied")
              ? "notApplied"
              : caStatus.equals("failure") && k == 0
                  ? "failure"
                  : p.one("success", "notEnabled", "reportOnlySuccess");
      applied.put(
          "enforcedGrantControls",
          result.equals("success") || result.equals("failure")
              ? List.of(p.one("Mfa", "RequireCompliantDevice", "Block"))
              : List.of());
      applied.put("enforcedSessionControls", List.of());
      applied.put("result", result);
      policies.add(applied);
    }
    m.put("appliedConditionalAccessPolicies", policies);
    return m;
  }

  /** Directory audit {@code i}; {@code i = 0} is the newest. */
  public Map<String, Object> directoryAudit(int i) {
    Pick p = t.pick(AUDIT + 100, i);
    String[] a = p.one(AUDIT_ACTIVITIES);
    boolean success = !p.chance(0.06);
    String correlation = Hashing.uuid(t.seed(), AUDIT + 400, i);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(
        "id",
        "Directory_" + correlation + "_" + p.hex(5).toUpperCase(Locale.ROOT) + "_" + p.digits(8));
    m.put("category", a[1]);
    m.put("correlationId", correlation);
    m.put("result", success ? "success" : "failure");
    m.put(
        "resultReason",
        success
            ? ""
            : p.one(
                "Microsoft.Online.Workflows.ObjectAlreadyExistsException",
                "Insufficient privileges"));
    m.put("activityDisplayName", a[2]);
    m.put("activityDateTime", micros7(logTime(AUDIT, i, t.scale().directoryAudits())));
    m.put("loggedByService", a[0]);
    m.put("operationType", a[3]);
    Map<String, Object> initiatedBy = new LinkedHashMap<>();
    if (p.chance(0.7)) {
      int u = p.below(t.scale().users());
      Map<String, Object> user = new LinkedHashMap<>();
      user.put("id", t.id(USER, u));
      user.put("displayName", p.chance(0.5) ? t.people().userDisplayName(u) : null);
      user.put("userPrincipalName", t.people().userPrincipalName(u));
      user.put("ipAddress", p.chance(0.6) ? "10.0." + p.below(256) + "." + p.below(256) : null);
      user.put("userType", null);
      user.put("homeTenantId", null);
      user.put("homeTenantName", null);
      initiatedBy.put("app", null);
      initiatedBy.put("user", user);
    } else {
      int s = p.below(t.scale().servicePrincipals());
      Map<String, Object> app = new LinkedHashMap<>();
      app.put("appId", Hashing.uuid(t.seed(), APP, s));
      app.put("displayName", t.apps().servicePrincipal(s).get("displayName"));
      app.put("servicePrincipalId", t.id(SERVICE_PRINCIPAL, s));
      app.put("servicePrincipalName", null);
      initiatedBy.put("app", app);
      initiatedBy.put("user", null);
    }
    m.put("initiatedBy", initiatedBy);
    Map<String, Object> target = new LinkedHashMap<>();
    List<Object> modified = new ArrayList<>();
    switch (a[4]) {
      case "User" -> {
        int u = p.below(t.scale().users());
        target.put("id", t.id(USER, u));
        target.put("displayName", null);
        target.put("type", "User");
        target.put("userPrincipalName", t.people().userPrincipalName(u));
        target.put("groupType", null);
        if (a[2].equals("Update user")) {
          modified.add(
              change("Department", "[\"Sales\"]", "[\"" + p.one(People.DEPARTMENTS) + "\"]"));
          modified.add(change("Included Updated Properties", null, "\"Department\""));
        }
      }
      case "Group" -> {
        int g = t.scale().groups() == 0 ? 0 : p.below(t.scale().groups());
        target.put(
            "id",
            t.scale().groups() == 0 ? "00000000-0000-0000-0000-000000000000" : t.id(GROUP, g));
        target.put(
            "displayName", t.scale().groups() == 0 ? null : t.groups().group(g).get("displayName"));
        target.put("type", "Group");
        target.put("userPrincipalName", null);
        target.put(
            "groupType",
            t.scale().groups() == 0
                ? null
                : t.groups().groupType(g) == GroupType.UNIFIED ? "unifiedGroups" : "securityGroup");
        modified.add(change("Group.ObjectID", null, "\"" + target.get("id") + "\""));
      }
      case "Device" -> {
        int d = t.scale().devices() == 0 ? 0 : p.below(t.scale().devices());
        target.put(
            "id",
            t.scale().devices() == 0 ? "00000000-0000-0000-0000-000000000000" : t.id(DEVICE, d));
        target.put(
            "displayName",
            t.scale().devices() == 0 ? null : t.devices().device(d).get("displayName"));
        target.put("type", "Device");
        target.put("userPrincipalName", null);
        target.put("groupType", null);
        modified.add(change("AccountEnabled", null, "[true]"));
      }
      case "ServicePrincipal" -> {
        int s = p.below(t.scale().servicePrincipals());
        target.put("id", t.id(SERVICE_PRINCIPAL, s));
        target.put("displayName", t.apps().servicePrincipal(s).get("displayName"));
        target.put("type", a[4]);
        target.put("userPrincipalName", null);
        target.put("groupType", null);
        modified.add(change("AppAddress", null, "\"" + target.get("displayName") + "\""));
      }
      case "Role" -> {
        // As Entra records a role assignment: the member first, carrying the role in its
        // modified properties, then the role itself.
        int u = p.below(t.scale().users());
        Map<String, Object> role = t.roles().roleDefinition(p.below(t.roles().roleDefinitions()));
        target.put("id", t.id(USER, u));
        target.put("displayName", null);
        target.put("type", "User");
        target.put("userPrincipalName", t.people().userPrincipalName(u));
        target.put("groupType", null);
        modified.add(change("Role.ObjectID", null, "\"" + role.get("id") + "\""));
        modified.add(change("Role.DisplayName", null, "\"" + role.get("displayName") + "\""));
        modified.add(change("Role.TemplateId", null, "\"" + role.get("templateId") + "\""));
        modified.add(change("Role.WellKnownObjectName", null, null));
        target.put("modifiedProperties", modified);
        Map<String, Object> roleTarget = new LinkedHashMap<>();
        roleTarget.put("id", role.get("id"));
        roleTarget.put("displayName", null);
        roleTarget.put("type", "Role");
        roleTarget.put("userPrincipalName", null);
        roleTarget.put("groupType", null);
        roleTarget.put("modifiedProperties", List.of());
        m.put("targetResources", List.of(target, roleTarget));
      }
      default -> {
        target.put("id", "00000000-0000-0000-0000-000000000000");
        target.put("displayName", null);
        target.put("type", "N/A");
        target.put("userPrincipalName", null);
        target.put("groupType", null);
      }
    }
    if (!m.containsKey("targetResources")) {
      target.put("modifiedProperties", modified);
      m.put("targetResources", List.of(target));
    }
    List<Object> details = new ArrayList<>();
    if (p.chance(0.5)) {
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("key", "User-Agent");
      d.put(
          "value",
          p.one(
              "Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
              "Microsoft Azure Graph Client Library 1.0",
              "EvoSTS"));
      details.add(d);
    }
    m.put("additionalDetails", details);
    return m;
  }

  private static Map<String, Object> change(String name, String oldValue, String newValue) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("displayName", name);
    c.put("oldValue", oldValue);
    c.put("newValue", newValue);
    return c;
  }
}
