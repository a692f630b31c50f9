package io.entrawarehouse.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The generated tenant: deterministic, realistically mixed, and consistent with its ground truth.
 */
class DemoTenantTest {

  static final Instant NOW = Instant.parse("2026-11-20T00:00:00Z");
  static final DemoTenant SMALL = new DemoTenant(42, TenantScale.SMALL, NOW, Duration.ofDays(7));

  private static <T> long count(int n, IntFunction<T> item, Predicate<T> p) {
    return IntStream.range(0, n).mapToObj(item).filter(p).count();
  }

  private static <T> Set<Object> distinct(int n, IntFunction<T> item, Function<T, Object> f) {
    Set<Object> values = new HashSet<>();
    IntStream.range(0, n).mapToObj(item).forEach(i -> values.add(f.apply(i)));
    return values;
  }

  @Test
  void theSameSeedGivesTheSameTenantAndAnotherSeedAnotherOne() {
    DemoTenant again = new DemoTenant(42, TenantScale.SMALL, NOW, Duration.ofDays(7));
    DemoTenant other = new DemoTenant(43, TenantScale.SMALL, NOW, Duration.ofDays(7));
    assertThat(again.people().user(17)).isEqualTo(SMALL.people().user(17));
    assertThat(again.logs().signIn(99)).isEqualTo(SMALL.logs().signIn(99));
    assertThat(again.groups().member(3, 0)).isEqualTo(SMALL.groups().member(3, 0));
    assertThat(GroundTruth.of(again)).isEqualTo(GroundTruth.of(SMALL));
    assertThat(other.people().user(17).get("id")).isNotEqualTo(SMALL.people().user(17).get("id"));
    assertThat(other.tenantId()).isNotEqualTo(SMALL.tenantId());
  }

  @Test
  void signInActivityAgreesWithTheSignInLogWhereTheyOverlap() {
    // Independently of the generator: each user's newest sign-in and newest successful one, from
    // the log itself.
    Map<String, Map<String, Object>> newest = new HashMap<>();
    Map<String, Map<String, Object>> newestSuccess = new HashMap<>();
    for (int i = 0; i < SMALL.scale().signIns(); i++) {
      Map<String, Object> s = SMALL.logs().signIn(i);
      String user = (String) s.get("userId");
      newest.merge(user, s, DemoTenantTest::later);
      if ((int) ((Map<?, ?>) s.get("status")).get("errorCode") == 0) {
        newestSuccess.merge(user, s, DemoTenantTest::later);
      }
    }
    int inLog = 0;
    int before = 0;
    int never = 0;
    for (int u = 0; u < SMALL.scale().users(); u++) {
      Map<String, Object> user = SMALL.people().user(u);
      Map<?, ?> activity = (Map<?, ?>) user.get("signInActivity");
      Map<String, Object> last = newest.get((String) user.get("id"));
      Object lastSignIn = activity.get("lastSignInDateTime");
      if (last != null) {
        inLog++;
        assertThat(lastSignIn).isEqualTo(inSeconds(last.get("createdDateTime")));
        assertThat(activity.get("lastSignInRequestId")).isEqualTo(last.get("id"));
      } else if (lastSignIn != null) {
        before++;
        assertThat(Instant.parse((String) lastSignIn)).isBefore(SMALL.oldestLog());
      } else {
        never++;
        assertThat(activity.get("lastSignInRequestId")).isNull();
      }
      Map<String, Object> success = newestSuccess.get((String) user.get("id"));
      String lastSuccess = (String) activity.get("lastSuccessfulSignInDateTime");
      if (success != null) {
        // The newest successful sign-in: the log's, unless a non-interactive one came later.
        Instant fromLog = Instant.parse(inSeconds(success.get("createdDateTime")));
        assertThat(Instant.parse(lastSuccess)).isAfterOrEqualTo(fromLog);
        if (Instant.parse(lastSuccess).equals(fromLog)) {
          assertThat(activity.get("lastSuccessfulSignInRequestId")).isEqualTo(success.get("id"));
        } else {
          assertThat(lastSuccess).isEqualTo(activity.get("lastNonInteractiveSignInDateTime"));
        }
      }
      if (lastSuccess.isEmpty()) {
        // Graph's "never", as Microsoft's example shows it.
        assertThat(activity.get("lastSuccessfulSignInRequestId")).isEqualTo("");
      }
    }
    assertThat(inLog).isGreaterThan(SMALL.scale().users() / 2);
    assertThat(before).isGreaterThan(10);
    assertThat(never).isGreaterThan(10);
  }

  private static Map<String, Object> later(Map<String, Object> a, Map<String, Object> b) {
    return ((String) a.get("createdDateTime")).compareTo((String) b.get("createdDateTime")) >= 0
        ? a
        : b;
  }

  /** A sign-in's 7-digit time as signInActivity gives it, to the second. */
  private static String inSeconds(Object time) {
    return OffsetDateTime.parse((String) time)
        .toInstant()
        .truncatedTo(ChronoUnit.SECONDS)
        .toString();
  }

  @Test
  void usersAreARealisticMix() {
    int n = SMALL.scale().users();
    IntFunction<Map<String, Object>> user = SMALL.people()::user;
    assertThat(count(n, user, u -> "Guest".equals(u.get("userType")))).isBetween(50L, 120L);
    assertThat(count(n, user, u -> Boolean.FALSE.equals(u.get("accountEnabled"))))
        .isBetween(50L, 150L);
    assertThat(count(n, user, u -> Boolean.TRUE.equals(u.get("onPremisesSyncEnabled"))))
        .isBetween(250L, 400L);
    assertThat(count(n, user, u -> !((List<?>) u.get("assignedLicenses")).isEmpty()))
        .isBetween(500L, 800L);
    assertThat(count(n, user, u -> !((String) u.get("displayName")).chars().allMatch(c -> c < 128)))
        .isGreaterThan(100L);
    assertThat(count(n, user, u -> u.get("jobTitle") == null)).isGreaterThan(50L);
    assertThat(count(n, user, u -> u.get("mail") == null)).isGreaterThan(10L);
    assertThat(distinct(n, user, u -> u.get("userPrincipalName"))).hasSize(n);
  }

  @Test
  void groupsCoverEveryKindAndMembershipsAddUp() {
    int groups = SMALL.scale().groups();
    assertThat(distinct(groups, SMALL.groups()::groupType, t -> t))
        .containsExactlyInAnyOrder((Object[]) DemoTenant.GroupType.values());
    assertThat(
            count(
                groups,
                SMALL.groups()::group,
                g -> ((List<?>) g.get("groupTypes")).contains("Unified")))
        .isPositive();
    assertThat(
            count(
                groups,
                SMALL.groups()::group,
                g -> ((List<?>) g.get("groupTypes")).contains("DynamicMembership")))
        .isPositive();
    assertThat(count(groups, SMALL.groups()::group, g -> g.get("membershipRule") != null))
        .isPositive();

    long total = 0;
    Set<Object> memberTypes = new HashSet<>();
    int backwards = 0;
    for (int g = 0; g < groups; g++) {
      String groupId = (String) SMALL.groups().group(g).get("id");
      Set<String> ids = new HashSet<>();
      for (int j = 0; j < SMALL.groups().groupSize(g); j++) {
        Map<String, Object> member = SMALL.groups().member(g, j);
        assertThat(member.get("id")).isEqualTo(SMALL.groups().memberId(g, j)).isNotEqualTo(groupId);
        ids.add(SMALL.groups().memberId(g, j));
        memberTypes.add(member.get("@odata.type"));
        if ("#microsoft.graph.group".equals(member.get("@odata.type"))
            && SMALL.groups().groupIndex((String) member.get("id")) < g) {
          // Nesting points to later groups, but for the one edge that closes the tenant's
          // membership cycle: that earlier group holds this one, directly.
          backwards++;
          int earlier = SMALL.groups().groupIndex((String) member.get("id"));
          assertThat(
                  IntStream.range(0, SMALL.groups().groupSize(earlier))
                      .mapToObj(k -> SMALL.groups().memberId(earlier, k)))
              .contains(groupId);
        }
      }
      assertThat(ids).hasSize(SMALL.groups().groupSize(g));
      total += ids.size();
    }
    assertThat(backwards).as("one membership cycle").isEqualTo(1);
    assertThat(total)
        .isEqualTo(SMALL.groups().memberships())
        .isEqualTo(SMALL.scale().memberships());
    assertThat(memberTypes)
        .containsExactlyInAnyOrder(
            "#microsoft.graph.user",
            "#microsoft.graph.group",
            "#microsoft.graph.device",
            "#microsoft.graph.servicePrincipal");
  }

  @Test
  void devicesVaryInPlatformTrustManagementOwnershipAndStaleness() {
    int n = SMALL.scale().devices();
    IntFunction<Map<String, Object>> device = SMALL.devices()::device;
    assertThat(distinct(n, device, d -> d.get("operatingSystem")).size()).isGreaterThanOrEqualTo(5);
    assertThat(distinct(n, device, d -> d.get("trustType")))
        .containsExactlyInAnyOrder("AzureAd", "ServerAd", "Workplace");
    assertThat(distinct(n, device, d -> d.get("isManaged"))).contains(true, null);
    assertThat(distinct(n, device, d -> d.get("deviceOwnership"))).contains("Company", "Personal");
    Instant staleBefore = NOW.minus(Duration.ofDays(90));
    assertThat(
            count(
                n,
                device,
                d ->
                    OffsetDateTime.parse((String) d.get("approximateLastSignInDateTime"))
                        .toInstant()
                        .isBefore(staleBefore)))
        .isBetween(40L, 160L);
  }

  @Test
  void signInsCarryFailuresConditionalAccessLocationsAndRisk() {
    int n = SMALL.scale().signIns();
    IntFunction<Map<String, Object>> signIn = SMALL.logs()::signIn;
    assertThat(distinct(n, signIn, s -> ((Map<?, ?>) s.get("status")).get("errorCode")))
        .contains(0, 50126, 50053, 50074, 53003);
    assertThat(distinct(n, signIn, s -> s.get("conditionalAccessStatus")))
        .containsExactlyInAnyOrder("success", "failure", "notApplied");
    assertThat(
            count(n, signIn, s -> !((List<?>) s.get("appliedConditionalAccessPolicies")).isEmpty()))
        .isPositive();
    assertThat(
            distinct(n, signIn, s -> ((Map<?, ?>) s.get("location")).get("countryOrRegion")).size())
        .isGreaterThan(5);
    assertThat(count(n, signIn, s -> !"none".equals(s.get("riskLevelDuringSignIn")))).isPositive();
    assertThat(
            count(n, signIn, s -> !"".equals(((Map<?, ?>) s.get("deviceDetail")).get("deviceId"))))
        .isPositive();
  }

  @Test
  void auditsComeFromSeveralServicesWithInitiatorsAndChanges() {
    int n = SMALL.scale().directoryAudits();
    IntFunction<Map<String, Object>> audit = SMALL.logs()::directoryAudit;
    assertThat(distinct(n, audit, a -> a.get("loggedByService")).size()).isGreaterThanOrEqualTo(5);
    assertThat(distinct(n, audit, a -> a.get("category")).size()).isGreaterThanOrEqualTo(4);
    assertThat(count(n, audit, a -> ((Map<?, ?>) a.get("initiatedBy")).get("app") != null))
        .isPositive();
    assertThat(count(n, audit, a -> ((Map<?, ?>) a.get("initiatedBy")).get("user") != null))
        .isPositive();
    assertThat(
            count(
                n,
                audit,
                a ->
                    !((List<?>)
                            ((Map<?, ?>) ((List<?>) a.get("targetResources")).get(0))
                                .get("modifiedProperties"))
                        .isEmpty()))
        .isPositive();
    assertThat(distinct(n, audit, a -> a.get("id"))).hasSize(n);
  }

  @Test
  void logsAreNewestFirstInsideTheLogWindow() {
    Instant previous = NOW;
    for (int i = 0; i < SMALL.scale().signIns(); i++) {
      Instant t =
          OffsetDateTime.parse((String) SMALL.logs().signIn(i).get("createdDateTime")).toInstant();
      assertThat(t).isBefore(previous).isAfterOrEqualTo(NOW.minus(Duration.ofDays(7)));
      previous = t;
    }
  }

  @Test
  void groundTruthCountsMatchTheScaleAndTheChecksumSeesOneMissingId() {
    Map<String, GroundTruth.Entity> truth = GroundTruth.of(SMALL);
    assertThat(truth.get("/users").count()).isEqualTo(1000);
    assertThat(truth.get("group_members").count()).isEqualTo(8000);
    assertThat(truth.get("/auditLogs/signIns").count()).isEqualTo(5000);
    long withoutLast = 0;
    for (int u = 0; u < 999; u++) {
      withoutLast += Hashing.idChecksumTerm((String) SMALL.people().user(u).get("id"));
    }
    assertThat(withoutLast).isNotEqualTo(truth.get("/users").checksum());
    assertThat(withoutLast + Hashing.idChecksumTerm((String) SMALL.people().user(999).get("id")))
        .isEqualTo(truth.get("/users").checksum());
  }

  @Test
  void theLargeScaleIsPlannedWithoutGeneratingItsObjects() {
    DemoTenant large = new DemoTenant(42, TenantScale.LARGE, NOW, Duration.ofDays(7));
    assertThat(large.groups().memberships()).isEqualTo(1_000_000);
    assertThat(large.logs().signIn(999_999).get("id")).isNotNull();
  }
}
