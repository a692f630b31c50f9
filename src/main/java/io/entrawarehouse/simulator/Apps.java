package io.entrawarehouse.simulator;

import static io.entrawarehouse.simulator.DemoTenant.*;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The demo tenant's service principals, the app registrations behind them with their credentials,
 * and the users and groups assigned to their app roles. Immutable and thread-safe, as the tenant.
 */
public final class Apps {

  private final DemoTenant t;

  Apps(DemoTenant tenant) {
    this.t = tenant;
  }

  /** Service principal {@code s}: the non-user members some groups hold. */
  public Map<String, Object> servicePrincipal(int s) {
    return t.changes().apply(SERVICE_PRINCIPAL, s, baseServicePrincipal(s));
  }

  Map<String, Object> baseServicePrincipal(int s) {
    Pick p = t.pick(SERVICE_PRINCIPAL + 100, s);
    String appId = Hashing.uuid(t.seed(), APP, s);
    String name =
        p.one("Contoso", "Fabrikam", "Northwind")
            + " "
            + p.one("HR Sync", "Backup", "Reporting", "CI Deploy")
            + " "
            + s;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", t.id(SERVICE_PRINCIPAL, s));
    m.put("deletedDateTime", null);
    m.put("accountEnabled", true);
    m.put("appDisplayName", name);
    m.put("appId", appId);
    m.put("appOwnerOrganizationId", t.tenantId());
    m.put("createdDateTime", seconds(t.now().minusSeconds(86_400L + p.below(3L * 365 * 86_400))));
    m.put("displayName", name);
    m.put("servicePrincipalNames", List.of(appId));
    m.put("servicePrincipalType", "Application");
    m.put("signInAudience", "AzureADMyOrg");
    m.put("tags", List.of("WindowsAzureActiveDirectoryIntegratedApp"));
    m.put("publisherName", "Contoso");
    m.put(
        "keyCredentials",
        p.chance(0.3) ? List.of(keyCredential(SERVICE_PRINCIPAL, s, 0)) : List.of());
    m.put("passwordCredentials", List.of());
    return m;
  }

  /** How many app registrations the tenant has: one behind each of its service principals. */
  public int applications() {
    return t.scale().servicePrincipals();
  }

  /**
   * Application {@code a}: the registration behind service principal {@code a} (same appId and
   * name), with certificates and client secrets that are a mix of expired, expiring within 30 days
   * and long-lived. Secrets carry Graph's three-character {@code hint}; {@code secretText} and a
   * certificate's {@code key} are null, as Graph returns them in a list.
   */
  public Map<String, Object> application(int a) {
    return t.changes().apply(APPLICATION, a, baseApplication(a));
  }

  Map<String, Object> baseApplication(int a) {
    Pick p = t.pick(APPLICATION + 100, a);
    Map<String, Object> sp = servicePrincipal(a);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", t.id(APPLICATION, a));
    m.put("deletedDateTime", null);
    m.put("appId", sp.get("appId"));
    m.put("createdDateTime", sp.get("createdDateTime"));
    m.put("description", p.chance(0.5) ? "Line-of-business app " + a : null);
    m.put("displayName", sp.get("displayName"));
    m.put("identifierUris", p.chance(0.6) ? List.of("api://" + sp.get("appId")) : List.of());
    m.put("publisherDomain", t.domain());
    m.put("signInAudience", p.chance(0.85) ? "AzureADMyOrg" : "AzureADMultipleOrgs");
    m.put("tags", p.chance(0.2) ? List.of("HideApp") : List.of());
    List<Object> keys = new ArrayList<>();
    for (int k = 0, n = p.below(2); k < n; k++) {
      keys.add(keyCredential(APPLICATION, a, k));
    }
    m.put("keyCredentials", keys);
    List<Object> secrets = new ArrayList<>();
    for (int k = 0, n = p.below(3); k < n; k++) {
      secrets.add(passwordCredential(a, k));
    }
    m.put("passwordCredentials", secrets);
    return m;
  }

  /**
   * A credential's validity: expired, expiring within 30 days, or long-lived, about a third each.
   */
  private Instant[] validity(Pick p) {
    long day = 86_400;
    Instant end =
        switch (p.below(3)) {
          case 0 -> t.now().minusSeconds(day + p.below(300L * day)); // expired
          case 1 -> t.now().plusSeconds(day + p.below(29L * day)); // expiring within 30 days
          default -> t.now().plusSeconds(60L * day + p.below(700L * day)); // long-lived
        };
    return new Instant[] {end.minusSeconds(365L * day), end};
  }

  private Map<String, Object> keyCredential(int ownerKind, int owner, int k) {
    Pick p = t.pick(CREDENTIAL + ownerKind * 10, owner * 8L + k);
    Instant[] valid = validity(p);
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("customKeyIdentifier", p.hex(40).toUpperCase(Locale.ROOT));
    c.put("displayName", "CN=app-" + owner + "-cert-" + k);
    c.put("endDateTime", seconds(valid[1]));
    c.put("key", null);
    c.put("keyId", Hashing.uuid(t.seed(), CREDENTIAL, ownerKind * 1_000_000L + owner * 8L + k));
    c.put("startDateTime", seconds(valid[0]));
    c.put("type", "AsymmetricX509Cert");
    c.put("usage", "Verify");
    return c;
  }

  private Map<String, Object> passwordCredential(int a, int k) {
    Pick p = t.pick(CREDENTIAL + 5, a * 8L + k);
    Instant[] valid = validity(p);
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("customKeyIdentifier", null);
    c.put("displayName", p.one("CI deploy", "Backup job", "Reporting", "Partner sync"));
    c.put("endDateTime", seconds(valid[1]));
    c.put("hint", p.hex(3));
    c.put("keyId", Hashing.uuid(t.seed(), CREDENTIAL, 9_000_000L + a * 8L + k));
    c.put("secretText", null);
    c.put("startDateTime", seconds(valid[0]));
    return c;
  }

  private Map<String, Integer> servicePrincipalIndexById;

  /** The index of the service principal with this id, or -1. */
  public synchronized int servicePrincipalIndex(String id) {
    if (servicePrincipalIndexById == null) {
      Map<String, Integer> index = new HashMap<>();
      for (int s = 0; s < t.scale().servicePrincipals(); s++) {
        index.put(t.id(SERVICE_PRINCIPAL, s), s);
      }
      servicePrincipalIndexById = index;
    }
    Integer s = servicePrincipalIndexById.get(id);
    return s == null ? -1 : s;
  }

  /** How many users and groups are assigned to service principal {@code s}'s app roles. */
  public int appRoleAssignments(int s) {
    return t.pick(APP + 200, s).below(6);
  }

  /** Assignment {@code j} of service principal {@code s}: a user (mostly) or a group. */
  public Map<String, Object> appRoleAssignment(int s, int j) {
    Pick p = t.pick(APP + 300, s * 16L + j);
    boolean group = t.scale().groups() > 0 && p.chance(0.3);
    int principal = group ? p.below(t.scale().groups()) : p.below(t.scale().users());
    Map<String, Object> sp = servicePrincipal(s);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(
        "id",
        Hashing.uuid(t.seed(), APP + 400, s * 16L + j).replace("-", "").substring(0, 22)
            + "-x"
            + j);
    m.put("deletedDateTime", null);
    m.put(
        "appRoleId",
        j % 2 == 0 ? "00000000-0000-0000-0000-000000000000" : Hashing.uuid(t.seed(), APP + 500, s));
    m.put("createdDateTime", seconds(t.now().minusSeconds(86_400L + p.below(500L * 86_400))));
    m.put(
        "principalDisplayName",
        group
            ? t.groups().group(principal).get("displayName")
            : t.people().user(principal).get("displayName"));
    m.put("principalId", t.id(group ? GROUP : USER, principal));
    m.put("principalType", group ? "Group" : "User");
    m.put("resourceDisplayName", sp.get("displayName"));
    m.put("resourceId", sp.get("id"));
    return m;
  }
}
