package io.entrawarehouse.simulator;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.function.LongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * A Microsoft Graph v1.0 and Entra ID token endpoint on loopback, serving a {@link DemoTenant}.
 *
 * <p>It serves HTTPS only, with a bundled self-signed certificate for 127.0.0.1 and localhost (MSAL
 * refuses an http authority); clients trust it through {@link #clientSslContext()} or the PEM from
 * {@link #certificatePem()}. Behaviour follows Microsoft's documentation: paging with absolute
 * {@code @odata.nextLink} and opaque skiptokens that expire, {@code $top}/{@code $select}/{@code
 * $filter}/{@code $count} with the advanced-query rules, log retention, throttling with resource
 * units, and Graph's error JSON. Faults and latency are injected as configured.
 *
 * <p>Thread-safe: requests are served concurrently. Close it to stop the server.
 */
public final class GraphSimulator implements AutoCloseable {

  static {
    // Without TCP_NODELAY small responses wait ~40 ms on Nagle plus delayed ACKs: measured
    // 2.7k member pages in 100 s before, idle CPU. Read once when the JDK server first loads.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  private static final JsonFactory JSON = new JsonFactory();
  private static final String JSON_TYPE =
      "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";
  private static final String KEYSTORE_PASSWORD = "simulator";
  private static final String DEMO_APP_PASSWORD = "demo-app";

  private final SimulatorSettings settings;
  private final DemoTenant tenant;
  private final RequestLog log = new RequestLog();
  private final TokenService tokens;
  private final Throttler throttler;
  private final HttpsServer server;
  private final ExecutorService executor;
  private final SSLContext serverSsl;
  private final X509Certificate serverCertificate;
  private final Map<String, AtomicLong> pageCounters = new ConcurrentHashMap<>();
  private final Map<String, Long> countCache = new ConcurrentHashMap<>();
  private final SplittableRandom faultRandom;
  private final SplittableRandom throttleRandom;
  private final Map<GraphCollection, Set<String>> knownProperties = new LinkedHashMap<>();

  private GraphSimulator(SimulatorSettings settings) throws IOException {
    this.settings = withDemoCertificate(settings);
    this.tenant = DemoTenant.of(settings);
    this.tokens = new TokenService(this.settings, tenant, log);
    this.throttler =
        new Throttler(
            settings.timeScale(), settings.resourceUnitsPerWindow(), settings.reportsPerWindow());
    this.faultRandom = new SplittableRandom(settings.seed() ^ 0xfa17L);
    this.throttleRandom = new SplittableRandom(settings.seed() ^ 0x429L);
    KeyStore keyStore = loadKeyStore("localhost.p12", KEYSTORE_PASSWORD);
    try {
      this.serverCertificate = (X509Certificate) keyStore.getCertificate("simulator");
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keyStore, KEYSTORE_PASSWORD.toCharArray());
      this.serverSsl = SSLContext.getInstance("TLS");
      serverSsl.init(kmf.getKeyManagers(), null, null);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the bundled simulator certificate cannot be loaded", e);
    }
    knownProperties.put(Catalog.USERS, tenant.user(0).keySet());
    knownProperties.put(Catalog.GROUPS, tenant.group(0).keySet());
    knownProperties.put(Catalog.DEVICES, tenant.device(0).keySet());
    knownProperties.put(Catalog.SERVICE_PRINCIPALS, tenant.servicePrincipal(0).keySet());
    knownProperties.put(Catalog.SUBSCRIBED_SKUS, DemoTenant.SUBSCRIBED_SKU_PROPERTIES);
    knownProperties.put(Catalog.APPLICATIONS, tenant.application(0).keySet());
    knownProperties.put(Catalog.ROLE_DEFINITIONS, tenant.roleDefinition(0).keySet());
    knownProperties.put(Catalog.APP_ROLE_ASSIGNED_TO, tenant.appRoleAssignment(0, 0).keySet());
    knownProperties.put(
        Catalog.CONDITIONAL_ACCESS_POLICIES, tenant.conditionalAccessPolicy(0).keySet());
    knownProperties.put(Catalog.REGISTRATION_DETAILS, tenant.registrationDetails(0).keySet());
    knownProperties.put(Catalog.ROLE_ASSIGNMENTS, tenant.roleAssignment(0).keySet());
    knownProperties.put(
        Catalog.ROLE_ELIGIBILITY_SCHEDULES, tenant.roleEligibilitySchedule(0).keySet());
    knownProperties.put(Catalog.SIGN_INS, tenant.signIn(0).keySet());
    knownProperties.put(Catalog.DIRECTORY_AUDITS, tenant.directoryAudit(0).keySet());
    Set<String> memberProperties = new LinkedHashSet<>(DemoTenant.USER_DEFAULTS);
    memberProperties.addAll(tenant.group(0).keySet());
    memberProperties.addAll(tenant.device(0).keySet());
    memberProperties.addAll(tenant.servicePrincipal(0).keySet());
    knownProperties.put(Catalog.MEMBERS, memberProperties);
    knownProperties.put(Catalog.TRANSITIVE_MEMBERS, memberProperties);
    knownProperties.put(Catalog.MEMBER_OF, memberProperties);

    this.server =
        HttpsServer.create(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), settings.port()), 128);
    server.setHttpsConfigurator(new HttpsConfigurator(serverSsl));
    AtomicInteger threads = new AtomicInteger();
    this.executor =
        Executors.newFixedThreadPool(
            16,
            r -> {
              Thread t = new Thread(r, "graph-simulator-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** Starts a simulator; it listens on 127.0.0.1 until closed. */
  public static GraphSimulator start(SimulatorSettings settings) {
    try {
      return new GraphSimulator(settings);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "the simulator cannot listen on 127.0.0.1:" + settings.port() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  // ---------------------------------------------------------------- what clients need

  public DemoTenant tenant() {
    return tenant;
  }

  public SimulatorSettings settings() {
    return settings;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** The login host, as an authority host: {@code https://127.0.0.1:PORT}. */
  public URI authorityHost() {
    return URI.create("https://127.0.0.1:" + port());
  }

  /** The MSAL authority for the demo tenant: {@code https://127.0.0.1:PORT/{tenantId}/}. */
  public URI authority() {
    return URI.create(authorityHost() + "/" + tenant.tenantId() + "/");
  }

  public URI tokenUrl() {
    return URI.create(authority() + "oauth2/v2.0/token");
  }

  /** The Graph base URL: {@code https://127.0.0.1:PORT/v1.0}. */
  public URI graphBaseUrl() {
    return URI.create(authorityHost() + "/v1.0");
  }

  public String tenantId() {
    return tenant.tenantId();
  }

  /** The confidential client's application (client) id. */
  public String clientId() {
    return tokens.clientId();
  }

  /** A public client's id, for the password grant. */
  public String publicClientId() {
    return tokens.publicClientId();
  }

  /** The scope a client-credentials request asks for. */
  public String scope() {
    return "https://" + settings.graphHost() + "/.default";
  }

  public RequestLog.Snapshot stats() {
    return log.snapshot();
  }

  public X509Certificate certificate() {
    return serverCertificate;
  }

  /** The server certificate as PEM, for a client's trust store. */
  public String certificatePem() {
    try {
      return "-----BEGIN CERTIFICATE-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
              .encodeToString(serverCertificate.getEncoded())
          + "\n-----END CERTIFICATE-----\n";
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the simulator certificate cannot be encoded", e);
    }
  }

  /** An SSL context that trusts this simulator and nothing else. */
  public SSLContext clientSslContext() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {clientTrustManager()}, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot build a trust store for the simulator", e);
    }
  }

  /** A trust manager that trusts this simulator's certificate and nothing else. */
  public X509TrustManager clientTrustManager() {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("entra-warehouse-simulator", serverCertificate);
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      return (X509TrustManager) tmf.getTrustManagers()[0];
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build a trust store for the simulator", e);
    }
  }

  /** The demo app's certificate credential (always registered), for certificate-auth demos. */
  public static DemoCertificate demoAppCertificate() {
    KeyStore store = loadKeyStore("demo-app.p12", DEMO_APP_PASSWORD);
    try {
      return new DemoCertificate(
          (PrivateKey) store.getKey("demo-app", DEMO_APP_PASSWORD.toCharArray()),
          (X509Certificate) store.getCertificate("demo-app"));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the bundled demo app certificate cannot be loaded", e);
    }
  }

  /** A private key and its certificate. */
  public record DemoCertificate(PrivateKey privateKey, X509Certificate certificate) {}

  private static SimulatorSettings withDemoCertificate(SimulatorSettings settings) {
    X509Certificate demo = demoAppCertificate().certificate();
    if (settings.clientCertificates().contains(demo)) {
      return settings;
    }
    return settings.toBuilder().clientCertificate(demo).build();
  }

  private static KeyStore loadKeyStore(String resource, String password) {
    try (InputStream in = GraphSimulator.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing bundled resource " + resource);
      }
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, password.toCharArray());
      return store;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot load bundled key store " + resource, e);
    }
  }

  // ---------------------------------------------------------------- dispatch

  private void handle(HttpExchange exchange) throws IOException {
    String requestId = UUID.randomUUID().toString();
    String clientRequestId = exchange.getRequestHeaders().getFirst("client-request-id");
    if (clientRequestId == null) {
      clientRequestId = requestId;
    }
    try {
      String path = exchange.getRequestURI().getRawPath();
      String method = exchange.getRequestMethod();
      if (path.startsWith("/v1.0/")) {
        if (!method.equals("GET")) {
          throw new GraphError(
              405, "Request_BadRequest", "The simulator serves GET requests only.");
        }
        log.enter();
        try {
          graph(exchange, path.substring("/v1.0".length()), requestId, clientRequestId);
        } finally {
          log.exit();
        }
      } else if (path.matches("/[^/]+/oauth2/v2\\.0/token") && method.equals("POST")) {
        token(exchange, path.substring(1, path.indexOf('/', 1)));
      } else if (path.matches("/[^/]+/v2\\.0/\\.well-known/openid-configuration")) {
        openIdConfiguration(exchange, path.substring(1, path.indexOf('/', 1)));
      } else if (path.startsWith("/common/userrealm/")) {
        userRealm(
            exchange,
            URLDecoder.decode(
                path.substring("/common/userrealm/".length()), StandardCharsets.UTF_8));
      } else if (path.equals("/_simulator/stats")) {
        stats(exchange);
      } else if (path.equals("/_simulator/day") && method.equals("POST")) {
        Map<String, String> params = parseQuery(exchange.getRequestURI().getRawQuery());
        int day =
            params.containsKey("set")
                ? Integer.parseInt(params.get("set"))
                : tenant.day() + Integer.parseInt(params.getOrDefault("advance", "1"));
        day(day);
        send(
            exchange,
            200,
            JSON_TYPE,
            writeJson(g -> writeValue(g, Map.of("day", tenant.day()))),
            Map.of());
      } else if (path.equals("/_simulator/expire-delta-tokens") && method.equals("POST")) {
        expireDeltaTokens();
        send(exchange, 204, JSON_TYPE, new byte[0], Map.of());
      } else {
        throw GraphError.badRequest("Resource not found for the segment '" + path + "'.");
      }
    } catch (GraphError e) {
      sendError(exchange, e, requestId, clientRequestId);
    } catch (ConnectionReset e) {
      // Escaping the handler makes the server drop the connection, whatever was sent so far.
      throw e;
    } catch (RuntimeException e) {
      sendError(
          exchange,
          new GraphError(500, "InternalServerError", "Simulator failure: " + e),
          requestId,
          clientRequestId);
    }
    exchange.close();
  }

  /** Thrown to drop the connection without answering, as a reset would. */
  private static final class ConnectionReset extends RuntimeException {
    ConnectionReset() {
      super("simulated connection reset", null, false, false);
    }
  }

  private void token(HttpExchange exchange, String tenantSegment) throws IOException {
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    Map<String, String> form = parseQuery(body);
    log.request("token");
    TokenService.Response response = tokens.token(tenantSegment, form, tokenUrl().toString());
    byte[] json = writeJson(g -> writeValue(g, response.body()));
    // Entra echoes the caller's client-request-id; MSAL logs a mismatch when it does not.
    String correlation = exchange.getRequestHeaders().getFirst("client-request-id");
    send(
        exchange,
        response.status(),
        "application/json; charset=utf-8",
        json,
        correlation == null ? Map.of() : Map.of("client-request-id", correlation));
  }

  private void openIdConfiguration(HttpExchange exchange, String tenantSegment) throws IOException {
    String base = authorityHost() + "/" + tenantSegment;
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("token_endpoint", base + "/oauth2/v2.0/token");
    doc.put(
        "token_endpoint_auth_methods_supported",
        List.of("client_secret_post", "private_key_jwt", "client_secret_basic"));
    doc.put("authorization_endpoint", base + "/oauth2/v2.0/authorize");
    doc.put("device_authorization_endpoint", base + "/oauth2/v2.0/devicecode");
    doc.put("issuer", authorityHost() + "/" + tenant.tenantId() + "/v2.0");
    doc.put("tenant_region_scope", "WW");
    byte[] json = writeJson(g -> writeValue(g, doc));
    send(exchange, 200, "application/json; charset=utf-8", json, Map.of());
  }

  /** Home realm discovery, which MSAL calls before a password grant: every account is managed. */
  private void userRealm(HttpExchange exchange, String username) throws IOException {
    boolean ours = username.toLowerCase(Locale.ROOT).endsWith("@" + tenant.domain());
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("ver", "1.0");
    doc.put("account_type", ours ? "Managed" : "Unknown");
    if (ours) {
      doc.put("domain_name", tenant.domain());
      doc.put("cloud_instance_name", "microsoftonline.com");
      doc.put("cloud_audience_urn", "urn:federation:MicrosoftOnline");
    }
    byte[] json = writeJson(g -> writeValue(g, doc));
    send(exchange, 200, "application/json; charset=utf-8", json, Map.of());
  }

  private void stats(HttpExchange exchange) throws IOException {
    RequestLog.Snapshot s = log.snapshot();
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("requests", s.requests());
    doc.put("throttled", s.throttled());
    doc.put("throttledWithoutRetryAfter", s.throttledWithoutRetryAfter());
    doc.put("faults", s.faults());
    doc.put("resourceUnits", s.resourceUnits());
    doc.put("tokensIssued", s.tokensIssued());
    doc.put("maxGraphRequestsInFlight", s.maxGraphRequestsInFlight());
    long used = 0;
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        used += pool.getUsage().getUsed();
        peak += pool.getPeakUsage().getUsed();
      }
    }
    doc.put("heapUsedBytes", used);
    doc.put("heapPeakBytes", peak);
    doc.put("heapMaxBytes", Runtime.getRuntime().maxMemory());
    byte[] json = writeJson(g -> writeValue(g, doc));
    send(exchange, 200, "application/json; charset=utf-8", json, Map.of());
  }

  // ---------------------------------------------------------------- Graph

  /** Where a request's items come from: a size and an item generator. */
  private interface Source {
    long size();

    Map<String, Object> item(long index);
  }

  private record Route(GraphCollection collection, Source source, String path, boolean countOnly) {}

  private Route route(String path) {
    String[] segments = path.substring(1).split("/");
    boolean countOnly = segments[segments.length - 1].equals("$count");
    int n = countOnly ? segments.length - 1 : segments.length;
    String shape = String.join("/", List.of(segments).subList(0, n));
    TenantScale scale = tenant.scale();
    if (shape.equals("users")) {
      int[] users = tenant.alive(DemoTenant.USER);
      return new Route(
          Catalog.USERS, source(users.length, i -> tenant.user(users[(int) i])), path, countOnly);
    }
    if (shape.equals("groups")) {
      int[] groups = tenant.alive(DemoTenant.GROUP);
      return new Route(
          Catalog.GROUPS,
          source(groups.length, i -> tenant.group(groups[(int) i])),
          path,
          countOnly);
    }
    if (shape.equals("devices")) {
      int[] devices = tenant.alive(DemoTenant.DEVICE);
      return new Route(
          Catalog.DEVICES,
          source(devices.length, i -> tenant.device(devices[(int) i])),
          path,
          countOnly);
    }
    if (shape.equals("servicePrincipals")) {
      return new Route(
          Catalog.SERVICE_PRINCIPALS,
          source(scale.servicePrincipals(), i -> tenant.servicePrincipal((int) i)),
          path,
          countOnly);
    }
    if (shape.equals("identity/conditionalAccess/policies") && !countOnly) {
      return new Route(
          Catalog.CONDITIONAL_ACCESS_POLICIES,
          source(tenant.conditionalAccessPolicies(), i -> tenant.conditionalAccessPolicy((int) i)),
          path,
          false);
    }
    if (shape.equals("reports/authenticationMethods/userRegistrationDetails") && !countOnly) {
      return new Route(
          Catalog.REGISTRATION_DETAILS,
          source(scale.users(), i -> tenant.registrationDetails((int) i)),
          path,
          false);
    }
    if (shape.equals("roleManagement/directory/roleDefinitions") && !countOnly) {
      return new Route(
          Catalog.ROLE_DEFINITIONS,
          source(tenant.roleDefinitions(), i -> tenant.roleDefinition((int) i)),
          path,
          false);
    }
    if (shape.equals("roleManagement/directory/roleAssignments") && !countOnly) {
      return new Route(
          Catalog.ROLE_ASSIGNMENTS,
          source(tenant.roleAssignments(), i -> tenant.roleAssignment((int) i)),
          path,
          false);
    }
    if (shape.equals("roleManagement/directory/roleEligibilitySchedules") && !countOnly) {
      return new Route(
          Catalog.ROLE_ELIGIBILITY_SCHEDULES,
          source(tenant.roleEligibilitySchedules(), i -> tenant.roleEligibilitySchedule((int) i)),
          path,
          false);
    }
    if (shape.equals("applications")) {
      return new Route(
          Catalog.APPLICATIONS,
          source(tenant.applications(), i -> tenant.application((int) i)),
          path,
          countOnly);
    }
    if (shape.equals("subscribedSkus") && !countOnly) {
      return new Route(
          Catalog.SUBSCRIBED_SKUS,
          source(tenant.subscribedSkus(), i -> tenant.subscribedSku((int) i)),
          path,
          false);
    }
    if (shape.equals("auditLogs/directoryAudits") && !countOnly) {
      return new Route(
          Catalog.DIRECTORY_AUDITS,
          source(scale.directoryAudits(), i -> tenant.directoryAudit((int) i)),
          path,
          false);
    }
    if (shape.equals("auditLogs/signIns") && !countOnly) {
      return new Route(
          Catalog.SIGN_INS, source(scale.signIns(), i -> tenant.signIn((int) i)), path, false);
    }
    if (n == 3
        && segments[0].equals("servicePrincipals")
        && segments[2].equals("appRoleAssignedTo")) {
      int sp = tenant.servicePrincipalIndex(segments[1].toLowerCase(Locale.ROOT));
      if (sp < 0) {
        throw GraphError.notFound(segments[1]);
      }
      return new Route(
          Catalog.APP_ROLE_ASSIGNED_TO,
          source(tenant.appRoleAssignments(sp), j -> tenant.appRoleAssignment(sp, (int) j)),
          path,
          countOnly);
    }
    if (n == 3 && segments[0].equals("servicePrincipals") && segments[2].equals("memberOf")) {
      int sp = tenant.servicePrincipalIndex(segments[1].toLowerCase(Locale.ROOT));
      if (sp < 0) {
        throw GraphError.notFound(segments[1]);
      }
      List<Integer> groups = tenant.servicePrincipalGroups(sp);
      return new Route(
          Catalog.MEMBER_OF,
          source(
              groups.size(),
              j -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("@odata.type", "#microsoft.graph.group");
                m.putAll(tenant.group(groups.get((int) j)));
                return m;
              }),
          path,
          countOnly);
    }
    if (n == 3 && segments[0].equals("groups") && segments[2].equals("members")) {
      int g = tenant.groupIndex(segments[1].toLowerCase(Locale.ROOT));
      if (g < 0) {
        throw GraphError.notFound(segments[1]);
      }
      List<DemoTenant.MemberRef> members = tenant.v1Members(tenant.liveMembers(g));
      return new Route(
          Catalog.MEMBERS,
          source(members.size(), j -> tenant.object(members.get((int) j))),
          path,
          countOnly);
    }
    if (n == 3 && segments[0].equals("groups") && segments[2].equals("transitiveMembers")) {
      int g = tenant.groupIndex(segments[1].toLowerCase(Locale.ROOT));
      if (g < 0) {
        throw GraphError.notFound(segments[1]);
      }
      List<Map<String, Object>> members =
          tenant.transitiveMembers(g).stream()
              .filter(m -> !"#microsoft.graph.servicePrincipal".equals(m.get("@odata.type")))
              .toList();
      return new Route(
          Catalog.TRANSITIVE_MEMBERS,
          source(members.size(), j -> members.get((int) j)),
          path,
          countOnly);
    }
    throw GraphError.badRequest("Resource not found for the segment '" + segments[n - 1] + "'.");
  }

  private static Source source(long size, LongFunction<Map<String, Object>> item) {
    return new Source() {
      @Override
      public long size() {
        return size;
      }

      @Override
      public Map<String, Object> item(long index) {
        return item.apply(index);
      }
    };
  }

  /**
   * A validated request: everything needed to produce one page. {@code first} is where the filtered
   * range begins, {@code start} where this page begins.
   */
  private record Query(
      Set<String> select,
      ODataFilter filter,
      int top,
      boolean count,
      long first,
      long start,
      long end) {}

  private void graph(HttpExchange exchange, String path, String requestId, String clientRequestId)
      throws IOException {
    if (path.matches("/(users|groups|devices|servicePrincipals|applications)/delta(\\(\\))?")) {
      delta(exchange, path, requestId, clientRequestId);
      return;
    }
    Route route = route(path);
    GraphCollection collection = route.collection();
    log.request(collection.name());
    Map<String, String> params = parseQuery(exchange.getRequestURI().getRawQuery());
    TokenService.Claims claims =
        tokens.verify(exchange.getRequestHeaders().getFirst("Authorization"));
    boolean eventual =
        "eventual".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("ConsistencyLevel"));
    boolean advanced = eventual && "true".equalsIgnoreCase(params.get("$count"));
    if ((collection == Catalog.REGISTRATION_DETAILS || collection == Catalog.SIGN_INS)
        && params.containsKey("$select")) {
      // Conformance.SIGN_INS_NO_SELECT for sign-ins.
      throw GraphError.badRequest("Query option 'Select' is not allowed.");
    }
    Set<String> select = select(collection, params.get("$select"));
    boolean signInActivity =
        collection == Catalog.USERS && select != null && select.contains("signInActivity");
    authorize(collection, claims, signInActivity);

    if (route.countOnly()) {
      if (!eventual) {
        throw new GraphError(400, "Request_BadRequest", "$count is not currently supported.");
      }
      ODataFilter filter = filter(collection, params.get("$filter"), true);
      admit(collection, claims, exchange, select != null, requestId, clientRequestId);
      long count = count(route, filter, 0, route.source().size());
      send(
          exchange,
          200,
          "text/plain;charset=utf-8",
          Long.toString(count).getBytes(StandardCharsets.US_ASCII),
          Map.of("request-id", requestId, "client-request-id", clientRequestId));
      return;
    }
    for (String option : params.keySet()) {
      if (option.startsWith("$")
          && !Set.of("$select", "$filter", "$top", "$count", "$skiptoken", "$expand")
              .contains(option)) {
        throw new GraphError(
            501,
            "NotImplemented",
            "The Entra Warehouse simulator does not implement the query option '" + option + "'.");
      }
    }
    Set<String> owners = expandedOwners(collection, params.get("$expand"));
    Query query = query(route, params, select, advanced, signInActivity);
    if (owners != null && query.top() > EXPANDED_PAGE) {
      // Graph's documented cap: with $expand, a directory collection's page holds at most 100.
      query =
          new Query(
              query.select(),
              query.filter(),
              EXPANDED_PAGE,
              query.count(),
              query.first(),
              query.start(),
              query.end());
    }
    Map<String, String> headers =
        admit(collection, claims, exchange, select != null, requestId, clientRequestId);
    FaultRule.Kind fault = nextFault(collection.name());
    if (fault != null) {
      log.fault(fault);
      injectPreResponseFault(fault, exchange, collection, requestId, clientRequestId);
    }

    List<Map<String, Object>> items = new ArrayList<>(Math.min(query.top(), 1000));
    long position = query.start();
    while (position < query.end() && items.size() < query.top()) {
      Map<String, Object> item = route.source().item(position++);
      if (query.filter() == null || query.filter().test(item)) {
        Map<String, Object> projected = project(collection, item, query.select());
        if (owners != null) {
          projected = new LinkedHashMap<>(projected);
          projected.put("registeredOwners", registeredOwners(item, owners));
        }
        items.add(projected);
      }
    }
    if (fault == FaultRule.Kind.SECRETS_MALFORMED) {
      items.replaceAll(GraphSimulator::withSecretValues);
    }
    if ((fault == FaultRule.Kind.MALFORMED_ITEM || fault == FaultRule.Kind.SECRETS_MALFORMED)
        && !items.isEmpty()) {
      items.set(0, malformed(items.get(0)));
    }
    String nextLink =
        position >= query.end()
            ? null
            : fault == FaultRule.Kind.CYCLE
                ? graphBaseUrl().toString()
                    + route.path()
                    + (exchange.getRequestURI().getRawQuery() == null
                        ? ""
                        : "?" + exchange.getRequestURI().getRawQuery())
                : nextLink(route, params, skipToken(route, params, position));
    Long total = query.count() ? count(route, query.filter(), query.first(), query.end()) : null;
    String context = contextUrl(collection, query.select());
    byte[] body =
        writeJson(
            g -> {
              g.writeStartObject();
              g.writeStringField("@odata.context", context);
              if (total != null) {
                g.writeNumberField("@odata.count", total);
              }
              if (nextLink != null) {
                g.writeStringField("@odata.nextLink", nextLink);
              }
              g.writeArrayFieldStart("value");
              for (Map<String, Object> item : items) {
                writeValue(g, item);
              }
              g.writeEndArray();
              g.writeEndObject();
            });
    sleep(settings.latencyPerPage().plus(settings.latencyPerItem().multipliedBy(items.size())));
    if (fault == FaultRule.Kind.SLOW_PAGE && query.top() > SLOW_ABOVE) {
      sleep(SLOW_PAGE); // real time, whatever the clock: the client's timeout is real time
    }
    if (fault == FaultRule.Kind.TRUNCATED_BODY) {
      sendTruncated(exchange, body, headers);
      return;
    }
    send(exchange, 200, JSON_TYPE, body, headers);
  }

  /** Under a {@code slow} fault, the most items a page may ask for and still answer at once. */
  public static final int SLOW_ABOVE = 250;

  /**
   * How long a slow page takes: longer than the product's default report timeout (90 s), as pages
   * Graph answers after minutes, or never, are (msgraph-sdk-powershell#3146).
   */
  public static final Duration SLOW_PAGE = Duration.ofMinutes(2);

  /** The most items a page holds when a directory collection is read with $expand. */
  private static final int EXPANDED_PAGE = 100;

  private static final Pattern EXPAND_OWNERS =
      Pattern.compile("registeredOwners(?:\\(\\$select=([A-Za-z,]+)\\))?");

  /**
   * The properties a {@code $expand=registeredOwners[($select=…)]} of devices asks of each owner
   * (empty: all of them); null without $expand. Any other expansion is refused as Graph refuses an
   * unknown navigation property (the simulator serves this one only).
   */
  private static Set<String> expandedOwners(GraphCollection collection, String expand) {
    if (expand == null) {
      return null;
    }
    Matcher m = EXPAND_OWNERS.matcher(expand.trim());
    if (collection != Catalog.DEVICES || !m.matches()) {
      throw GraphError.badRequest(
          "Parsing OData Select and Expand failed: Could not find a property named '"
              + expand.replaceAll("\\(.*", "").trim()
              + "' on type 'microsoft.graph."
              + collection.name().replaceAll("s$", "")
              + "'.");
    }
    return m.group(1) == null ? Set.of() : new LinkedHashSet<>(List.of(m.group(1).split(",")));
  }

  /** A device's registered owners as Graph expands them: its type, id and what was selected. */
  private List<Map<String, Object>> registeredOwners(
      Map<String, Object> device, Set<String> select) {
    Map<String, Object> user = tenant.deviceOwner(device);
    if (user == null) {
      return List.of();
    }
    Map<String, Object> owner = new LinkedHashMap<>();
    owner.put("@odata.type", "#microsoft.graph.user");
    owner.put("id", user.get("id"));
    for (Map.Entry<String, Object> e : user.entrySet()) {
      if (select.isEmpty() || select.contains(e.getKey())) {
        owner.put(e.getKey(), e.getValue());
      }
    }
    return List.of(owner);
  }

  // ---------------------------------------------------------------- delta queries

  /** Delta tokens issued before the last {@link #expireDeltaTokens} are refused with 410. */
  private final AtomicInteger deltaGeneration = new AtomicInteger();

  /** Moves the tenant to a day of its changes (0: as generated); stored deltaLinks stay valid. */
  public void day(int day) {
    tenant.day(day);
  }

  /** Makes every delta token issued so far invalid: the next use answers 410 Gone. */
  public void expireDeltaTokens() {
    deltaGeneration.incrementAndGet();
  }

  /** How long a directory object's delta token lasts, in the tenant's days (Microsoft: 7 days). */
  static final int DELTA_TOKEN_DAYS = 7;

  /**
   * A delta round's state, as its tokens carry it: the kind, the day the changes are counted from
   * (-1: the initial round, every object), the day they reach, the token generation, the position
   * of the next item, and the {@code $select} of the round's first request.
   */
  private record DeltaState(
      int kind, int from, int to, int generation, int position, String select) {

    String encode() {
      String payload =
          kind + "," + from + "," + to + "," + generation + "," + position + "," + select;
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString(payload.getBytes(StandardCharsets.UTF_8));
    }

    static DeltaState decode(String token, int kind) {
      try {
        String[] p =
            new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8).split(",", 6);
        DeltaState s =
            new DeltaState(
                Integer.parseInt(p[0]),
                Integer.parseInt(p[1]),
                Integer.parseInt(p[2]),
                Integer.parseInt(p[3]),
                Integer.parseInt(p[4]),
                p[5]);
        if (s.kind != kind) {
          throw GraphError.badRequest("The delta token is not valid for this resource.");
        }
        return s;
      } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
        throw GraphError.badRequest("The specified delta token value is invalid.");
      }
    }
  }

  /**
   * {@code /users/delta}, {@code /groups/delta} and {@code /devices/delta} as Microsoft documents
   * them: an initial round lists every object; its last page carries a deltaLink whose token, used
   * later, lists what changed since (created and restored objects whole; updated ones whole, or
   * with {@code Prefer: return=minimal} only their changed properties; removed ones as {@code id}
   * and {@code @removed} with reason {@code changed} (restorable) or {@code deleted}). Query
   * parameters are taken on the first request only and carried by the tokens; {@code
   * $deltatoken=latest} answers at once with a deltaLink for now. A token more than {@link
   * #DELTA_TOKEN_DAYS} days old, or issued before {@link #expireDeltaTokens}, gets 410 Gone.
   */
  private void delta(HttpExchange exchange, String path, String requestId, String clientRequestId)
      throws IOException {
    String resource = path.substring(1, path.indexOf('/', 1));
    GraphCollection collection =
        switch (resource) {
          case "users" -> Catalog.USERS;
          case "groups" -> Catalog.GROUPS;
          case "servicePrincipals" -> Catalog.SERVICE_PRINCIPALS;
          case "applications" -> Catalog.APPLICATIONS;
          default -> Catalog.DEVICES;
        };
    int kind =
        switch (resource) {
          case "users" -> DemoTenant.USER;
          case "groups" -> DemoTenant.GROUP;
          case "servicePrincipals" -> DemoTenant.SERVICE_PRINCIPAL;
          case "applications" -> DemoTenant.APPLICATION;
          default -> DemoTenant.DEVICE;
        };
    log.request(collection.name() + "/delta");
    Map<String, String> params = parseQuery(exchange.getRequestURI().getRawQuery());
    TokenService.Claims claims =
        tokens.verify(exchange.getRequestHeaders().getFirst("Authorization"));
    for (String option : params.keySet()) {
      if (Set.of("$top", "$orderby", "$expand", "$search", "$count").contains(option)) {
        throw GraphError.badRequest(
            "The query option '" + option + "' is not supported with delta queries.");
      }
      if (option.equals("$filter")) {
        throw new GraphError(
            501,
            "NotImplemented",
            "The Entra Warehouse simulator does not implement $filter (id eq) on delta queries.");
      }
    }
    String prefer = exchange.getRequestHeaders().getFirst("Prefer");
    boolean minimal = prefer != null && prefer.contains("return=minimal");
    int today = tenant.day();
    DeltaState state;
    if (params.containsKey("$skiptoken")) {
      state = DeltaState.decode(params.get("$skiptoken"), kind);
    } else if ("latest".equals(params.get("$deltatoken"))) {
      Set<String> select = deltaSelect(collection, params.get("$select"));
      state =
          new DeltaState(
              kind,
              today,
              today,
              deltaGeneration.get(),
              0,
              select == null ? "" : String.join(" ", select));
    } else if (params.containsKey("$deltatoken")) {
      DeltaState stored = DeltaState.decode(params.get("$deltatoken"), kind);
      state = new DeltaState(kind, stored.to(), today, stored.generation(), 0, stored.select());
    } else {
      Set<String> select = deltaSelect(collection, params.get("$select"));
      state =
          new DeltaState(
              kind,
              -1,
              today,
              deltaGeneration.get(),
              0,
              select == null ? "" : String.join(" ", select));
    }
    Set<String> select =
        state.select().isEmpty() ? null : new LinkedHashSet<>(List.of(state.select().split(" ")));
    if (select != null && select.contains("signInActivity")) {
      throw GraphError.badRequest("Property 'signInActivity' is not supported for delta queries.");
    }
    authorize(collection, claims, false);
    if (state.generation() != deltaGeneration.get()) {
      throw new GraphError(
          410,
          "resyncRequired",
          "The delta token is no longer valid; start again with a full synchronization.");
    }
    if (state.from() >= 0 && today - state.from() > DELTA_TOKEN_DAYS) {
      throw new GraphError(
          410,
          "syncStateNotFound",
          "The delta token has expired: tokens for directory objects last "
              + DELTA_TOKEN_DAYS
              + " days.");
    }
    Map<String, String> headers =
        admit(collection, claims, exchange, select != null, requestId, clientRequestId);
    FaultRule.Kind fault = nextFault(collection.name() + "/delta");
    if (fault != null) {
      log.fault(fault);
      injectPreResponseFault(fault, exchange, collection, requestId, clientRequestId);
    }
    List<Map<String, Object>> entries = deltaEntries(collection, kind, state, select, minimal);
    int end = Math.min(entries.size(), state.position() + collection.defaultTop());
    List<Map<String, Object>> items = entries.subList(state.position(), end);
    String base = graphBaseUrl() + "/" + resource + "/delta?";
    String link = end < entries.size() ? "@odata.nextLink" : "@odata.deltaLink";
    String target =
        end < entries.size()
            ? base
                + "$skiptoken="
                + new DeltaState(
                        kind, state.from(), state.to(), state.generation(), end, state.select())
                    .encode()
            : base
                + "$deltatoken="
                + new DeltaState(
                        kind, state.to(), state.to(), state.generation(), 0, state.select())
                    .encode();
    String context = contextUrl(collection, select);
    byte[] body =
        writeJson(
            g -> {
              g.writeStartObject();
              g.writeStringField("@odata.context", context);
              g.writeStringField(link, target);
              g.writeArrayFieldStart("value");
              for (Map<String, Object> item : items) {
                writeValue(g, item);
              }
              g.writeEndArray();
              g.writeEndObject();
            });
    Map<String, String> all = new LinkedHashMap<>(headers);
    if (minimal) {
      all.put("Preference-Applied", "return=minimal");
    }
    sleep(settings.latencyPerPage().plus(settings.latencyPerItem().multipliedBy(items.size())));
    send(exchange, 200, JSON_TYPE, body, all);
  }

  /**
   * A delta query's $select: as a listing's, and a group's {@code members} navigation property
   * besides (its changes come as {@code members@delta}).
   */
  private Set<String> deltaSelect(GraphCollection collection, String raw) {
    if (raw == null || collection != Catalog.GROUPS) {
      return select(collection, raw);
    }
    List<String> names = new ArrayList<>(List.of(raw.split(",")));
    boolean members = names.removeIf(n -> n.trim().equals("members"));
    Set<String> rest = names.isEmpty() ? null : select(collection, String.join(",", names));
    if (!members) {
      return rest;
    }
    Set<String> all = rest == null ? new LinkedHashSet<>(List.of("id")) : new LinkedHashSet<>(rest);
    all.add("members");
    return all;
  }

  /** The last round's items, by its state without the position: a round's pages share them. */
  private final Map<String, List<Map<String, Object>>> deltaRounds =
      Collections.synchronizedMap(
          new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, List<Map<String, Object>>> e) {
              return size() > 8;
            }
          });

  /** Members@delta entries are split in groups of this many, as Graph spreads them over items. */
  static final int MEMBERS_PER_ITEM = 100;

  /** A delta round's items, in a stable order so its pages can be served by position. */
  private List<Map<String, Object>> deltaEntries(
      GraphCollection collection, int kind, DeltaState state, Set<String> select, boolean minimal) {
    String key =
        state.kind()
            + ","
            + state.from()
            + ","
            + state.to()
            + ","
            + state.generation()
            + ","
            + state.select()
            + ","
            + minimal
            + ","
            + tenant.day();
    return deltaRounds.computeIfAbsent(
        key, k -> computeDeltaEntries(collection, kind, state, select, minimal));
  }

  private List<Map<String, Object>> computeDeltaEntries(
      GraphCollection collection, int kind, DeltaState state, Set<String> select, boolean minimal) {
    boolean members = select != null && select.contains("members");
    if (members) {
      select = new LinkedHashSet<>(select);
      select.remove("members");
    }
    List<Map<String, Object>> objects = objectEntries(collection, kind, state, select, minimal);
    if (!members) {
      return objects;
    }
    // Members: each group whose members changed carries members@delta, beside its own changes.
    boolean idOnly = select.size() == 1;
    Map<String, Map<String, Object>> byId = new LinkedHashMap<>();
    for (Map<String, Object> o : objects) {
      if (!(idOnly && !o.containsKey("@removed") && state.from() >= 0)) {
        byId.put((String) o.get("id"), o);
      }
    }
    TenantChanges before = state.from() < 0 ? null : tenant.changesAt(state.from());
    List<Map<String, Object>> out = new ArrayList<>();
    for (int g : tenant.alive(DemoTenant.GROUP)) {
      List<Map<String, Object>> delta = new ArrayList<>();
      if (before == null || !before.alive(DemoTenant.GROUP, g)) {
        // A new (or restored) group: its members as its listing has them.
        tenant.liveMembers(g).forEach(ref -> delta.add(memberRef(ref, false)));
      } else {
        // As a group delta counts members: a member soft-deleted, or restored, is no change.
        List<DemoTenant.MemberRef> now = tenant.deltaMembers(g, tenant.changes());
        List<DemoTenant.MemberRef> then = tenant.deltaMembers(g, before);
        Set<DemoTenant.MemberRef> had = new HashSet<>(then);
        Set<DemoTenant.MemberRef> has = new HashSet<>(now);
        now.stream().filter(r -> !had.contains(r)).forEach(r -> delta.add(memberRef(r, false)));
        then.stream().filter(r -> !has.contains(r)).forEach(r -> delta.add(memberRef(r, true)));
      }
      String id = tenant.id(DemoTenant.GROUP, g);
      Map<String, Object> entry = byId.remove(id);
      if (delta.isEmpty()) {
        if (entry != null) {
          out.add(entry);
        }
        continue;
      }
      for (int i = 0; i < delta.size(); i += MEMBERS_PER_ITEM) {
        Map<String, Object> item = new LinkedHashMap<>();
        if (i == 0 && entry != null) {
          item.putAll(entry);
        } else {
          item.put("id", id);
        }
        item.put("members@delta", delta.subList(i, Math.min(delta.size(), i + MEMBERS_PER_ITEM)));
        out.add(item);
      }
    }
    out.addAll(byId.values()); // removed groups
    return out;
  }

  private Map<String, Object> memberRef(DemoTenant.MemberRef ref, boolean removed) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("@odata.type", "#microsoft.graph." + DemoTenant.odataType(ref.kind()));
    m.put("id", tenant.idOf(ref));
    if (removed) {
      m.put("@removed", Map.of("reason", "deleted"));
    }
    return m;
  }

  private List<Map<String, Object>> objectEntries(
      GraphCollection collection, int kind, DeltaState state, Set<String> select, boolean minimal) {
    List<Map<String, Object>> out = new ArrayList<>();
    if (state.from() == state.to()) {
      return out;
    }
    IntFunction<Map<String, Object>> object =
        i ->
            switch (kind) {
              case DemoTenant.USER -> tenant.user(i);
              case DemoTenant.GROUP -> tenant.group(i);
              case DemoTenant.SERVICE_PRINCIPAL -> tenant.servicePrincipal(i);
              case DemoTenant.APPLICATION -> tenant.application(i);
              default -> tenant.device(i);
            };
    TenantChanges changes = tenant.changes();
    if (state.from() < 0) {
      for (int i : tenant.alive(kind)) {
        out.add(project(collection, object.apply(i), select));
      }
      return out;
    }
    Map<Integer, Set<String>> updated = new LinkedHashMap<>();
    Set<Integer> whole = new HashSet<>();
    for (TenantChanges.Change c : changes.since(state.from())) {
      if (c.kind() != kind
          || c.day() > state.to()
          || c.op() == TenantChanges.Op.MEMBER_ADDED
          || c.op() == TenantChanges.Op.MEMBER_REMOVED) {
        continue; // a group's members are not its properties: they come as members@delta
      }
      Set<String> props = updated.computeIfAbsent(c.index(), k -> new LinkedHashSet<>());
      if (c.op() == TenantChanges.Op.UPDATED) {
        props.addAll(c.properties().keySet());
      } else {
        whole.add(c.index());
      }
    }
    TenantChanges.Population population = changes.population(kind);
    for (Map.Entry<Integer, Set<String>> e : updated.entrySet()) {
      int i = e.getKey();
      if (!population.alive(i)) {
        Map<String, Object> removed = new LinkedHashMap<>();
        removed.put("id", tenant.id(kind, i));
        boolean restorable = population.removed.get(i) == TenantChanges.Op.SOFT_DELETED;
        removed.put("@removed", Map.of("reason", restorable ? "changed" : "deleted"));
        out.add(removed);
        continue;
      }
      Map<String, Object> full = project(collection, object.apply(i), select);
      if (whole.contains(i) || !minimal) {
        if (whole.contains(i) || select == null || !Collections.disjoint(select, e.getValue())) {
          out.add(full);
        }
        continue;
      }
      Map<String, Object> changed = new LinkedHashMap<>();
      changed.put("id", full.get("id"));
      for (String property : e.getValue()) {
        if (full.containsKey(property)) {
          changed.put(property, full.get(property));
        }
      }
      if (changed.size() > 1) {
        out.add(changed);
      }
    }
    return out;
  }

  private void authorize(
      GraphCollection collection, TokenService.Claims claims, boolean signInActivity) {
    if (!collection.permits(claims.permissions())) {
      throw GraphError.accessDenied();
    }
    if (signInActivity && !claims.permissions().contains("AuditLog.Read.All")) {
      throw GraphError.accessDenied();
    }
    NationalCloud cloud = NationalCloud.ofGraphHost(settings.graphHost());
    if ((collection == Catalog.SIGN_INS && cloud != NationalCloud.GLOBAL)
        || (collection == Catalog.DIRECTORY_AUDITS && cloud == NationalCloud.CHINA)
        || (signInActivity && cloud == NationalCloud.US_GOV)) {
      // Conformance.NATIONAL_CLOUD_GAPS: what the API pages' availability tables leave out.
      throw new GraphError(
          400,
          "Request_UnsupportedQuery",
          "This API is not available in the " + cloud.id() + " cloud.");
    }
    if (collection == Catalog.ROLE_ELIGIBILITY_SCHEDULES && !settings.p2()) {
      // 400, not 403: Conformance.PIM_WITHOUT_P2.
      throw new GraphError(
          400,
          "AadPremiumLicenseRequired",
          "The tenant needs an AAD Premium 2 license to use Privileged Identity Management.");
    }
    if ((collection == Catalog.SIGN_INS
            || collection == Catalog.REGISTRATION_DETAILS
            || collection == Catalog.CONDITIONAL_ACCESS_POLICIES
            || signInActivity)
        && !settings.premium()) {
      throw new GraphError(
          403,
          "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
          "Neither tenant is B2C or tenant doesn't have premium license");
    }
  }

  /** The $select names in order, as a set: projection tests membership for every property. */
  private Set<String> select(GraphCollection collection, String raw) {
    if (raw == null) {
      return null;
    }
    Set<String> names = new LinkedHashSet<>();
    for (String name : raw.split(",")) {
      String trimmed = name.trim();
      if (trimmed.isEmpty()) {
        continue;
      }
      if (!knownProperties.get(collection).contains(trimmed)) {
        throw new GraphError(
            400,
            "Request_BadRequest",
            "Could not find a property named '"
                + trimmed
                + "' on type '"
                + collection.odataType()
                + "'.");
      }
      names.add(trimmed);
    }
    return names.isEmpty() ? null : names;
  }

  private Query query(
      Route route,
      Map<String, String> params,
      Set<String> select,
      boolean advanced,
      boolean signInActivity) {
    GraphCollection collection = route.collection();
    int maxTop = signInActivity ? 500 : collection.maxTop();
    int top = collection.defaultTop();
    if (maxTop == 0) {
      // A collection served whole, that takes no $top (subscribedSkus).
      if (params.containsKey("$top")) {
        throw GraphError.badRequest("Query option 'Top' is not allowed.");
      }
    } else if (params.containsKey("$top")) {
      try {
        top = Integer.parseInt(params.get("$top").trim());
      } catch (NumberFormatException e) {
        throw GraphError.badRequest(
            "Invalid value '" + params.get("$top") + "' for query option $top.");
      }
      if (top < 1 || top > maxTop) {
        throw GraphError.unsupportedQuery(
            "Invalid page size specified: '"
                + top
                + "'. Must be between 1 and "
                + maxTop
                + " inclusive.");
      }
    } else {
      top = Math.min(top, maxTop);
    }
    ODataFilter filter = filter(collection, params.get("$filter"), advanced);
    long start = 0;
    long end = route.source().size();
    if (collection.isLog()) {
      long[] range = timeRange(collection, filter);
      start = range[0];
      end = range[1];
    }
    long first = start;
    String skipToken = params.get("$skiptoken");
    if (skipToken != null) {
      start = Math.max(start, readSkipToken(route, params, skipToken));
    }
    return new Query(select, filter, top, advanced, first, start, end);
  }

  private ODataFilter filter(GraphCollection collection, String raw, boolean advanced) {
    if (raw == null || raw.isBlank()) {
      return null;
    }
    ODataFilter filter;
    try {
      filter = ODataFilter.parse(raw);
    } catch (ODataFilter.SyntaxException e) {
      throw collection.isLog()
          ? GraphError.invalidFilter()
          : GraphError.badRequest("Invalid filter clause: " + e.getMessage());
    }
    for (String property : filter.properties()) {
      FilterSupport support = collection.filterable().get(property);
      if (support == null) {
        String top = property.split("/")[0];
        if (collection.isLog()) {
          throw GraphError.invalidFilter();
        }
        if (!knownProperties.get(collection).contains(top)) {
          throw GraphError.badRequest(
              "Could not find a property named '"
                  + top
                  + "' on type '"
                  + collection.odataType()
                  + "'.");
        }
        throw GraphError.notIndexed(property, collection.resource());
      }
      if (support == FilterSupport.ADVANCED && !advanced) {
        throw GraphError.notIndexed(property, collection.resource());
      }
    }
    if (!advanced) {
      // Microsoft's table marks comparing some default-filterable properties with null as
      // advanced-only (its "null value" column): Conformance.ADVANCED_QUERY_TABLE.
      for (String property : filter.comparedWithNull()) {
        if (Catalog.nullNeedsAdvanced(collection, property)) {
          throw GraphError.notIndexed(property, collection.resource());
        }
      }
    }
    Set<String> operators = filter.operators();
    if (collection.isLog()) {
      if (operators.contains("not") || operators.contains("endswith")) {
        throw GraphError.invalidFilter();
      }
      checkLogTimes(collection, filter);
    } else if (!advanced) {
      for (String op : List.of("ne", "not", "endswith")) {
        if (operators.contains(op)) {
          throw GraphError.advancedQueryRequired(
              op.equals("endswith") ? "endsWith" : op.equals("not") ? "Not" : op);
        }
      }
    }
    return filter;
  }

  /** Log timestamps must be unquoted DateTimeOffsets inside the tenant's retention window. */
  private void checkLogTimes(GraphCollection collection, ODataFilter filter) {
    Instant oldest = settings.clock().instant().minus(Duration.ofDays(settings.premium() ? 30 : 7));
    for (Object value : filter.literalsComparedWith(collection.timeProperty())) {
      if (value instanceof String || (value instanceof Instant t && t.isBefore(oldest))) {
        throw GraphError.invalidFilter();
      }
    }
  }

  /**
   * The index range [start, end) of log items inside the filter's time bounds (none: all), by
   * binary search, and never an event that has not happened yet by the simulator's clock: a tenant
   * whose {@code tenantNow} is ahead of the clock shows its newest events as the clock reaches
   * them, as Graph shows events created after a load began to the next load only.
   */
  private long[] timeRange(GraphCollection collection, ODataFilter filter) {
    Instant[] bounds =
        filter == null ? new Instant[2] : filter.timeBounds(collection.timeProperty());
    Instant happened = settings.clock().instant();
    if (bounds[1] == null || bounds[1].isAfter(happened)) {
      bounds[1] = happened;
    }
    int kind = collection == Catalog.SIGN_INS ? DemoTenant.SIGN_IN : DemoTenant.AUDIT;
    int count =
        collection == Catalog.SIGN_INS
            ? tenant.scale().signIns()
            : tenant.scale().directoryAudits();
    // Times decrease with the index: items newer than 'to' come first, older than 'from' last.
    long start = bounds[1] == null ? 0 : firstIndexAtOrBefore(kind, count, bounds[1]);
    long end = bounds[0] == null ? count : firstIndexBefore(kind, count, bounds[0]);
    return new long[] {start, Math.max(start, end)};
  }

  private long firstIndexAtOrBefore(int kind, int count, Instant t) {
    int lo = 0;
    int hi = count;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (!tenant.logTime(kind, mid, count).isAfter(t)) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  private long firstIndexBefore(int kind, int count, Instant t) {
    int lo = 0;
    int hi = count;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (tenant.logTime(kind, mid, count).isBefore(t)) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  private long count(Route route, ODataFilter filter, long start, long end) {
    if (filter == null) {
      return end - start;
    }
    String key = route.path() + "\n" + filter.text();
    Long cached = countCache.get(key);
    if (cached != null) {
      return cached;
    }
    long n = 0;
    for (long i = start; i < end; i++) {
      if (filter.test(route.source().item(i))) {
        n++;
      }
    }
    if (countCache.size() > 1_000) {
      countCache.clear();
    }
    countCache.put(key, n);
    return n;
  }

  private static Map<String, Object> project(
      GraphCollection collection, Map<String, Object> item, Set<String> select) {
    Collection<String> keep = select != null ? select : collection.defaultSelect();
    if (keep.isEmpty()) {
      return item;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    Object type = item.get("@odata.type");
    if (type != null) {
      out.put("@odata.type", type);
    }
    if (select != null) {
      // Directory objects always carry their id, selected or not (see Microsoft's
      // user-with-signInActivity example); log entries return only what was selected.
      boolean withId = !collection.isLog();
      for (Map.Entry<String, Object> e : item.entrySet()) {
        if (keep.contains(e.getKey()) || (withId && e.getKey().equals("id"))) {
          out.put(e.getKey(), e.getValue());
        }
      }
    } else {
      for (String key : keep) {
        out.put(key, item.get(key));
      }
    }
    return out;
  }

  private String contextUrl(GraphCollection collection, Set<String> select) {
    String base = graphBaseUrl() + "/$metadata#" + collection.contextPath();
    return select == null ? base : base + "(" + String.join(",", select) + ")";
  }

  // ---------------------------------------------------------------- paging

  private String skipToken(Route route, Map<String, String> params, long position) {
    String payload =
        position
            + "."
            + settings.clock().millis()
            + "."
            + Integer.toHexString(queryKey(route, params).hashCode());
    return Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(payload.getBytes(StandardCharsets.US_ASCII))
        + tokens.sign(payload);
  }

  private long readSkipToken(Route route, Map<String, String> params, String token) {
    if (token.length() <= 16) {
      throw GraphError.badRequest("The specified page token value is invalid.");
    }
    String encoded = token.substring(0, token.length() - 16);
    String payload;
    try {
      payload = new String(Base64.getUrlDecoder().decode(encoded), StandardCharsets.US_ASCII);
    } catch (IllegalArgumentException e) {
      throw GraphError.badRequest("The specified page token value is invalid.");
    }
    String[] parts = payload.split("\\.");
    if (parts.length != 3
        || !tokens.sign(payload).equals(token.substring(token.length() - 16))
        || !parts[2].equals(Integer.toHexString(queryKey(route, params).hashCode()))) {
      throw GraphError.badRequest("The specified page token value is invalid.");
    }
    long issued = Long.parseLong(parts[1]);
    if (settings.clock().millis() - issued > settings.skipTokenLifetime().toMillis()) {
      throw new GraphError(
          400,
          "Directory_ExpiredPageToken",
          "The specified page token value has expired and can no longer be included in your request.");
    }
    return Long.parseLong(parts[0]);
  }

  private static String queryKey(Route route, Map<String, String> params) {
    return route.path() + "\n" + params.getOrDefault("$filter", "");
  }

  private String nextLink(Route route, Map<String, String> params, String skipToken) {
    StringBuilder b = new StringBuilder(graphBaseUrl().toString()).append(route.path()).append('?');
    for (Map.Entry<String, String> e : params.entrySet()) {
      if (!e.getKey().equals("$skiptoken")) {
        b.append(encode(e.getKey())).append('=').append(encode(e.getValue())).append('&');
      }
    }
    return b.append("$skiptoken=").append(skipToken).toString();
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20").replace("%24", "$");
  }

  static Map<String, String> parseQuery(String raw) {
    Map<String, String> params = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return params;
    }
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      params.put(
          URLDecoder.decode(key, StandardCharsets.UTF_8),
          URLDecoder.decode(value, StandardCharsets.UTF_8));
    }
    return params;
  }

  // ---------------------------------------------------------------- throttling and faults

  private Map<String, String> admit(
      GraphCollection collection,
      TokenService.Claims claims,
      HttpExchange exchange,
      boolean selected,
      String requestId,
      String clientRequestId) {
    int cost =
        collection.reports() ? 1 : Math.max(1, collection.resourceUnits() - (selected ? 1 : 0));
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("request-id", requestId);
    headers.put("client-request-id", clientRequestId);
    headers.put("x-ms-resource-unit", Integer.toString(cost));
    if (!settings.throttling()) {
      log.resourceUnits(cost);
      return headers;
    }
    String key = tenant.tenantId() + "/" + claims.appId();
    Throttler.Decision decision = throttler.admit(key, collection.reports(), cost, nanoTime());
    if (!decision.admitted()) {
      throw throttled(collection, key, decision.retryAfterSeconds(), decision.scope());
    }
    log.resourceUnits(cost);
    if (decision.usedFraction() > 0.8) {
      headers.put(
          "x-ms-throttle-limit-percentage",
          String.format(Locale.ROOT, "%.2f", Math.min(1.8, decision.usedFraction())));
    }
    return headers;
  }

  private GraphError throttled(
      GraphCollection collection, String key, long retryAfter, String scope) {
    boolean withHeader;
    synchronized (throttleRandom) {
      withHeader = throttleRandom.nextDouble() >= settings.throttleWithoutRetryAfterRatio();
    }
    log.throttled(collection.name(), withHeader);
    GraphError error =
        new GraphError(
            429,
            "TooManyRequests",
            "Too many requests from Identifier:"
                + key
                + " under category:throttle.aad.ags.subscriptionservice.dc.list. Please try again later.");
    if (withHeader) {
      error.header("Retry-After", Long.toString(retryAfter));
    }
    error.header("x-ms-throttle-scope", scope);
    error.header(
        "x-ms-throttle-information",
        collection.reports() ? "ReportsRequestLimitExceeded" : "ResourceUnitLimitExceeded");
    return error;
  }

  /**
   * The throttler's time: the JVM's monotonic clock, or the settings' clock when a test set one (so
   * windows pass as the test moves it, not as the machine's load allows).
   */
  private long nanoTime() {
    Clock clock = settings.clock();
    if (clock.equals(Clock.systemUTC())) {
      return System.nanoTime();
    }
    Instant now = clock.instant();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  private FaultRule.Kind nextFault(String endpoint) {
    if (settings.faults().isEmpty()) {
      return null;
    }
    long n = pageCounters.computeIfAbsent(endpoint, k -> new AtomicLong()).incrementAndGet();
    for (FaultRule rule : settings.faults()) {
      if (!rule.appliesTo(endpoint)) {
        continue;
      }
      if (rule.nth() > 0 && rule.nth() == n) {
        return rule.kind();
      }
      if (rule.rate() > 0) {
        double roll;
        synchronized (faultRandom) {
          roll = faultRandom.nextDouble();
        }
        if (roll < rule.rate()) {
          return rule.kind();
        }
      }
    }
    return null;
  }

  private void injectPreResponseFault(
      FaultRule.Kind fault,
      HttpExchange exchange,
      GraphCollection collection,
      String requestId,
      String clientRequestId) {
    switch (fault) {
      case SERVICE_UNAVAILABLE, SERVICE_UNAVAILABLE_RETRY_AFTER -> {
        GraphError e =
            new GraphError(
                503,
                "serviceNotAvailable",
                "The service is temporarily unavailable. Please retry later.");
        if (fault == FaultRule.Kind.SERVICE_UNAVAILABLE_RETRY_AFTER) {
          e.header("Retry-After", "1");
        }
        throw e;
      }
      case GATEWAY_TIMEOUT, GATEWAY_TIMEOUT_RETRY_AFTER -> {
        GraphError e =
            new GraphError(504, "UnknownError", "The gateway did not receive a timely response.");
        if (fault == FaultRule.Kind.GATEWAY_TIMEOUT_RETRY_AFTER) {
          e.header("Retry-After", "1");
        }
        throw e;
      }
      case THROTTLED, THROTTLED_NO_RETRY_AFTER -> {
        log.throttled(collection.name(), fault == FaultRule.Kind.THROTTLED);
        GraphError e =
            new GraphError(429, "TooManyRequests", "Too many requests. Please try again later.");
        if (fault == FaultRule.Kind.THROTTLED) {
          e.header("Retry-After", "1");
        }
        throw e;
      }
      case CONNECTION_RESET -> throw new ConnectionReset();
      case LICENCE_REFUSED ->
          throw new GraphError(
              403,
              "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
              "Neither tenant is B2C or tenant doesn't have premium license");
      case NOT_FOUND ->
          throw new GraphError(
              404,
              "Request_ResourceNotFound",
              "Resource '"
                  + exchange.getRequestURI().getPath().replaceAll(".*/([^/]+)/[^/]+$", "$1")
                  + "' does not exist or one of its queried reference-property objects are not"
                  + " present.");
      case PAGE_TOKEN -> {
        if (exchange.getRequestURI().getRawQuery() != null
            && exchange.getRequestURI().getRawQuery().contains("$skiptoken=")) {
          throw new GraphError(
              400,
              "DirectoryPageTokenNotFoundException",
              "The page token was not found: it may come from a retried request.");
        }
      }
      default -> {
        // Truncation and malformed items are applied to the page itself.
      }
    }
  }

  /**
   * The item with a value in each of its credentials' secret properties: {@link
   * FaultRule#SECRET_CANARY} and the credential's keyId.
   */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> withSecretValues(Map<String, Object> item) {
    Map<String, Object> out = new LinkedHashMap<>(item);
    for (String list : List.of("passwordCredentials", "keyCredentials")) {
      if (out.get(list) instanceof List<?> credentials) {
        List<Object> filled = new ArrayList<>();
        for (Object c : credentials) {
          Map<String, Object> credential = new LinkedHashMap<>((Map<String, Object>) c);
          String value = FaultRule.SECRET_CANARY + credential.get("keyId");
          if (list.equals("keyCredentials")) {
            credential.put("key", value);
          } else {
            credential.put("secretText", value);
            credential.put("hint", value);
          }
          filled.add(credential);
        }
        out.put(list, filled);
      }
    }
    return out;
  }

  /** The item with every timestamp and boolean replaced by text of the wrong type. */
  private static Map<String, Object> malformed(Map<String, Object> item) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : item.entrySet()) {
      Object v = e.getValue();
      if (v instanceof Boolean) {
        v = "not-a-boolean";
      } else if (v instanceof String s
          && s.length() >= 20
          && s.charAt(4) == '-'
          && s.charAt(10) == 'T') {
        v = "not-a-date";
      }
      out.put(e.getKey(), v);
    }
    return out;
  }

  private static void sleep(Duration d) {
    if (d.isZero()) {
      return;
    }
    try {
      Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---------------------------------------------------------------- responses

  private interface JsonBody {
    void write(JsonGenerator g) throws IOException;
  }

  private static byte[] writeJson(JsonBody body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      body.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  @SuppressWarnings("unchecked")
  static void writeValue(JsonGenerator g, Object value) throws IOException {
    if (value == null) {
      g.writeNull();
    } else if (value instanceof String s) {
      g.writeString(s);
    } else if (value instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (value instanceof Integer i) {
      g.writeNumber(i);
    } else if (value instanceof Long l) {
      g.writeNumber(l);
    } else if (value instanceof Double d) {
      g.writeNumber(d);
    } else if (value instanceof Map<?, ?> m) {
      g.writeStartObject();
      for (Map.Entry<String, Object> e : ((Map<String, Object>) m).entrySet()) {
        g.writeFieldName(e.getKey());
        writeValue(g, e.getValue());
      }
      g.writeEndObject();
    } else if (value instanceof Collection<?> c) {
      g.writeStartArray();
      for (Object o : c) {
        writeValue(g, o);
      }
      g.writeEndArray();
    } else {
      g.writeString(value.toString());
    }
  }

  private void sendError(
      HttpExchange exchange, GraphError e, String requestId, String clientRequestId)
      throws IOException {
    Map<String, Object> inner = new LinkedHashMap<>();
    inner.put(
        "date",
        LocalDateTime.ofInstant(settings.clock().instant(), ZoneOffset.UTC)
            .truncatedTo(ChronoUnit.SECONDS)
            .toString());
    inner.put("request-id", requestId);
    inner.put("client-request-id", clientRequestId);
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("code", e.code);
    error.put("message", e.getMessage());
    error.put("innerError", inner);
    byte[] body = writeJson(g -> writeValue(g, Map.of("error", error)));
    Map<String, String> headers = new LinkedHashMap<>(e.headers);
    headers.put("request-id", requestId);
    headers.put("client-request-id", clientRequestId);
    send(exchange, e.status, "application/json", body, headers);
  }

  private static void send(
      HttpExchange exchange, int status, String type, byte[] body, Map<String, String> headers)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /** Announces the whole body, sends half, then drops the connection. */
  private static void sendTruncated(HttpExchange exchange, byte[] body, Map<String, String> headers)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", JSON_TYPE);
    headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
    exchange.sendResponseHeaders(200, body.length);
    OutputStream out = exchange.getResponseBody();
    out.write(body, 0, body.length / 2);
    out.flush();
    throw new ConnectionReset();
  }
}
