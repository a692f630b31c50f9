package io.entrawarehouse.simulator;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Everything that shapes one simulator: the tenant, its app registration, the query limits, the
 * throttling and the faults. Immutable; build it with {@link #builder()}.
 */
public record SimulatorSettings(
    long seed,
    TenantScale scale,
    Instant tenantNow,
    Duration logSpan,
    int port,
    String clientSecret,
    boolean clientSecretExpired,
    String userPassword,
    List<X509Certificate> clientCertificates,
    Set<String> grantedPermissions,
    boolean premium,
    boolean p2,
    Duration tokenLifetime,
    Duration skipTokenLifetime,
    boolean throttling,
    double timeScale,
    int resourceUnitsPerWindow,
    int reportsPerWindow,
    double throttleWithoutRetryAfterRatio,
    Duration latencyPerPage,
    Duration latencyPerItem,
    List<FaultRule> faults,
    String graphHost,
    boolean opaqueTokens,
    Clock clock,
    double changeRate,
    int day) {

  /** The secret of the demo tenant's app registration, documented in the README. */
  public static final String DEMO_CLIENT_SECRET = "entra-warehouse-demo-secret";

  /** The password of every enabled member user of the demo tenant. */
  public static final String DEMO_USER_PASSWORD = "entra-warehouse-demo-password";

  /** What an app registration for this product is normally granted. */
  public static final Set<String> DEFAULT_PERMISSIONS =
      Set.of(
          "User.Read.All",
          "GroupMember.Read.All",
          "Device.Read.All",
          "AuditLog.Read.All",
          "Directory.Read.All",
          "Application.Read.All",
          "RoleManagement.Read.Directory",
          "Policy.Read.All");

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.seed = seed;
    b.scale = scale;
    b.tenantNow = tenantNow;
    b.logSpan = logSpan;
    b.port = port;
    b.clientSecret = clientSecret;
    b.clientSecretExpired = clientSecretExpired;
    b.userPassword = userPassword;
    b.clientCertificates = new ArrayList<>(clientCertificates);
    b.grantedPermissions = new LinkedHashSet<>(grantedPermissions);
    b.premium = premium;
    b.p2 = p2;
    b.tokenLifetime = tokenLifetime;
    b.skipTokenLifetime = skipTokenLifetime;
    b.throttling = throttling;
    b.timeScale = timeScale;
    b.resourceUnitsPerWindow = resourceUnitsPerWindow;
    b.reportsPerWindow = reportsPerWindow;
    b.throttleWithoutRetryAfterRatio = throttleWithoutRetryAfterRatio;
    b.latencyPerPage = latencyPerPage;
    b.latencyPerItem = latencyPerItem;
    b.faults = new ArrayList<>(faults);
    b.graphHost = graphHost;
    b.opaqueTokens = opaqueTokens;
    b.clock = clock;
    b.changeRate = changeRate;
    b.day = day;
    return b;
  }

  @Override
  public String toString() {
    // Never print the secret or the password.
    return "SimulatorSettings[seed=" + seed + ", scale=" + scale.name() + ", port=" + port + "]";
  }

  /** Collects settings; {@link #build()} checks them and names any bad value. */
  public static final class Builder {
    private long seed = 42;
    private TenantScale scale = TenantScale.TINY;
    private Instant tenantNow;
    private Duration logSpan = Duration.ofDays(7);
    private int port;
    private String clientSecret = DEMO_CLIENT_SECRET;
    private boolean clientSecretExpired;
    private String userPassword = DEMO_USER_PASSWORD;
    private List<X509Certificate> clientCertificates = new ArrayList<>();
    private Set<String> grantedPermissions = new LinkedHashSet<>(DEFAULT_PERMISSIONS);
    private boolean premium = true;
    private boolean p2 = true;
    private Duration tokenLifetime = Duration.ofSeconds(3599);
    private Duration skipTokenLifetime = Duration.ofHours(1);
    private boolean throttling = true;
    private double timeScale = 1.0;
    private int resourceUnitsPerWindow;
    private int reportsPerWindow = 5;
    private double throttleWithoutRetryAfterRatio;
    private Duration latencyPerPage = Duration.ZERO;
    private Duration latencyPerItem = Duration.ZERO;
    private List<FaultRule> faults = new ArrayList<>();
    private String graphHost = "graph.microsoft.com";
    private boolean opaqueTokens;
    private Clock clock = Clock.systemUTC();
    private double changeRate = 0.01;
    private int day;

    /** The share of users, groups and devices changed on each day after day 0. */
    public Builder changeRate(double changeRate) {
      this.changeRate = changeRate;
      return this;
    }

    /** The day the tenant starts at: 0 as generated, then one day of changes more per day. */
    public Builder day(int day) {
      this.day = day;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder scale(TenantScale scale) {
      this.scale = scale;
      return this;
    }

    /** The tenant's fixed "now"; by default midnight UTC of the current day. */
    public Builder tenantNow(Instant tenantNow) {
      this.tenantNow = tenantNow;
      return this;
    }

    public Builder logSpan(Duration logSpan) {
      this.logSpan = logSpan;
      return this;
    }

    /** The loopback port; 0 picks a free one. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public Builder clientSecret(String clientSecret) {
      this.clientSecret = clientSecret;
      return this;
    }

    public Builder clientSecretExpired(boolean expired) {
      this.clientSecretExpired = expired;
      return this;
    }

    public Builder userPassword(String userPassword) {
      this.userPassword = userPassword;
      return this;
    }

    /** Registers a certificate whose key may sign client assertions. */
    public Builder clientCertificate(X509Certificate certificate) {
      this.clientCertificates.add(certificate);
      return this;
    }

    public Builder grantedPermissions(Set<String> permissions) {
      this.grantedPermissions = new LinkedHashSet<>(permissions);
      return this;
    }

    public Builder deny(String permission) {
      this.grantedPermissions.remove(permission);
      return this;
    }

    /** Whether the tenant has Entra ID P1/P2: sign-ins and 30-day retention need it. */
    public Builder premium(boolean premium) {
      this.premium = premium;
      return this;
    }

    /** Whether the tenant has Entra ID P2 (with P1): PIM's eligibility schedules need it. */
    public Builder p2(boolean p2) {
      this.p2 = p2;
      return this;
    }

    public Builder tokenLifetime(Duration tokenLifetime) {
      this.tokenLifetime = tokenLifetime;
      return this;
    }

    public Builder skipTokenLifetime(Duration skipTokenLifetime) {
      this.skipTokenLifetime = skipTokenLifetime;
      return this;
    }

    public Builder throttling(boolean throttling) {
      this.throttling = throttling;
      return this;
    }

    /** Multiplies every throttling window: 0.1 makes the 10 s windows last 1 s. */
    public Builder timeScale(double timeScale) {
      this.timeScale = timeScale;
      return this;
    }

    /** Resource units per window; 0 means the documented figure for the tenant's size. */
    public Builder resourceUnitsPerWindow(int units) {
      this.resourceUnitsPerWindow = units;
      return this;
    }

    public Builder reportsPerWindow(int requests) {
      this.reportsPerWindow = requests;
      return this;
    }

    /** The share of 429 responses sent without a Retry-After header, from 0 to 1. */
    public Builder throttleWithoutRetryAfterRatio(double ratio) {
      this.throttleWithoutRetryAfterRatio = ratio;
      return this;
    }

    public Builder latency(Duration perPage, Duration perItem) {
      this.latencyPerPage = perPage;
      this.latencyPerItem = perItem;
      return this;
    }

    public Builder fault(FaultRule rule) {
      this.faults.add(rule);
      return this;
    }

    public Builder fault(String spec) {
      return fault(FaultRule.parse(spec));
    }

    /** The Graph host whose "/.default" scope tokens are issued for. */
    public Builder graphHost(String graphHost) {
      this.graphHost = graphHost;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    public SimulatorSettings build() {
      check(port >= 0 && port <= 65_535, "port must be between 0 and 65535, got " + port);
      check(scale != null, "a scale is required");
      check(!logSpan.isNegative() && !logSpan.isZero(), "logSpan must be positive, got " + logSpan);
      check(clientSecret != null && !clientSecret.isEmpty(), "a client secret is required");
      check(
          changeRate >= 0 && changeRate <= 0.5,
          "changeRate must be between 0 and 0.5, got " + changeRate);
      check(day >= 0, "day must not be negative, got " + day);
      check(timeScale > 0, "timeScale must be positive, got " + timeScale);
      check(reportsPerWindow >= 1, "reportsPerWindow must be at least 1, got " + reportsPerWindow);
      check(resourceUnitsPerWindow >= 0, "resourceUnitsPerWindow must not be negative");
      check(
          throttleWithoutRetryAfterRatio >= 0 && throttleWithoutRetryAfterRatio <= 1,
          "throttleWithoutRetryAfterRatio must be between 0 and 1, got "
              + throttleWithoutRetryAfterRatio);
      check(
          !tokenLifetime.isNegative() && !tokenLifetime.isZero(),
          "tokenLifetime must be positive, got " + tokenLifetime);
      check(
          !skipTokenLifetime.isNegative() && !skipTokenLifetime.isZero(),
          "skipTokenLifetime must be positive, got " + skipTokenLifetime);
      check(
          !latencyPerPage.isNegative() && !latencyPerItem.isNegative(),
          "latencies must not be negative");
      Instant now =
          tenantNow != null
              ? tenantNow
              : LocalDate.now(clock.withZone(ZoneOffset.UTC))
                  .atStartOfDay(ZoneOffset.UTC)
                  .toInstant();
      int units =
          resourceUnitsPerWindow > 0
              ? resourceUnitsPerWindow
              : Throttler.resourceUnitsFor(scale.users());
      return new SimulatorSettings(
          seed,
          scale,
          now,
          logSpan,
          port,
          clientSecret,
          clientSecretExpired,
          userPassword,
          List.copyOf(clientCertificates),
          Set.copyOf(grantedPermissions),
          premium,
          premium && p2,
          tokenLifetime,
          skipTokenLifetime,
          throttling,
          timeScale,
          units,
          reportsPerWindow,
          throttleWithoutRetryAfterRatio,
          latencyPerPage,
          latencyPerItem,
          List.copyOf(faults),
          graphHost,
          opaqueTokens,
          clock,
          changeRate,
          day);
    }

    /**
     * Access tokens whose claims are encrypted, as Microsoft may issue them: clients must treat
     * access tokens as opaque.
     */
    public Builder opaqueTokens(boolean opaque) {
      this.opaqueTokens = opaque;
      return this;
    }

    private static void check(boolean ok, String message) {
      if (!ok) {
        throw new IllegalArgumentException(message);
      }
    }
  }
}
