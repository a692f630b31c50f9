package io.entrawarehouse.simulator;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * The tenant's ground truth: per warehouse table, the row count and an order-independent checksum
 * of the row ids, so a test can compare a loaded warehouse with the tenant exactly.
 *
 * <p>The checksum is the sum, modulo 2^64, of the first 8 bytes of MD5(id) read as an unsigned
 * big-endian number; for {@code group_members} the id is {@code groupId + "/" + memberId}.
 */
public final class GroundTruth {

  /** One table's truth. */
  public record Entity(long count, long checksum) {
    public String checksumHex() {
      return String.format(Locale.ROOT, "%016x", checksum);
    }
  }

  private GroundTruth() {}

  public static Map<String, Entity> of(DemoTenant tenant) {
    TenantScale s = tenant.scale();
    Map<String, Entity> out = new LinkedHashMap<>();
    out.put("users", ids(s.users(), u -> tenant.id(DemoTenant.USER, u)));
    out.put("groups", ids(s.groups(), g -> tenant.id(DemoTenant.GROUP, g)));
    long count = 0;
    long sum = 0;
    for (int g = 0; g < s.groups(); g++) {
      String groupId = tenant.id(DemoTenant.GROUP, g);
      for (int j = 0; j < tenant.groupSize(g); j++) {
        sum += Hashing.idChecksumTerm(groupId + "/" + tenant.memberId(g, j));
        count++;
      }
    }
    out.put("group_members", new Entity(count, sum));
    long transitive = 0;
    long transitiveSum = 0;
    for (int g = 0; g < s.groups(); g++) {
      String groupId = tenant.id(DemoTenant.GROUP, g);
      for (String member : tenant.transitiveMemberIds(g)) {
        transitiveSum += Hashing.idChecksumTerm(groupId + "/" + member);
        transitive++;
      }
    }
    out.put("group_members_transitive", new Entity(transitive, transitiveSum));
    out.put("devices", ids(s.devices(), d -> tenant.id(DemoTenant.DEVICE, d)));
    out.put(
        "directory_audits",
        ids(s.directoryAudits(), i -> (String) tenant.directoryAudit(i).get("id")));
    out.put("sign_ins", ids(s.signIns(), i -> tenant.id(DemoTenant.SIGN_IN, i)));
    out.put("applications", ids(tenant.applications(), a -> tenant.id(DemoTenant.APPLICATION, a)));
    out.put(
        "service_principals",
        ids(s.servicePrincipals(), sp -> tenant.id(DemoTenant.SERVICE_PRINCIPAL, sp)));
    long grants = 0;
    long grantSum = 0;
    for (int sp = 0; sp < s.servicePrincipals(); sp++) {
      for (int j = 0; j < tenant.appRoleAssignments(sp); j++) {
        grantSum += Hashing.idChecksumTerm((String) tenant.appRoleAssignment(sp, j).get("id"));
        grants++;
      }
    }
    out.put("app_role_assignments", new Entity(grants, grantSum));
    out.put(
        "conditional_access_policies",
        ids(
            tenant.conditionalAccessPolicies(),
            k -> (String) tenant.conditionalAccessPolicy(k).get("id")));
    out.put("auth_method_registrations", ids(s.users(), u -> tenant.id(DemoTenant.USER, u)));
    out.put(
        "role_definitions",
        ids(tenant.roleDefinitions(), r -> (String) tenant.roleDefinition(r).get("id")));
    out.put(
        "role_assignments",
        ids(tenant.roleAssignments(), i -> (String) tenant.roleAssignment(i).get("id")));
    out.put(
        "role_eligibility_schedules",
        ids(
            tenant.roleEligibilitySchedules(),
            i -> (String) tenant.roleEligibilitySchedule(i).get("id")));
    long credentials = 0;
    long credentialSum = 0;
    for (int kind = 0; kind < 2; kind++) {
      for (int i = 0; i < s.servicePrincipals(); i++) {
        Map<String, Object> owner = kind == 0 ? tenant.application(i) : tenant.servicePrincipal(i);
        for (String array : new String[] {"keyCredentials", "passwordCredentials"}) {
          @SuppressWarnings("unchecked")
          java.util.List<Map<String, Object>> list =
              (java.util.List<Map<String, Object>>) owner.get(array);
          for (Map<String, Object> c : list) {
            credentialSum += Hashing.idChecksumTerm(owner.get("id") + "/" + c.get("keyId"));
            credentials++;
          }
        }
      }
    }
    out.put("app_credentials", new Entity(credentials, credentialSum));
    long licences = 0;
    long licenceSum = 0;
    for (int u = 0; u < s.users(); u++) {
      Map<String, Object> user = tenant.user(u);
      @SuppressWarnings("unchecked")
      java.util.List<Map<String, Object>> assigned =
          (java.util.List<Map<String, Object>>) user.get("assignedLicenses");
      for (Map<String, Object> l : assigned) {
        licenceSum += Hashing.idChecksumTerm(user.get("id") + "/" + l.get("skuId"));
        licences++;
      }
    }
    out.put("user_licenses", new Entity(licences, licenceSum));
    out.put(
        "subscribed_skus",
        ids(tenant.subscribedSkus(), k -> (String) tenant.subscribedSku(k).get("id")));
    return out;
  }

  /** The checksum of a set of ids, computed as {@link #of} does: for comparing a warehouse. */
  public static long checksum(Iterable<String> ids) {
    long sum = 0;
    for (String id : ids) {
      sum += Hashing.idChecksumTerm(id);
    }
    return sum;
  }

  private static Entity ids(int n, IntFunction<String> id) {
    long sum = 0;
    for (int i = 0; i < n; i++) {
      sum += Hashing.idChecksumTerm(id.apply(i));
    }
    return new Entity(n, sum);
  }

  /** The truth as JSON, for {@code simulator --describe}. */
  public static String json(DemoTenant tenant) {
    StringBuilder b = new StringBuilder();
    b.append("{\n");
    b.append("  \"tenantId\": \"").append(tenant.tenantId()).append("\",\n");
    b.append("  \"seed\": ").append(tenant.seed()).append(",\n");
    b.append("  \"scale\": \"").append(tenant.scale().name()).append("\",\n");
    b.append("  \"now\": \"").append(tenant.now()).append("\",\n");
    b.append("  \"logWindow\": {\"since\": \"")
        .append(tenant.oldestLog())
        .append("\", \"until\": \"")
        .append(tenant.now())
        .append("\"},\n");
    b.append("  \"checksum\": \"sum mod 2^64 of the first 8 bytes of MD5(id), big-endian;")
        .append(" group_members and group_members_transitive id = groupId/memberId\",\n");
    b.append("  \"entities\": {\n");
    Map<String, Entity> truth = of(tenant);
    int i = 0;
    for (Map.Entry<String, Entity> e : truth.entrySet()) {
      b.append("    \"")
          .append(e.getKey())
          .append("\": {\"count\": ")
          .append(e.getValue().count())
          .append(", \"idChecksum\": \"")
          .append(e.getValue().checksumHex())
          .append("\"}")
          .append(++i < truth.size() ? ",\n" : "\n");
    }
    b.append("  }\n}\n");
    return b.toString();
  }
}
