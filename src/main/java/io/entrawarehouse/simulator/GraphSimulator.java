package io.entrawarehouse.simulator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
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

  private final SimulatorSettings settings;
  private final DemoTenant tenant;
  private final RequestLog log = new RequestLog();
  private final TokenService tokens;
  private final Tls tls = new Tls();
  private final HttpsServer server;
  private final ExecutorService executor;
  private final Admission admission;
  private final Faults faults;
  private final Paging paging;
  private final Queries queries;
  private final DeltaRounds deltas;

  private GraphSimulator(SimulatorSettings settings) throws IOException {
    this.settings = withDemoCertificate(settings);
    this.tenant = DemoTenant.of(settings);
    this.tokens = new TokenService(this.settings, tenant, log);
    this.server =
        HttpsServer.create(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), settings.port()), 128);
    this.admission = new Admission(settings, log, tenant.tenantId());
    this.faults = new Faults(settings, log);
    this.paging = new Paging(settings, tokens, graphBaseUrl().toString());
    this.queries = new Queries(settings, tenant, paging);
    this.deltas =
        new DeltaRounds(settings, tenant, log, tokens, queries, paging, admission, faults);
    server.setHttpsConfigurator(new HttpsConfigurator(tls.server()));
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
    return tls.certificate();
  }

  /** The server certificate as PEM, for a client's trust store. */
  public String certificatePem() {
    return tls.certificatePem();
  }

  /** An SSL context that trusts this simulator and nothing else. */
  public SSLContext clientSslContext() {
    return tls.clientContext();
  }

  /** A trust manager that trusts this simulator's certificate and nothing else. */
  public X509TrustManager clientTrustManager() {
    return tls.clientTrustManager();
  }

  /** The demo app's certificate credential (always registered), for certificate-auth demos. */
  public static DemoCertificate demoAppCertificate() {
    return Tls.demoApp();
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

  /** Moves the tenant to a day of its changes (0: as generated); stored deltaLinks stay valid. */
  public void day(int day) {
    tenant.day(day);
  }

  /** Makes every delta token issued so far invalid: the next use answers 410 Gone. */
  public void expireDeltaTokens() {
    deltas.expireTokens();
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
          String graphPath = path.substring("/v1.0".length());
          Routes.DeltaRoute delta = Routes.delta(graphPath);
          if (delta != null) {
            deltas.serve(exchange, delta, requestId, clientRequestId);
          } else {
            list(exchange, Routes.match(tenant, graphPath), requestId, clientRequestId);
          }
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
        Map<String, String> params = Paging.parseQuery(exchange.getRequestURI().getRawQuery());
        int day =
            params.containsKey("set")
                ? Integer.parseInt(params.get("set"))
                : tenant.day() + Integer.parseInt(params.getOrDefault("advance", "1"));
        day(day);
        Responses.send(
            exchange,
            200,
            Responses.JSON_TYPE,
            Responses.json(Map.of("day", tenant.day())),
            Map.of());
      } else if (path.equals("/_simulator/expire-delta-tokens") && method.equals("POST")) {
        expireDeltaTokens();
        Responses.send(exchange, 204, Responses.JSON_TYPE, new byte[0], Map.of());
      } else {
        throw GraphError.badRequest("Resource not found for the segment '" + path + "'.");
      }
    } catch (GraphError e) {
      Responses.error(exchange, e, requestId, clientRequestId, settings.clock().instant());
    } catch (Responses.ConnectionReset e) {
      // Escaping the handler makes the server drop the connection, whatever was sent so far.
      throw e;
    } catch (RuntimeException e) {
      Responses.error(
          exchange,
          new GraphError(500, "InternalServerError", "Simulator failure: " + e),
          requestId,
          clientRequestId,
          settings.clock().instant());
    }
    exchange.close();
  }

  private void token(HttpExchange exchange, String tenantSegment) throws IOException {
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    Map<String, String> form = Paging.parseQuery(body);
    log.request("token");
    TokenService.Response response = tokens.token(tenantSegment, form, tokenUrl().toString());
    byte[] json = Responses.json(response.body());
    // Entra echoes the caller's client-request-id; MSAL logs a mismatch when it does not.
    String correlation = exchange.getRequestHeaders().getFirst("client-request-id");
    Responses.send(
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
    byte[] json = Responses.json(doc);
    Responses.send(exchange, 200, "application/json; charset=utf-8", json, Map.of());
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
    byte[] json = Responses.json(doc);
    Responses.send(exchange, 200, "application/json; charset=utf-8", json, Map.of());
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
    byte[] json = Responses.json(doc);
    Responses.send(exchange, 200, "application/json; charset=utf-8", json, Map.of());
  }

  // ---------------------------------------------------------------- listings

  /** A page of a listing: a collection, a parent's, or its {@code /$count}. */
  private void list(
      HttpExchange exchange, Routes.Match route, String requestId, String clientRequestId)
      throws IOException {
    GraphCollection collection = route.collection();
    log.request(collection.name());
    Map<String, String> params = Paging.parseQuery(exchange.getRequestURI().getRawQuery());
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
    Set<String> select = queries.select(collection, params.get("$select"));
    boolean signInActivity =
        collection == Catalog.USERS && select != null && select.contains("signInActivity");
    Access.authorize(settings, collection, claims, signInActivity);

    if (route.countOnly()) {
      if (!eventual) {
        throw new GraphError(400, "Request_BadRequest", "$count is not currently supported.");
      }
      ODataFilter filter = queries.filter(collection, params.get("$filter"), true);
      admission.admit(collection, claims, select != null, requestId, clientRequestId);
      long count = queries.count(route, filter, 0, route.source().size());
      Responses.send(
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
    Queries.Query query = queries.query(route, params, select, advanced, signInActivity);
    if (owners != null && query.top() > EXPANDED_PAGE) {
      // Graph's documented cap: with $expand, a directory collection's page holds at most 100.
      query =
          new Queries.Query(
              query.select(),
              query.filter(),
              EXPANDED_PAGE,
              query.count(),
              query.first(),
              query.start(),
              query.end());
    }
    Map<String, String> headers =
        admission.admit(collection, claims, select != null, requestId, clientRequestId);
    FaultRule.Kind fault = faults.next(collection.name());
    if (fault != null) {
      faults.beforeAnswer(fault, exchange, collection);
    }

    List<Map<String, Object>> items = new ArrayList<>(Math.min(query.top(), 1000));
    long position = query.start();
    while (position < query.end() && items.size() < query.top()) {
      Map<String, Object> item = route.source().item(position++);
      if (query.filter() == null || query.filter().test(item)) {
        Map<String, Object> projected = Queries.project(collection, item, query.select());
        if (owners != null) {
          projected = new LinkedHashMap<>(projected);
          projected.put("registeredOwners", registeredOwners(item, owners));
        }
        items.add(projected);
      }
    }
    if (fault == FaultRule.Kind.SECRETS_MALFORMED) {
      items.replaceAll(Faults::withSecretValues);
    }
    if ((fault == FaultRule.Kind.MALFORMED_ITEM || fault == FaultRule.Kind.SECRETS_MALFORMED)
        && !items.isEmpty()) {
      items.set(0, Faults.malformed(items.get(0)));
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
                : paging.nextLink(route, params, paging.skipToken(route, params, position));
    Long total =
        query.count() ? queries.count(route, query.filter(), query.first(), query.end()) : null;
    String context = paging.contextUrl(collection, query.select());
    byte[] body = Responses.page(context, total, "@odata.nextLink", nextLink, items);
    Responses.pause(
        settings.latencyPerPage().plus(settings.latencyPerItem().multipliedBy(items.size())));
    if (fault == FaultRule.Kind.SLOW_PAGE && query.top() > SLOW_ABOVE) {
      Responses.pause(
          SLOW_PAGE); // real time, whatever the clock: the client's timeout is real time
    }
    if (fault == FaultRule.Kind.TRUNCATED_BODY) {
      Responses.sendTruncated(exchange, body, headers);
      return;
    }
    Responses.send(exchange, 200, Responses.JSON_TYPE, body, headers);
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
    Map<String, Object> user = tenant.devices().deviceOwner(device);
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
}
