package io.entrawarehouse.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The token endpoint's answers and Graph's 401/403, each with Entra's documented codes. */
class AuthTest {

  private static GraphSimulator start(SimulatorSettings.Builder b) {
    return GraphSimulator.start(b.scale(TenantScale.TINY).throttling(false).build());
  }

  private static void assertEntraError(SimHttp.Reply reply, int status, String error, int code) {
    assertThat(reply.status()).isEqualTo(status);
    assertThat(reply.json().get("error").asText()).isEqualTo(error);
    assertThat(reply.json().get("error_codes").get(0).asInt()).isEqualTo(code);
    assertThat(reply.json().get("error_description").asText()).startsWith("AADSTS" + code + ": ");
    assertThat(reply.json().has("trace_id")).isTrue();
    assertThat(reply.json().has("correlation_id")).isTrue();
  }

  @Test
  void tokenErrorsCarryTheRightAadstsCodes() throws Exception {
    try (GraphSimulator sim = start(SimulatorSettings.builder())) {
      SimHttp http = new SimHttp(sim);
      assertEntraError(
          http.tokenRequest(sim.tenantId(), http.secretForm("wrong")),
          401,
          "invalid_client",
          7000215);

      Map<String, String> unknownApp = http.secretForm(SimulatorSettings.DEMO_CLIENT_SECRET);
      unknownApp.put("client_id", "11111111-2222-3333-4444-555555555555");
      assertEntraError(
          http.tokenRequest(sim.tenantId(), unknownApp), 400, "unauthorized_client", 700016);

      assertEntraError(
          http.tokenRequest(
              "no-such-tenant.onmicrosoft.com",
              http.secretForm(SimulatorSettings.DEMO_CLIENT_SECRET)),
          400,
          "invalid_request",
          90002);

      Map<String, String> publicClient = http.secretForm(SimulatorSettings.DEMO_CLIENT_SECRET);
      publicClient.put("client_id", sim.publicClientId());
      publicClient.remove("client_secret");
      assertEntraError(
          http.tokenRequest(sim.tenantId(), publicClient), 401, "invalid_client", 7000218);

      Map<String, String> badScope = http.secretForm(SimulatorSettings.DEMO_CLIENT_SECRET);
      badScope.put("scope", "User.Read");
      assertEntraError(http.tokenRequest(sim.tenantId(), badScope), 400, "invalid_scope", 1002012);
    }
  }

  @Test
  void anExpiredSecretIsReportedAsExpired() throws Exception {
    try (GraphSimulator sim = start(SimulatorSettings.builder().clientSecretExpired(true))) {
      SimHttp http = new SimHttp(sim);
      assertEntraError(
          http.tokenRequest(sim.tenantId(), http.secretForm(SimulatorSettings.DEMO_CLIENT_SECRET)),
          401,
          "invalid_client",
          7000222);
    }
  }

  @Test
  void thePasswordGrantChecksTheUser() throws Exception {
    try (GraphSimulator sim = start(SimulatorSettings.builder())) {
      SimHttp http = new SimHttp(sim);
      String enabled = null;
      String disabled = null;
      for (int u = 0; u < sim.tenant().scale().users(); u++) {
        Map<String, Object> user = sim.tenant().people().user(u);
        if (!"Member".equals(user.get("userType"))) {
          continue;
        }
        if (Boolean.TRUE.equals(user.get("accountEnabled"))) {
          enabled = (String) user.get("userPrincipalName");
        } else {
          disabled = (String) user.get("userPrincipalName");
        }
      }
      Map<String, String> form = new LinkedHashMap<>();
      form.put("grant_type", "password");
      form.put("client_id", sim.publicClientId());
      form.put("scope", sim.scope() + " openid profile offline_access");
      form.put("username", enabled);
      form.put("password", SimulatorSettings.DEMO_USER_PASSWORD);
      SimHttp.Reply ok = http.tokenRequest(sim.tenantId(), form);
      assertThat(ok.status()).isEqualTo(200);
      assertThat(claims(ok.json().get("access_token").asText()).get("upn").asText())
          .isEqualTo(enabled);

      form.put("password", "wrong");
      assertEntraError(http.tokenRequest(sim.tenantId(), form), 400, "invalid_grant", 50126);
      form.put("password", SimulatorSettings.DEMO_USER_PASSWORD);
      form.put("username", disabled);
      assertEntraError(http.tokenRequest(sim.tenantId(), form), 400, "invalid_grant", 50057);
    }
  }

  @Test
  void appTokensCarryTheGrantedRoles() throws Exception {
    try (GraphSimulator sim = start(SimulatorSettings.builder().deny("Device.Read.All"))) {
      JsonNode claims = claims(new SimHttp(sim).token());
      assertThat(claims.get("tid").asText()).isEqualTo(sim.tenantId());
      assertThat(claims.get("appid").asText()).isEqualTo(sim.clientId());
      assertThat(claims.get("roles").toString())
          .contains("User.Read.All")
          .doesNotContain("Device.Read.All");
    }
  }

  @Test
  void graphAnswers401ForMissingBadAndExpiredTokens() throws Exception {
    MutableClock clock = new MutableClock(Instant.now());
    try (GraphSimulator sim =
        start(SimulatorSettings.builder().clock(clock).tokenLifetime(Duration.ofSeconds(60)))) {
      SimHttp http = new SimHttp(sim);
      SimHttp.Reply missing = http.getWithAuthorization("/users", null);
      assertThat(missing.status()).isEqualTo(401);
      assertThat(missing.errorCode()).isEqualTo("InvalidAuthenticationToken");

      assertThat(http.getWithAuthorization("/users", "Bearer not.a.token").status()).isEqualTo(401);

      String token = http.token();
      assertThat(http.getWithAuthorization("/users", "Bearer " + token).status()).isEqualTo(200);
      clock.advance(Duration.ofSeconds(61));
      SimHttp.Reply expired = http.getWithAuthorization("/users", "Bearer " + token);
      assertThat(expired.status()).isEqualTo(401);
      assertThat(expired.errorCode()).isEqualTo("InvalidAuthenticationToken");
      assertThat(expired.errorMessage()).isEqualTo("Access token has expired or is not yet valid.");
    }
  }

  @Test
  void aMissingPermissionIs403OnlyWhereItIsNeeded() throws Exception {
    try (GraphSimulator sim =
        start(SimulatorSettings.builder().deny("Device.Read.All").deny("Directory.Read.All"))) {
      SimHttp http = new SimHttp(sim);
      SimHttp.Reply devices = http.get("/devices");
      assertThat(devices.status()).isEqualTo(403);
      assertThat(devices.errorCode()).isEqualTo("Authorization_RequestDenied");
      assertThat(devices.errorMessage())
          .isEqualTo("Insufficient privileges to complete the operation.");
      assertThat(http.get("/users").status()).isEqualTo(200);
      // Logs need AuditLog.Read.All and Directory.Read.All.
      assertThat(http.get("/auditLogs/directoryAudits").status()).isEqualTo(403);
    }
  }

  @Test
  void anAssertionSignedByAnUnregisteredCertificateIsRefused() throws Exception {
    try (GraphSimulator sim = start(SimulatorSettings.builder())) {
      SimHttp http = new SimHttp(sim);
      Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
      String header =
          b64.encodeToString(
              "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"x5t\":\"bm90LXJlZ2lzdGVyZWQ\"}"
                  .getBytes(StandardCharsets.UTF_8));
      String payload =
          b64.encodeToString(
              ("{\"aud\":\""
                      + sim.tokenUrl()
                      + "\",\"iss\":\""
                      + sim.clientId()
                      + "\",\"sub\":\""
                      + sim.clientId()
                      + "\",\"exp\":"
                      + (Instant.now().getEpochSecond() + 600)
                      + "}")
                  .getBytes(StandardCharsets.UTF_8));
      Map<String, String> form = new LinkedHashMap<>();
      form.put("grant_type", "client_credentials");
      form.put("client_id", sim.clientId());
      form.put("scope", sim.scope());
      form.put("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
      form.put(
          "client_assertion", header + "." + payload + "." + b64.encodeToString(new byte[256]));
      assertEntraError(http.tokenRequest(sim.tenantId(), form), 401, "invalid_client", 700027);
    }
  }

  private static JsonNode claims(String jwt) throws Exception {
    return SimHttp.JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
  }
}
