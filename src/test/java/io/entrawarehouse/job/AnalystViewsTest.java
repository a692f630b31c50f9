package io.entrawarehouse.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrawarehouse.simulator.DemoTenant;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.TenantScale;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.batch.core.BatchStatus;

/**
 * The views every load creates from {@code sql/views/}, queried in a loaded demo tenant; each
 * expected answer is computed here from the simulator's own data, not from the warehouse.
 */
class AnalystViewsTest {

  @TempDir static Path dir;
  private static DemoTenant tenant;
  private static Path duckdb;

  @BeforeAll
  static void load() throws Exception {
    try (LoadHarness h =
        new LoadHarness(
            SimulatorSettings.builder().scale(TenantScale.SMALL).throttling(false).build(),
            dir,
            Map.of())) {
      assertThat(
              h.run(
                      Map.of(
                          "entities",
                          "users,subscribed_skus,applications,service_principals,app_credentials,"
                              + "role_definitions,role_assignments,role_eligibility_schedules,"
                              + "auth_method_registrations,groups,group_members,"
                              + "group_members_transitive,devices,device_owners,sign_ins,directory_audits"))
                  .getStatus())
          .isEqualTo(BatchStatus.COMPLETED);
      tenant = h.simulator.tenant();
      duckdb = dir.resolve("entra.duckdb");
    }
  }

  private List<List<String>> answer(String question) throws Exception {
    return answer(question, null);
  }

  /** The question's answer; {@code before} runs first on the same connection (SET VARIABLE). */
  private List<List<String>> answer(String question, String before) throws Exception {
    String sql = "SELECT * FROM " + question; // the view the load created
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + duckdb)) {
      if (before != null) {
        for (String statement : before.split(";")) {
          c.createStatement().execute(statement);
        }
      }
      return rows(c, sql);
    }
  }

  private static List<List<String>> rows(Connection c, String sql) throws Exception {
    List<List<String>> rows = new ArrayList<>();
    try (ResultSet r = c.createStatement().executeQuery(sql)) {
      int n = r.getMetaData().getColumnCount();
      while (r.next()) {
        List<String> row = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          row.add(r.getString(i));
        }
        rows.add(row);
      }
    }
    return rows;
  }

  private Map<String, String> partNumbers() {
    Map<String, String> names = new HashMap<>();
    for (int k = 0; k < tenant.policies().subscribedSkus(); k++) {
      Map<String, Object> sku = tenant.policies().subscribedSku(k);
      names.put((String) sku.get("skuId"), (String) sku.get("skuPartNumber"));
    }
    return names;
  }

  @SuppressWarnings("unchecked")
  private static List<String> skuIds(Map<String, Object> user) {
    List<String> ids = new ArrayList<>();
    for (Map<String, Object> l : (List<Map<String, Object>>) user.get("assignedLicenses")) {
      ids.add((String) l.get("skuId"));
    }
    return ids;
  }

  @Test
  void licencesBoughtVersusAssignedPerSku() throws Exception {
    Map<String, Long> assigned = new TreeMap<>();
    for (int u = 0; u < tenant.scale().users(); u++) {
      for (String sku : skuIds(tenant.people().user(u))) {
        assigned.merge(sku, 1L, Long::sum);
      }
    }
    List<List<String>> expected = new ArrayList<>();
    Map<String, List<String>> byName = new TreeMap<>();
    for (int k = 0; k < tenant.policies().subscribedSkus(); k++) {
      Map<String, Object> sku = tenant.policies().subscribedSku(k);
      long bought =
          ((Number) ((Map<String, Object>) sku.get("prepaidUnits")).get("enabled")).longValue();
      long holders = assigned.getOrDefault((String) sku.get("skuId"), 0L);
      byName.put(
          (String) sku.get("skuPartNumber"),
          List.of(
              tenant.tenantId(),
              (String) sku.get("skuPartNumber"),
              (String) sku.get("capabilityStatus"),
              Long.toString(bought),
              sku.get("consumedUnits").toString(),
              Long.toString(holders),
              Long.toString(bought - holders)));
    }
    expected.addAll(byName.values());
    assertThat(answer("licences_bought_vs_assigned")).isEqualTo(expected);
    // The demo tenant's consumed units are the users holding the SKU, as Graph counts them.
    for (List<String> row : expected) {
      assertThat(row.get(4)).as(row.get(1)).isEqualTo(row.get(5));
    }
  }

  @Test
  void disabledUsersStillLicensedByLicenceName() throws Exception {
    Map<String, String> names = partNumbers();
    Map<String, List<String>> expected = new TreeMap<>();
    for (int u = 0; u < tenant.scale().users(); u++) {
      Map<String, Object> user = tenant.people().user(u);
      List<String> skus = skuIds(user);
      if (Boolean.FALSE.equals(user.get("accountEnabled")) && !skus.isEmpty()) {
        List<String> licences = new ArrayList<>(skus.stream().map(names::get).toList());
        Collections.sort(licences);
        expected.put((String) user.get("userPrincipalName"), licences);
      }
    }
    assertThat(expected).as("the demo tenant has such users").isNotEmpty();
    List<List<String>> rows = answer("disabled_users_still_licensed");
    Map<String, String> actual = new TreeMap<>();
    for (List<String> row : rows) {
      assertThat(row.get(0)).isEqualTo(tenant.tenantId());
      actual.put(row.get(1), row.get(2));
    }
    Map<String, String> wanted = new TreeMap<>();
    expected.forEach((upn, l) -> wanted.put(upn, l.toString()));
    assertThat(actual).isEqualTo(wanted);
  }

  @Test
  @SuppressWarnings("unchecked")
  void credentialsExpiredOrExpiringWithin30Days() throws Exception {
    Instant soon = Instant.now().plus(Duration.ofDays(30));
    Instant now = Instant.now();
    Map<String, String> expected = new TreeMap<>();
    for (int i = 0; i < tenant.scale().servicePrincipals(); i++) {
      for (Map<String, Object> owner :
          List.of(tenant.apps().application(i), tenant.apps().servicePrincipal(i))) {
        for (String array : List.of("keyCredentials", "passwordCredentials")) {
          for (Map<String, Object> c : (List<Map<String, Object>>) owner.get(array)) {
            Instant end = OffsetDateTime.parse((String) c.get("endDateTime")).toInstant();
            if (end.isBefore(soon)) {
              expected.put(
                  (String) c.get("keyId"),
                  owner.get("displayName")
                      + " "
                      + (array.equals("keyCredentials") ? "certificate" : "password")
                      + " "
                      + end.isBefore(now));
            }
          }
        }
      }
    }
    assertThat(expected).as("the demo tenant has such credentials").isNotEmpty();
    Map<String, String> actual = new TreeMap<>();
    for (List<String> row : answer("credentials_expiring")) {
      actual.put(row.get(5), row.get(2) + " " + row.get(3) + " " + row.get(7));
    }
    assertThat(actual).isEqualTo(expected);
  }

  @Test
  void activeAndEligibleAdminsWithoutMfa() throws Exception {
    Map<String, String> roleNames = new HashMap<>();
    for (int r = 0; r < tenant.roles().roleDefinitions(); r++) {
      roleNames.put(
          (String) tenant.roles().roleDefinition(r).get("id"),
          (String) tenant.roles().roleDefinition(r).get("displayName"));
    }
    Map<String, Integer> userIndex = new HashMap<>();
    Map<String, Boolean> mfa = new HashMap<>();
    for (int u = 0; u < tenant.scale().users(); u++) {
      String id = (String) tenant.people().user(u).get("id");
      userIndex.put(id, u);
      mfa.put(id, (Boolean) tenant.people().registrationDetails(u).get("isMfaRegistered"));
    }
    Map<String, TreeSet<String>> expected = new TreeMap<>();
    BiConsumer<Map<String, Object>, String> add =
        (grant, how) -> {
          String principal = (String) grant.get("principalId");
          if (userIndex.containsKey(principal) && !mfa.get(principal)) {
            String upn =
                (String) tenant.people().user(userIndex.get(principal)).get("userPrincipalName");
            expected
                .computeIfAbsent(upn, k -> new TreeSet<>())
                .add(roleNames.get((String) grant.get("roleDefinitionId")) + " (" + how + ")");
          }
        };
    for (int i = 0; i < tenant.roles().roleAssignments(); i++) {
      add.accept(tenant.roles().roleAssignment(i), "active");
    }
    for (int i = 0; i < tenant.roles().roleEligibilitySchedules(); i++) {
      add.accept(tenant.roles().roleEligibilitySchedule(i), "eligible");
    }
    assertThat(expected).as("the demo tenant has admins without MFA").isNotEmpty();
    Map<String, String> wanted = new TreeMap<>();
    expected.forEach((upn, roles) -> wanted.put(upn, new ArrayList<>(roles).toString()));
    Map<String, String> actual = new TreeMap<>();
    for (List<String> row : answer("admins_without_mfa")) {
      actual.put(row.get(1), row.get(2).replace("'", "")); // DuckDB quotes names with spaces
    }
    assertThat(actual).isEqualTo(wanted);
  }

  @Test
  void usersAndGuestsNotSignedInFor90Days() throws Exception {
    Instant asOf = Instant.parse("2026-12-01T00:00:00Z");
    Instant cutoff = asOf.minus(Duration.ofDays(90));
    Map<String, String> expected = new TreeMap<>();
    int members = 0;
    int guests = 0;
    for (int u = 0; u < tenant.scale().users(); u++) {
      Map<String, Object> user = tenant.people().user(u);
      if (!instant(user.get("createdDateTime")).isBefore(cutoff)) {
        continue;
      }
      Instant last = lastActivity(user);
      if (last == null || last.isBefore(cutoff)) {
        expected.put(
            (String) user.get("userPrincipalName"),
            user.get("userType") + " " + (last == null ? "never" : last.toString()));
        members += "Member".equals(user.get("userType")) ? 1 : 0;
        guests += "Guest".equals(user.get("userType")) ? 1 : 0;
      }
    }
    assertThat(members).as("stale members in the demo tenant").isGreaterThan(5);
    assertThat(guests).as("stale guests in the demo tenant").isGreaterThan(0);
    Map<String, String> actual = new TreeMap<>();
    for (List<String> row :
        answer("inactive_users", "SET VARIABLE as_of = TIMESTAMPTZ '" + asOf + "'")) {
      assertThat(row.get(0)).isEqualTo(tenant.tenantId());
      actual.put(
          row.get(2),
          row.get(1) + " " + (row.get(5) == null ? "never" : Instant.parse(row.get(5)).toString()));
    }
    assertThat(actual).isEqualTo(expected);
  }

  private static Instant instant(Object time) {
    return OffsetDateTime.parse((String) time).toInstant();
  }

  @Test
  void effectiveMembersOfANestedGroup() throws Exception {
    // The group whose nesting reaches deepest, and one in the tenant's membership cycle: this
    // test's own walk of the simulator's direct members.
    int deepest = -1;
    int bestDepth = 0;
    int inCycle = -1;
    for (int g = 0; g < tenant.scale().groups(); g++) {
      int[] depthAndCycle = walk(g, new TreeSet<>());
      if (depthAndCycle[0] > bestDepth) {
        deepest = g;
        bestDepth = depthAndCycle[0];
      }
      if (depthAndCycle[1] == 1 && inCycle < 0) {
        inCycle = g;
      }
    }
    assertThat(bestDepth).as("the demo tenant nests groups").isGreaterThanOrEqualTo(2);
    assertThat(inCycle).as("the demo tenant has a membership cycle").isNotNegative();
    for (int g : new int[] {deepest, inCycle}) {
      Set<String> expected = new TreeSet<>();
      walk(g, expected);
      String id = (String) tenant.groups().group(g).get("id");
      Set<String> actual = new TreeSet<>();
      for (List<String> row :
          answer("effective_members", "SET VARIABLE group_name = '" + id + "'")) {
        assertThat(row.get(0)).isEqualTo(tenant.tenantId());
        assertThat(row.get(1)).isEqualTo(tenant.groups().group(g).get("displayName"));
        assertThat(actual.add(row.get(3) + "/" + row.get(2))).as("once: " + row).isTrue();
      }
      assertThat(actual).as("group " + g).isEqualTo(expected);
    }
  }

  // ------------------------------------------------------------------ asset inventory

  /** The simulator's platforms folded as an analyst would: one name each, whatever the casing. */
  private static String platform(Object os) {
    String o = ((String) os).toLowerCase(Locale.ROOT);
    return Map.of(
            "windows", "Windows",
            "ios", "iOS",
            "android", "Android",
            "macmdm", "macOS",
            "linux", "Linux")
        .get(o);
  }

  /** Windows to its build, the others to major.minor, names ("Ubuntu 22.04") as they are. */
  private static String release(Object os, Object version) {
    String v = (String) version;
    if (!v.matches("[0-9.]+")) {
      return v;
    }
    String[] parts = v.split("\\.");
    int keep = platform(os).equals("Windows") ? 3 : 2;
    return String.join(".", Arrays.copyOf(parts, Math.min(keep, parts.length)));
  }

  private List<Map<String, Object>> devices() {
    List<Map<String, Object>> devices = new ArrayList<>();
    for (int d : tenant.alive(DemoTenant.DEVICE)) {
      devices.add(tenant.devices().device(d));
    }
    return devices;
  }

  private String asOf() {
    return "SET VARIABLE as_of = TIMESTAMPTZ '" + tenant.now() + "'";
  }

  @Test
  void staleDevicesHaveNoSignInFor90DaysOrTheDaysSet() throws Exception {
    for (int days : new int[] {90, 30}) {
      Instant cutoff = tenant.now().minus(Duration.ofDays(days));
      Map<String, String> expected = new TreeMap<>();
      for (Map<String, Object> d : devices()) {
        Object last = d.get("approximateLastSignInDateTime");
        if (last == null || instant(last).isBefore(cutoff)) {
          expected.put(
              (String) d.get("id"),
              String.join(
                  "|",
                  (String) d.get("displayName"),
                  platform(d.get("operatingSystem")),
                  release(d.get("operatingSystem"), d.get("operatingSystemVersion")),
                  (String) d.get("trustType"),
                  String.valueOf(d.get("deviceOwnership")),
                  String.valueOf(Boolean.TRUE.equals(d.get("isManaged"))),
                  String.valueOf(d.get("isCompliant")),
                  String.valueOf(d.get("accountEnabled")),
                  last == null ? "null" : instant(last).toString(),
                  last == null
                      ? "null"
                      : Long.toString(
                          ChronoUnit.DAYS.between(
                              instant(last).atZone(ZoneOffset.UTC).toLocalDate(),
                              tenant.now().atZone(ZoneOffset.UTC).toLocalDate()))));
        }
      }
      assertThat(expected).as("stale devices in the demo tenant").hasSizeGreaterThan(5);
      Map<String, String> actual = new TreeMap<>();
      for (List<String> row :
          answer("stale_devices", asOf() + "; SET VARIABLE stale_days = " + days)) {
        assertThat(row.get(0)).isEqualTo(tenant.tenantId());
        List<String> cells = new ArrayList<>(row.subList(2, row.size()));
        cells.set(8, cells.get(8) == null ? null : instant(cells.get(8)).toString());
        actual.put(row.get(1), String.join("|", cells.stream().map(String::valueOf).toList()));
      }
      assertThat(actual).as(days + " days").isEqualTo(expected);
    }
  }

  @Test
  void unmanagedAndNonCompliantDevicesByFoldedPlatformAndRelease() throws Exception {
    Map<String, long[]> counts = new TreeMap<>();
    Set<String> linuxSpellings = new TreeSet<>();
    for (Map<String, Object> d : devices()) {
      String os = platform(d.get("operatingSystem"));
      if (os.equals("Linux")) {
        linuxSpellings.add((String) d.get("operatingSystem"));
      }
      long[] c =
          counts.computeIfAbsent(
              os + "|" + release(d.get("operatingSystem"), d.get("operatingSystemVersion")),
              k -> new long[4]);
      boolean managed = Boolean.TRUE.equals(d.get("isManaged"));
      boolean compliant = Boolean.TRUE.equals(d.get("isCompliant"));
      c[0]++;
      c[1] += managed ? 0 : 1;
      c[2] += managed && !compliant ? 1 : 0;
      c[3] += managed && compliant ? 1 : 0;
    }
    assertThat(linuxSpellings).as("Graph's two spellings, folded").hasSize(2);
    Map<String, String> expected = new TreeMap<>();
    counts.forEach((k, c) -> expected.put(k, c[0] + "|" + c[1] + "|" + c[2] + "|" + c[3]));
    Map<String, String> actual = new TreeMap<>();
    long previous = Long.MAX_VALUE;
    for (List<String> row : answer("device_compliance_by_os")) {
      assertThat(row.get(0)).isEqualTo(tenant.tenantId());
      actual.put(
          row.get(1) + "|" + row.get(2),
          String.join("|", row.get(3), row.get(4), row.get(5), row.get(6)));
      long bad = Long.parseLong(row.get(4)) + Long.parseLong(row.get(5));
      assertThat(bad).as("worst first").isLessThanOrEqualTo(previous);
      previous = bad;
    }
    assertThat(actual).isEqualTo(expected);
  }

  @Test
  void personalDevicesAreOwnedAsPersonalOrOnlyRegistered() throws Exception {
    Map<String, String> expected = new TreeMap<>();
    for (Map<String, Object> d : devices()) {
      if ("Personal".equals(d.get("deviceOwnership"))) {
        expected.put((String) d.get("id"), "owned as personal");
      } else if (d.get("deviceOwnership") == null && "Workplace".equals(d.get("trustType"))) {
        expected.put((String) d.get("id"), "registered, not enrolled");
      }
    }
    assertThat(new HashSet<>(expected.values())).hasSize(2);
    Map<String, String> actual = new TreeMap<>();
    for (List<String> row : answer("personal_devices")) {
      actual.put(row.get(1), row.get(9));
    }
    assertThat(actual).isEqualTo(expected);
  }

  @Test
  void devicesPerRegisteredOwnerWithUnmanagedAndStaleCounts() throws Exception {
    Instant cutoff = tenant.now().minus(Duration.ofDays(90));
    Map<String, long[]> counts = new TreeMap<>();
    Map<String, TreeSet<String>> platforms = new TreeMap<>();
    Map<String, Object> enabled = new HashMap<>();
    for (Map<String, Object> d : devices()) {
      Map<String, Object> owner = tenant.devices().deviceOwner(d);
      if (owner == null) {
        continue;
      }
      String upn = (String) owner.get("userPrincipalName");
      long[] c = counts.computeIfAbsent(upn, k -> new long[3]);
      Object last = d.get("approximateLastSignInDateTime");
      c[0]++;
      c[1] += Boolean.TRUE.equals(d.get("isManaged")) ? 0 : 1;
      c[2] += last == null || instant(last).isBefore(cutoff) ? 1 : 0;
      platforms.computeIfAbsent(upn, k -> new TreeSet<>()).add(platform(d.get("operatingSystem")));
      enabled.put(upn, owner.get("accountEnabled"));
    }
    assertThat(counts.values()).as("owners of several devices").anyMatch(c -> c[0] > 1);
    Map<String, String> expected = new TreeMap<>();
    counts.forEach(
        (upn, c) ->
            expected.put(
                upn,
                enabled.get(upn)
                    + "|"
                    + c[0]
                    + "|"
                    + c[1]
                    + "|"
                    + c[2]
                    + "|"
                    + platforms.get(upn)));
    Map<String, String> actual = new TreeMap<>();
    long previous = Long.MAX_VALUE;
    for (List<String> row : answer("devices_per_owner", asOf())) {
      assertThat(row.get(0)).isEqualTo(tenant.tenantId());
      actual.put(
          row.get(2),
          String.join("|", row.get(4), row.get(5), row.get(6), row.get(7), row.get(8))
              .replace("'", ""));
      assertThat(Long.parseLong(row.get(5))).as("most first").isLessThanOrEqualTo(previous);
      previous = Long.parseLong(row.get(5));
    }
    assertThat(actual).isEqualTo(expected);
  }

  // ------------------------------------------------------------------ identity hygiene

  @Test
  void inactiveGuestsWithTheirInvitationState() throws Exception {
    Instant asOf = Instant.parse("2026-12-01T00:00:00Z");
    Instant cutoff = asOf.minus(Duration.ofDays(90));
    Map<String, String> expected = new TreeMap<>();
    for (int u = 0; u < tenant.scale().users(); u++) {
      Map<String, Object> user = tenant.people().user(u);
      if (!"Guest".equals(user.get("userType"))
          || !instant(user.get("createdDateTime")).isBefore(cutoff)) {
        continue;
      }
      Instant last = lastActivity(user);
      if (last == null || last.isBefore(cutoff)) {
        expected.put(
            (String) user.get("userPrincipalName"),
            user.get("externalUserState") + " " + (last == null));
      }
    }
    assertThat(expected).as("inactive guests in the demo tenant").isNotEmpty();
    Map<String, String> actual = new TreeMap<>();
    for (List<String> row :
        answer("inactive_guests", "SET VARIABLE as_of = TIMESTAMPTZ '" + asOf + "'")) {
      actual.put(row.get(1), row.get(4) + " " + row.get(8));
    }
    assertThat(actual).isEqualTo(expected);
  }

  private static Instant lastActivity(Map<String, Object> user) {
    Instant last = null;
    for (Object t : ((Map<?, ?>) user.get("signInActivity")).values()) {
      if (t instanceof String time && time.endsWith("Z")) {
        Instant i = instant(time);
        last = last == null || i.isAfter(last) ? i : last;
      }
    }
    return last;
  }

  @Test
  void enabledUsersWithoutMfaAdminsFirst() throws Exception {
    Map<String, String> expected = new TreeMap<>();
    for (int u = 0; u < tenant.scale().users(); u++) {
      Map<String, Object> user = tenant.people().user(u);
      Map<String, Object> r = tenant.people().registrationDetails(u);
      if (Boolean.TRUE.equals(user.get("accountEnabled"))
          && !Boolean.TRUE.equals(r.get("isMfaRegistered"))) {
        expected.put(
            (String) user.get("userPrincipalName"), user.get("userType") + " " + r.get("isAdmin"));
      }
    }
    assertThat(expected.values()).as("admins among them").anyMatch(v -> v.endsWith("true"));
    Map<String, String> actual = new TreeMap<>();
    boolean adminsDone = false;
    for (List<String> row : answer("users_without_mfa")) {
      actual.put(row.get(1), row.get(3) + " " + row.get(4));
      boolean admin = Boolean.parseBoolean(row.get(4));
      assertThat(admin && adminsDone).as("admins first").isFalse();
      adminsDone |= !admin;
    }
    assertThat(actual).isEqualTo(expected);
  }

  // ------------------------------------------------------------------ activity

  private List<Map<String, Object>> signIns() {
    List<Map<String, Object>> all = new ArrayList<>();
    for (int i = 0; i < tenant.scale().signIns(); i++) {
      all.add(tenant.logs().signIn(i));
    }
    return all;
  }

  private static String day(Object time) {
    return instant(time).atZone(ZoneOffset.UTC).toLocalDate().toString();
  }

  @Test
  @SuppressWarnings("unchecked")
  void signInFailuresPerDayCodeAppAndCountry() throws Exception {
    Map<String, List<Object>> groups = new TreeMap<>();
    for (Map<String, Object> s : signIns()) {
      Map<String, Object> status = (Map<String, Object>) s.get("status");
      int code = ((Number) status.get("errorCode")).intValue();
      if (code == 0) {
        continue;
      }
      String key =
          String.join(
              "|",
              day(s.get("createdDateTime")),
              Integer.toString(code),
              (String) status.get("failureReason"),
              (String) s.get("appDisplayName"),
              (String) ((Map<String, Object>) s.get("location")).get("countryOrRegion"));
      List<Object> g =
          groups.computeIfAbsent(key, k -> new ArrayList<>(List.of(0L, new HashSet<>())));
      g.set(0, (Long) g.get(0) + 1);
      ((Set<Object>) g.get(1)).add(s.get("userId"));
    }
    assertThat(groups).hasSizeGreaterThan(10);
    Map<String, String> expected = new TreeMap<>();
    groups.forEach((k, g) -> expected.put(k, g.get(0) + "|" + ((Set<?>) g.get(1)).size()));
    Map<String, String> actual = new TreeMap<>();
    for (List<String> row : answer("sign_in_failures_daily")) {
      assertThat(row.get(0)).isEqualTo(tenant.tenantId());
      actual.put(String.join("|", row.subList(1, 6)), row.get(6) + "|" + row.get(7));
    }
    assertThat(actual).isEqualTo(expected);
  }

  @Test
  @SuppressWarnings("unchecked")
  void riskySignInsAreThoseRatedAtRisk() throws Exception {
    Map<String, String> expected = new TreeMap<>();
    for (Map<String, Object> s : signIns()) {
      boolean rated =
          List.of("low", "medium", "high").contains(s.get("riskLevelDuringSignIn"))
              || List.of("low", "medium", "high").contains(s.get("riskLevelAggregated"))
              || List.of("atRisk", "confirmedCompromised").contains(s.get("riskState"));
      if (rated) {
        expected.put(
            (String) s.get("id"),
            String.join(
                "|",
                (String) s.get("userPrincipalName"),
                (String) s.get("appDisplayName"),
                (String) s.get("ipAddress"),
                (String) s.get("riskLevelDuringSignIn"),
                (String) s.get("riskState"),
                (String) s.get("riskDetail"),
                s.get("riskEventTypes").toString().replace(" ", "")));
      }
    }
    assertThat(expected).hasSizeGreaterThan(10);
    Map<String, String> actual = new TreeMap<>();
    for (List<String> row : answer("risky_sign_ins")) {
      actual.put(
          row.get(1),
          String.join(
              "|",
              row.get(3),
              row.get(4),
              row.get(5),
              row.get(7),
              row.get(9),
              row.get(10),
              row.get(11).replace(" ", "").replace("'", "")));
    }
    assertThat(actual).isEqualTo(expected);
  }

  @Test
  @SuppressWarnings("unchecked")
  void conditionalAccessFailuresPerDayAndPolicy() throws Exception {
    Map<String, long[]> counts = new TreeMap<>();
    Map<String, Set<Object>> users = new HashMap<>();
    Map<String, String> names = new HashMap<>();
    for (Map<String, Object> s : signIns()) {
      for (Map<String, Object> p :
          (List<Map<String, Object>>) s.get("appliedConditionalAccessPolicies")) {
        if ("failure".equals(p.get("result"))) {
          String key = day(s.get("createdDateTime")) + "|" + p.get("id");
          counts.computeIfAbsent(key, k -> new long[1])[0]++;
          users.computeIfAbsent(key, k -> new HashSet<>()).add(s.get("userId"));
          names.put((String) p.get("id"), (String) p.get("displayName"));
        }
      }
    }
    assertThat(counts).isNotEmpty();
    Map<String, String> expected = new TreeMap<>();
    counts.forEach(
        (k, c) ->
            expected.put(
                k,
                names.get(k.substring(k.indexOf('|') + 1))
                    + "|"
                    + c[0]
                    + "|"
                    + users.get(k).size()));
    Map<String, String> actual = new TreeMap<>();
    for (List<String> row : answer("conditional_access_failures")) {
      actual.put(row.get(1) + "|" + row.get(2), row.get(3) + "|" + row.get(4) + "|" + row.get(5));
    }
    assertThat(actual).isEqualTo(expected);
  }

  @Test
  @SuppressWarnings("unchecked")
  void privilegedRoleChangesNameWhoAddedWhomToWhichRole() throws Exception {
    Map<String, String> expected = new TreeMap<>();
    for (int i = 0; i < tenant.scale().directoryAudits(); i++) {
      Map<String, Object> a = tenant.logs().directoryAudit(i);
      String activity = (String) a.get("activityDisplayName");
      if (!"RoleManagement".equals(a.get("category")) || !activity.contains("member to role")) {
        continue;
      }
      Map<String, Object> by = (Map<String, Object>) a.get("initiatedBy");
      Map<String, Object> user = (Map<String, Object>) by.get("user");
      String actor =
          user != null
              ? (String) user.get("userPrincipalName")
              : (String) ((Map<String, Object>) by.get("app")).get("displayName");
      List<Map<String, Object>> targets = (List<Map<String, Object>>) a.get("targetResources");
      Map<String, Object> member = targets.get(0);
      Map<String, Object> role = targets.get(1);
      String roleName = null;
      for (int r = 0; r < tenant.roles().roleDefinitions(); r++) {
        if (tenant.roles().roleDefinition(r).get("id").equals(role.get("id"))) {
          roleName = (String) tenant.roles().roleDefinition(r).get("displayName");
        }
      }
      expected.put(
          (String) a.get("id"),
          String.join(
              "|",
              "added",
              (String) a.get("result"),
              actor,
              (String) member.get("type"),
              (String) member.get("id"),
              (String) member.get("userPrincipalName"),
              roleName,
              (String) role.get("id")));
    }
    assertThat(expected).hasSizeGreaterThan(5);
    Map<String, String> actual = new TreeMap<>();
    for (List<String> row : answer("privileged_role_changes")) {
      actual.put(
          row.get(11),
          String.join(
              "|",
              row.get(2),
              row.get(4),
              row.get(5),
              row.get(6),
              row.get(7),
              row.get(8),
              row.get(9),
              row.get(10)));
    }
    assertThat(actual).isEqualTo(expected);
  }

  /**
   * Walks group {@code g}'s nesting, adding "type/id" of each member at any depth but the group
   * itself; returns the depth reached and 1 when the walk came back to the group (a cycle).
   */
  private static int[] walk(int g, Set<String> members) {
    ArrayDeque<int[]> queue = new ArrayDeque<>();
    Set<String> seenGroups = new HashSet<>();
    String self = (String) tenant.groups().group(g).get("id");
    queue.add(new int[] {g, 0});
    seenGroups.add(self);
    int depth = 0;
    int cycle = 0;
    while (!queue.isEmpty()) {
      int[] next = queue.poll();
      for (int j = 0; j < tenant.groups().groupSize(next[0]); j++) {
        Map<String, Object> m = tenant.groups().member(next[0], j);
        String type = ((String) m.get("@odata.type")).replace("#microsoft.graph.", "");
        String id = (String) m.get("id");
        if (id.equals(self)) {
          cycle = 1;
        } else {
          members.add(type + "/" + id);
        }
        if (type.equals("group") && seenGroups.add(id)) {
          depth = Math.max(depth, next[1] + 1);
          queue.add(new int[] {tenant.groups().groupIndex(id), next[1] + 1});
        }
      }
    }
    return new int[] {depth, cycle};
  }
}
