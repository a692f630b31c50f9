package io.entrawarehouse.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrawarehouse.cli.DemoConnection;
import io.entrawarehouse.config.EntraProperties;
import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.SimulatorTenants;
import io.entrawarehouse.simulator.TenantScale;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every credential type, the token errors a user meets, the proxy and the timeout, each through the
 * product's own path (properties → endpoint → MSAL and Graph client) against the simulator.
 */
class CredentialsTest {

  static final String KEY_PASSWORD = "key-password-canary";
  static TestCertificates app;
  static GraphSimulator sim;
  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    app = TestCertificates.create("entra-warehouse-test");
    sim =
        GraphSimulator.start(
            SimulatorSettings.builder()
                .scale(TenantScale.TINY)
                .throttling(false)
                .clientCertificate(app.certificate())
                .build());
  }

  @AfterAll
  static void stop() {
    sim.close();
  }

  /** A tenant for the simulator with one credential; the rest of the fields as a user sets them. */
  private static EntraProperties.Tenant tenant(
      String clientId,
      String secret,
      Path secretFile,
      Path certificate,
      String certificatePassword,
      String username,
      String password) {
    return new EntraProperties.Tenant(
        sim.tenantId(),
        clientId,
        secret,
        secretFile,
        certificate,
        certificatePassword,
        username,
        password,
        null,
        sim.authorityHost(),
        sim.graphBaseUrl());
  }

  /** A tenant with the demo secret at these hosts. */
  private static EntraProperties.Tenant secretTenant(
      String tenantId, String clientId, String cloud, URI authorityHost, URI graphUrl) {
    return new EntraProperties.Tenant(
        tenantId,
        clientId,
        SimulatorSettings.DEMO_CLIENT_SECRET,
        null,
        null,
        null,
        null,
        null,
        cloud,
        authorityHost,
        graphUrl);
  }

  private static EntraProperties.Tenant secret(String secret) {
    return tenant(sim.clientId(), secret, null, null, null, null, null);
  }

  private static EntraProperties.Tenant certificate(Path file, String password) {
    return tenant(sim.clientId(), null, null, file, password, null, null);
  }

  private static EntraProperties.Tenant user(String clientId, String password) {
    return tenant(clientId, null, null, null, null, SimulatorTenants.enabledMember(sim), password);
  }

  private static GraphClient client(EntraProperties.Tenant tenant) {
    return client(tenant, null, Duration.ofSeconds(10));
  }

  private static GraphClient client(EntraProperties.Tenant tenant, URI proxy, Duration timeout) {
    GraphEndpoint endpoint =
        TenantEndpoints.endpoint("t", tenant, sim.clientSslContext(), sim.clientTrustManager());
    return endpoint.client(
        new EntraProperties.Graph(proxy, timeout, null, 2, Duration.ofSeconds(1), 8), d -> {});
  }

  /** Reads one user, and returns the claims of the token that did it. */
  private static JsonNode readOneUser(GraphClient graph) throws Exception {
    GraphPage page = graph.page(Reading.of("users"), graph.url("/users?$top=1"), false);
    assertThat(page.items()).hasSize(1);
    String token = graph.tokens().token();
    return new ObjectMapper().readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
  }

  @Test
  void aClientSecretFromPropertiesOrFromAMountedFile() throws Exception {
    JsonNode claims = readOneUser(client(secret(SimulatorSettings.DEMO_CLIENT_SECRET)));
    assertThat(claims.path("appidacr").asText()).isEqualTo("1");

    Path file = dir.resolve("secret");
    Files.writeString(file, SimulatorSettings.DEMO_CLIENT_SECRET + "\n");
    assertThat(readOneUser(client(tenant(sim.clientId(), null, file, null, null, null, null))))
        .isNotNull();
    assertThatThrownBy(
            () ->
                client(tenant(sim.clientId(), null, dir.resolve("absent"), null, null, null, null)))
        .hasMessageContaining("Cannot read the client secret file")
        .hasMessageContaining("client-secret-file");
  }

  @Test
  void aCertificateInEveryFileFormSignsTheAssertion() throws Exception {
    for (Path file :
        new Path[] {
          app.pkcs8Pem(dir.resolve("pkcs8.pem")),
          app.encryptedPem(dir.resolve("encrypted.pem"), KEY_PASSWORD),
          app.pkcs1Pem(dir.resolve("pkcs1.pem")),
          app.pfx(dir.resolve("app.pfx"), KEY_PASSWORD)
        }) {
      JsonNode claims = readOneUser(client(certificate(file, KEY_PASSWORD)));
      // appidacr 2: the app authenticated with a certificate.
      assertThat(claims.path("appidacr").asText()).as(file.toString()).isEqualTo("2");
    }
  }

  @Test
  void certificateProblemsSayWhatToFixWithoutThePassword() throws Exception {
    Path encrypted = app.encryptedPem(dir.resolve("encrypted.pem"), KEY_PASSWORD);
    assertThatThrownBy(() -> client(certificate(encrypted, null)))
        .hasMessageContaining("is encrypted")
        .hasMessageContaining("AZURE_CLIENT_CERTIFICATE_PASSWORD");
    assertThatThrownBy(() -> client(certificate(encrypted, "wrong-" + KEY_PASSWORD)))
        .hasMessageContaining("Cannot decrypt")
        .hasMessageNotContaining(KEY_PASSWORD);
    Path pfx = app.pfx(dir.resolve("app.pfx"), KEY_PASSWORD);
    assertThatThrownBy(() -> client(certificate(pfx, "wrong-" + KEY_PASSWORD)))
        .hasMessageContaining("Cannot decrypt")
        .hasMessageNotContaining(KEY_PASSWORD);
    Path certOnly = dir.resolve("cert-only.pem");
    Files.writeString(
        certOnly,
        Files.readString(app.pkcs8Pem(dir.resolve("x.pem")))
            .replaceAll("(?s)-----BEGIN PRIVATE KEY-----.*", ""));
    assertThatThrownBy(() -> client(certificate(certOnly, null)))
        .hasMessageContaining("holds no private key");

    TestCertificates ec = TestCertificates.create("ec-app", "EC", 256, "SHA256withECDSA");
    Path ecPem = ec.pkcs8Pem(dir.resolve("ec.pem"));
    assertThatThrownBy(() -> client(certificate(ecPem, null)))
        .hasMessageContaining("is EC")
        .hasMessageContaining("create an RSA certificate");

    // A certificate the app registration does not know.
    TestCertificates stranger = TestCertificates.create("stranger");
    Path strangerPem = stranger.pkcs8Pem(dir.resolve("stranger.pem"));
    GraphClient graph = client(certificate(strangerPem, null));
    assertThatThrownBy(() -> graph.tokens().token())
        .isInstanceOf(GraphException.Auth.class)
        .hasMessageContaining("AADSTS700027")
        .hasMessageContaining("Certificates & secrets");
  }

  @Test
  void usernameAndPasswordThroughThePublicClientFlow() throws Exception {
    JsonNode claims =
        readOneUser(client(user(sim.publicClientId(), SimulatorSettings.DEMO_USER_PASSWORD)));
    assertThat(claims.path("idtyp").asText()).isEqualTo("user");
    assertThat(claims.path("upn").asText()).isEqualTo(SimulatorTenants.enabledMember(sim));
  }

  @Test
  void eachTokenErrorIsOneActionableLineAndIsNotRetried() throws Exception {
    assertTokenError(secret("wrong-secret-canary"), "AADSTS7000215", "secret's value");
    assertTokenError(
        tenant(
            "00000000-0000-0000-0000-00000000beef",
            SimulatorSettings.DEMO_CLIENT_SECRET,
            null,
            null,
            null,
            null,
            null),
        "AADSTS700016",
        "AZURE_CLIENT_ID");
    assertTokenError(
        user(sim.clientId(), SimulatorSettings.DEMO_USER_PASSWORD),
        "AADSTS7000218",
        "Allow public client flows");
    assertTokenError(
        user(sim.publicClientId(), "wrong-password-canary"), "AADSTS50126", "AZURE_PASSWORD");
    EntraProperties.Tenant s = secret(SimulatorSettings.DEMO_CLIENT_SECRET);
    assertTokenError(
        secretTenant(
            "no-such-tenant.onmicrosoft.com", s.clientId(), null, s.authorityHost(), s.graphUrl()),
        "AADSTS90002",
        "AZURE_TENANT_ID");
    try (GraphSimulator expired =
        GraphSimulator.start(
            SimulatorSettings.builder()
                .scale(TenantScale.TINY)
                .clientSecretExpired(true)
                .build())) {
      GraphEndpoint endpoint = DemoConnection.endpoint(expired);
      GraphClient graph =
          endpoint.client(
              new EntraProperties.Graph(null, Duration.ofSeconds(10), null, 2, Duration.ZERO, 8),
              d -> {});
      assertThatThrownBy(() -> graph.tokens().token())
          .isInstanceOf(GraphException.Auth.class)
          .hasMessageContaining("AADSTS7000222")
          .hasMessageContaining("create a new secret");
      assertThat(expired.stats().requests("token")).isEqualTo(1);
    }
  }

  private static void assertTokenError(EntraProperties.Tenant tenant, String code, String fix) {
    long before = sim.stats().requests("token");
    GraphClient graph = client(tenant);
    assertThatThrownBy(() -> graph.page(Reading.of("users"), graph.url("/users?$top=1"), false))
        .isInstanceOf(GraphException.Auth.class)
        .hasMessageContaining(code)
        .hasMessageContaining(fix)
        .satisfies(
            e ->
                assertThat(e.getMessage())
                    .doesNotContain("canary")
                    .doesNotContain(SimulatorSettings.DEMO_CLIENT_SECRET)
                    .doesNotContain(SimulatorSettings.DEMO_USER_PASSWORD)
                    .doesNotContainPattern("\\R"));
    assertThat(sim.stats().requests("token")).as(code + " is not retried").isEqualTo(before + 1);
  }

  @Test
  void theCloudPicksTheScopeAndAMismatchSaysCheckTheCloud() throws Exception {
    try (GraphSimulator usGov =
        GraphSimulator.start(
            SimulatorSettings.builder()
                .scale(TenantScale.TINY)
                .graphHost("graph.microsoft.us")
                .build())) {
      EntraProperties.Tenant global =
          secretTenant(
              usGov.tenantId(),
              usGov.clientId(),
              null,
              usGov.authorityHost(),
              usGov.graphBaseUrl());
      EntraProperties.Tenant usgov =
          secretTenant(
              usGov.tenantId(),
              usGov.clientId(),
              "usgov",
              usGov.authorityHost(),
              usGov.graphBaseUrl());
      EntraProperties.Graph settings =
          new EntraProperties.Graph(null, Duration.ofSeconds(10), null, 2, Duration.ZERO, 8);
      GraphClient right =
          TenantEndpoints.endpoint(
                  "gov", usgov, usGov.clientSslContext(), usGov.clientTrustManager())
              .client(settings, d -> {});
      assertThat(right.page(Reading.of("users"), right.url("/users?$top=1"), false).items())
          .hasSize(1);
      GraphClient wrong =
          TenantEndpoints.endpoint(
                  "gov", global, usGov.clientSslContext(), usGov.clientTrustManager())
              .client(settings, d -> {});
      assertThatThrownBy(() -> wrong.tokens().token())
          .isInstanceOf(GraphException.Auth.class)
          .hasMessageContaining("AADSTS500011")
          .hasMessageContaining("cloud");
    }
  }

  @Test
  void tokenAndGraphCallsGoThroughTheProxy() throws Exception {
    // 'localhost:<unused>' is reachable only through the proxy, which sends it to the simulator.
    int unused;
    try (ServerSocket s = new ServerSocket(0)) {
      unused = s.getLocalPort();
    }
    try (ConnectProxy proxy = new ConnectProxy(Map.of(unused, sim.port()))) {
      URI host = URI.create("https://localhost:" + unused);
      EntraProperties.Tenant viaProxy =
          secretTenant(sim.tenantId(), sim.clientId(), null, host, URI.create(host + "/v1.0"));
      assertThatThrownBy(() -> client(viaProxy).tokens().token())
          .as("without the proxy the address is unreachable")
          .isInstanceOf(GraphException.Unavailable.class);

      readOneUser(
          client(viaProxy, URI.create("http://127.0.0.1:" + proxy.port()), Duration.ofSeconds(10)));
      assertThat(proxy.targets).isNotEmpty().allMatch(t -> t.equals("localhost:" + unused));
      // MSAL's token request and OkHttp's Graph request each opened a tunnel.
      assertThat(proxy.targets.size()).isGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void aTokenEndpointThatNeverAnswersFailsAfterTheTimeout() throws Exception {
    try (ServerSocket silent = new ServerSocket(0)) {
      EntraProperties.Tenant tenant =
          secretTenant(
              sim.tenantId(),
              sim.clientId(),
              null,
              URI.create("https://127.0.0.1:" + silent.getLocalPort()),
              sim.graphBaseUrl());
      GraphClient graph = client(tenant, null, Duration.ofSeconds(1));
      long start = System.nanoTime();
      assertThatThrownBy(() -> graph.tokens().token())
          .isInstanceOf(GraphException.Unavailable.class)
          .hasMessageContaining("timeout");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
    }
  }
}
