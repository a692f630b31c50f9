package io.entrawarehouse.simulator;

import static io.entrawarehouse.simulator.DemoTenant.*;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The demo tenant's tenant-wide settings: conditional-access policies and the licences it
 * subscribes to. Immutable and thread-safe, as the tenant.
 */
public final class Policies {

  private final DemoTenant t;

  Policies(DemoTenant tenant) {
    this.t = tenant;
  }

  static final List<String[]> CA_POLICIES =
      List.of(
          new String[] {
            "de7e60eb-ed89-4d73-8205-2227def6b7c9", "SharePoint limited access for guest workers"
          },
          new String[] {"6b0a3f56-0c71-4c0e-9bb3-1d2f3a63c4f1", "Require MFA for administrators"},
          new String[] {"0f1e3b9a-7a1c-4e55-8f2a-9c4be0a2d7e3", "Block legacy authentication"},
          new String[] {
            "9a3c5e2d-61b4-47d0-b5a8-3e7f9d1c2b60", "Require compliant device for Office 365"
          });

  /**
   * Named locations: name, then the IP ranges of an ipNamedLocation (trusted or not), or the
   * countries of a countryNamedLocation (with unknown ones or not, and how the country is found).
   */
  private static final String[][] NAMED_LOCATIONS = {
    {"Headquarters", "ip", "true", "203.0.113.0/24", "198.51.100.16/28"},
    {"VPN egress (IPv6)", "ip", "true", "2001:db8:1234::/48"},
    {"Partner office", "ip", "false", "192.0.2.64/26"},
    {"Blocked countries and regions", "country", "true", "clientIpAddress", "KP", "IR", "SY"},
    {"Travel with the Authenticator app", "country", "false", "authenticatorAppGps", "FR", "JP"},
  };

  public int namedLocations() {
    return NAMED_LOCATIONS.length;
  }

  /**
   * Named location {@code k}, as v1.0 lists them: each item has its own type's properties, so the
   * collection mixes two shapes (Microsoft's example in conditionalaccessroot-list-namedlocations).
   */
  public Map<String, Object> namedLocation(int k) {
    Pick p = t.pick(TENANT + 400, k);
    String[] l = NAMED_LOCATIONS[k];
    boolean ip = l[1].equals("ip");
    Instant created = t.now().minusSeconds(30L * 86_400 + p.below(900L * 86_400));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(
        "@odata.type",
        ip ? "#microsoft.graph.ipNamedLocation" : "#microsoft.graph.countryNamedLocation");
    m.put("id", Hashing.uuid(t.seed(), TENANT + 400, k));
    m.put("displayName", l[0]);
    m.put("modifiedDateTime", micros7(max(created, t.now().minusSeconds(p.below(300L * 86_400)))));
    m.put("createdDateTime", seconds(created));
    if (ip) {
      m.put("isTrusted", Boolean.parseBoolean(l[2]));
      List<Object> ranges = new ArrayList<>();
      for (int i = 3; i < l.length; i++) {
        Map<String, Object> range = new LinkedHashMap<>();
        range.put(
            "@odata.type",
            l[i].contains(":")
                ? "#microsoft.graph.iPv6CidrRange"
                : "#microsoft.graph.iPv4CidrRange");
        range.put("cidrAddress", l[i]);
        ranges.add(range);
      }
      m.put("ipRanges", ranges);
    } else {
      m.put("countriesAndRegions", List.of(Arrays.copyOfRange(l, 4, l.length)));
      m.put("includeUnknownCountriesAndRegions", Boolean.parseBoolean(l[2]));
      m.put("countryLookupMethod", l[3]);
    }
    return m;
  }

  /** The tenant's conditional-access policies: the ones its sign-ins name as applied. */
  public int conditionalAccessPolicies() {
    return CA_POLICIES.size();
  }

  /**
   * Policy {@code k}, with users, groups, roles and apps it includes and excludes drawn from the
   * tenant (the Global Administrator role, a group, a break-glass user) and its grant controls.
   */
  public Map<String, Object> conditionalAccessPolicy(int k) {
    Pick p = t.pick(TENANT + 300, k);
    String[] policy = CA_POLICIES.get(k);
    Map<String, Object> users = new LinkedHashMap<>();
    boolean admins = policy[1].contains("administrators");
    boolean guests = policy[1].contains("guest");
    users.put(
        "includeUsers", admins ? List.of() : List.of(guests ? "GuestsOrExternalUsers" : "All"));
    users.put("excludeUsers", List.of(t.id(USER, 0)));
    users.put(
        "includeGroups",
        t.scale().groups() > 0 && p.chance(0.5)
            ? List.of(t.id(GROUP, p.below(t.scale().groups())))
            : List.of());
    users.put("excludeGroups", List.of());
    users.put("includeRoles", admins ? List.of(Roles.ROLES[0][0], Roles.ROLES[1][0]) : List.of());
    users.put("excludeRoles", List.of());
    Map<String, Object> apps = new LinkedHashMap<>();
    apps.put("includeApplications", List.of(k == 3 ? "Office365" : "All"));
    apps.put("excludeApplications", List.of());
    apps.put("includeUserActions", List.of());
    Map<String, Object> conditions = new LinkedHashMap<>();
    conditions.put("signInRiskLevels", List.of());
    conditions.put(
        "clientAppTypes",
        policy[1].contains("legacy") ? List.of("exchangeActiveSync", "other") : List.of("all"));
    conditions.put("platforms", null);
    conditions.put("locations", null);
    conditions.put("applications", apps);
    conditions.put("users", users);
    Map<String, Object> grant = new LinkedHashMap<>();
    grant.put("operator", "OR");
    grant.put(
        "builtInControls",
        policy[1].contains("Block")
            ? List.of("block")
            : policy[1].contains("compliant") ? List.of("compliantDevice") : List.of("mfa"));
    grant.put("customAuthenticationFactors", List.of());
    grant.put("termsOfUse", List.of());
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", policy[0]);
    m.put("displayName", policy[1]);
    m.put("createdDateTime", seconds(t.now().minusSeconds(30L * 86_400 + p.below(700L * 86_400))));
    m.put(
        "modifiedDateTime",
        p.chance(0.5) ? seconds(t.now().minusSeconds(p.below(30L * 86_400))) : null);
    m.put("state", k == 0 ? "enabledForReportingButNotEnforced" : "enabled");
    m.put("sessionControls", null);
    m.put("conditions", conditions);
    m.put("grantControls", grant);
    return m;
  }

  /** Service plans: id, name, what they apply to. Ids and names as Microsoft's licensing list. */
  private static final String[][] PLANS = {
    {"efb87545-963c-4e0d-99df-69c6916d9eb0", "EXCHANGE_S_ENTERPRISE", "User"},
    {"5dbe027f-2339-4123-9542-606e4d348a72", "SHAREPOINTENTERPRISE", "User"},
    {"0feaeb32-d00e-4d66-bd5a-43b5b83db82c", "MCOSTANDARD", "User"},
    {"a23b959c-7ce8-4e57-9140-b90eb88a9e97", "SWAY", "User"},
    {"41781fb2-bc02-4b7c-bd55-b576c07bb09d", "AAD_PREMIUM", "User"},
    {"eec0eb4f-6444-4f95-aba0-50c24d67f998", "AAD_PREMIUM_P2", "User"},
    {"c1ec4a95-1f05-45b3-a911-aa3fa01094f5", "INTUNE_A", "User"},
    {"70d33638-9c74-4d01-bfd3-562de28bd4ba", "BI_AZURE_P2", "User"},
    {"8c098270-9dd4-4350-9b30-ba4703f3b36b", "ADALLOM_S_O365", "Company"},
  };

  /** Per SKU in {@link People#SKUS} order: part number, its plans (indexes in PLANS), status. */
  private static final Object[][] SKU_INFO = {
    {"SPE_E3", new int[] {0, 1, 2, 3, 4, 6}, "Enabled"},
    {"SPE_E5", new int[] {0, 1, 2, 3, 4, 5, 6, 8}, "Enabled"},
    {"ENTERPRISEPACK", new int[] {0, 1, 2, 3}, "Warning"},
    {"EMS", new int[] {4, 6}, "Enabled"},
    {"POWER_BI_PRO", new int[] {7}, "Suspended"},
  };

  private long[] consumed;

  /** A subscribed SKU's properties, as {@link #subscribedSku} writes them. */
  public static final Set<String> SUBSCRIBED_SKU_PROPERTIES =
      Set.of(
          "accountName",
          "accountId",
          "appliesTo",
          "capabilityStatus",
          "consumedUnits",
          "id",
          "prepaidUnits",
          "servicePlans",
          "skuId",
          "skuPartNumber",
          "subscriptionIds");

  /** How many SKUs the tenant has bought: those its users' licences come from. */
  public int subscribedSkus() {
    return People.SKUS.size();
  }

  /**
   * Subscribed SKU {@code k}: consumed units are the users holding it, prepaid units cover them
   * with room to spare (a suspended SKU's units are all suspended, one in warning has some).
   */
  public Map<String, Object> subscribedSku(int k) {
    Pick p = t.pick(TENANT + 200, k);
    String sku = People.SKUS.get(k);
    Object[] info = SKU_INFO[k];
    long used = consumed()[k];
    long bought = used + 5 + p.below(50);
    String status = (String) info[2];
    Map<String, Object> prepaid = new LinkedHashMap<>();
    prepaid.put("enabled", status.equals("Suspended") ? 0 : bought);
    prepaid.put("lockedOut", 0);
    prepaid.put("suspended", status.equals("Suspended") ? bought : 0);
    prepaid.put("warning", status.equals("Warning") ? 10 : 0);
    List<Object> plans = new ArrayList<>();
    for (int i : (int[]) info[1]) {
      Map<String, Object> plan = new LinkedHashMap<>();
      plan.put("servicePlanId", PLANS[i][0]);
      plan.put("servicePlanName", PLANS[i][1]);
      plan.put("provisioningStatus", status.equals("Suspended") ? "Disabled" : "Success");
      plan.put("appliesTo", PLANS[i][2]);
      plans.add(plan);
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("accountName", "Contoso");
    m.put("accountId", Hashing.uuid(t.seed(), TENANT, 7));
    m.put("appliesTo", "User");
    m.put("capabilityStatus", status);
    m.put("consumedUnits", used);
    m.put("id", t.tenantId() + "_" + sku);
    m.put("prepaidUnits", prepaid);
    m.put("servicePlans", plans);
    m.put("skuId", sku);
    m.put("skuPartNumber", info[0]);
    m.put("subscriptionIds", List.of(Hashing.uuid(t.seed(), TENANT, 100 + k)));
    return m;
  }

  /** Users holding each SKU, counted over every user once (the first time it is asked). */
  private synchronized long[] consumed() {
    if (consumed == null) {
      long[] counts = new long[People.SKUS.size()];
      for (int u = 0; u < t.scale().users(); u++) {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> licences =
            (List<Map<String, Object>>) t.people().user(u).get("assignedLicenses");
        for (Map<String, Object> l : licences) {
          counts[People.SKUS.indexOf((String) l.get("skuId"))]++;
        }
      }
      consumed = counts;
    }
    return consumed;
  }
}
