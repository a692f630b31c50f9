package io.entrawarehouse.simulator;

import static io.entrawarehouse.simulator.DemoTenant.*;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo tenant's built-in directory roles, active role assignments and PIM eligibilities.
 * Immutable and thread-safe, as the tenant.
 */
public final class Roles {

  private final DemoTenant t;

  Roles(DemoTenant tenant) {
    this.t = tenant;
  }

  /** Built-in roles: template id (a built-in role's id), name, one allowed action. */
  static final String[][] ROLES = {
    {
      "62e90394-69f5-4237-9190-012177145e10",
      "Global Administrator",
      "microsoft.directory/users/allProperties/allTasks"
    },
    {
      "e8611ab8-c189-46e8-94e1-60213ab1f814",
      "Privileged Role Administrator",
      "microsoft.directory/roleAssignments/allProperties/allTasks"
    },
    {
      "194ae4cb-b126-40b2-bd5b-6091b380977d",
      "Security Administrator",
      "microsoft.directory/policies/standard/read"
    },
    {
      "fe930be7-5e62-47db-91af-98c3a49a38b1",
      "User Administrator",
      "microsoft.directory/users/create"
    },
    {
      "729827e3-9c14-49f7-bb1b-9608f156bbb8",
      "Helpdesk Administrator",
      "microsoft.directory/users/password/update"
    },
    {
      "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
      "Application Administrator",
      "microsoft.directory/applications/create"
    },
    {
      "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
      "Global Reader",
      "microsoft.directory/users/standard/read"
    },
    {
      "29232cdf-9323-42fd-ade2-1d097af3e4de",
      "Exchange Administrator",
      "microsoft.office365.exchange/allEntities/basic/allTasks"
    },
  };

  public int roleDefinitions() {
    return ROLES.length;
  }

  /** Built-in role definition {@code r}. */
  public Map<String, Object> roleDefinition(int r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", ROLES[r][0]);
    m.put("description", "Can manage what " + ROLES[r][1] + "s manage.");
    m.put("displayName", ROLES[r][1]);
    m.put("isBuiltIn", true);
    m.put("isEnabled", true);
    m.put("resourceScopes", List.of("/"));
    m.put("templateId", ROLES[r][0]);
    m.put("version", "1");
    Map<String, Object> permission = new LinkedHashMap<>();
    permission.put("allowedResourceActions", List.of(ROLES[r][2]));
    permission.put("condition", null);
    m.put("rolePermissions", List.of(permission));
    return m;
  }

  /** Active role assignments: a few per role, mostly users, some groups and service principals. */
  public int roleAssignments() {
    return Math.max(ROLES.length * 2, t.scale().users() / 100);
  }

  /** The principal a role assignment or eligibility {@code i} names, and its role. */
  private String[] rolePrincipal(int kind, int i) {
    Pick p = t.pick(ROLE + kind, i);
    String role = ROLES[i % ROLES.length][0];
    String principal;
    if (p.chance(0.85) || t.scale().groups() == 0) {
      principal = t.id(USER, p.below(t.scale().users()));
    } else if (p.chance(0.5) && t.scale().servicePrincipals() > 0) {
      principal = t.id(SERVICE_PRINCIPAL, p.below(t.scale().servicePrincipals()));
    } else {
      principal = t.id(GROUP, p.below(t.scale().groups()));
    }
    return new String[] {principal, role};
  }

  public Map<String, Object> roleAssignment(int i) {
    String[] pr = rolePrincipal(0, i);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", Hashing.uuid(t.seed(), ROLE, i).replace("-", "") + "-1");
    m.put("principalId", pr[0]);
    m.put("resourceScope", "/");
    m.put("directoryScopeId", "/");
    m.put("roleDefinitionId", pr[1]);
    return m;
  }

  /** PIM eligibilities: users who may activate a role, some permanently, some until a date. */
  public int roleEligibilitySchedules() {
    return Math.max(ROLES.length, t.scale().users() / 200);
  }

  public Map<String, Object> roleEligibilitySchedule(int i) {
    String[] pr = rolePrincipal(1, i);
    Pick p = t.pick(ROLE + 2, i);
    Instant start = t.now().minusSeconds(86_400L + p.below(400L * 86_400));
    boolean expires = p.chance(0.5);
    Map<String, Object> expiration = new LinkedHashMap<>();
    expiration.put("type", expires ? "afterDateTime" : "noExpiration");
    expiration.put(
        "endDateTime", expires ? seconds(t.now().plusSeconds(p.below(365L * 86_400))) : null);
    expiration.put("duration", null);
    Map<String, Object> schedule = new LinkedHashMap<>();
    schedule.put("startDateTime", seconds(start));
    schedule.put("recurrence", null);
    schedule.put("expiration", expiration);
    String id = Hashing.uuid(t.seed(), ROLE + 3, i);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.put("principalId", pr[0]);
    m.put("roleDefinitionId", pr[1]);
    m.put("directoryScopeId", "/");
    m.put("appScopeId", null);
    m.put("createdUsing", id);
    m.put("createdDateTime", seconds(start));
    m.put("modifiedDateTime", null);
    m.put("status", "Provisioned");
    m.put("memberType", "Direct");
    m.put("scheduleInfo", schedule);
    return m;
  }
}
