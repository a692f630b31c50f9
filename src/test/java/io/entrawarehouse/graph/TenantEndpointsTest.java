package io.entrawarehouse.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.entrawarehouse.config.EntraProperties;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which hosts, scope and credential each configured tenant gets, and what is refused. */
class TenantEndpointsTest {

  private static EntraProperties.Tenant tenant(
      String id, String cloud, String authorityHost, String graphUrl) {
    return new EntraProperties.Tenant(
        id,
        "client",
        "s3cr3t",
        null,
        null,
        null,
        null,
        null,
        cloud,
        authorityHost == null ? null : URI.create(authorityHost),
        graphUrl == null ? null : URI.create(graphUrl));
  }

  private static GraphEndpoint endpoint(EntraProperties.Tenant t) {
    return TenantEndpoints.endpoint("t", t, null, null);
  }

  private static EntraProperties properties(
      EntraProperties.Tenant single, Map<String, EntraProperties.Tenant> named) {
    return new EntraProperties(
        single,
        named,
        new EntraProperties.Graph(null, Duration.ofSeconds(30), null, 8, null, 8),
        null,
        null);
  }

  private static final EntraProperties.Tenant NONE =
      new EntraProperties.Tenant(null, null, null, null, null, null, null, null, null, null, null);

  @Test
  void eachCloudHasItsLoginHostGraphHostAndScope() {
    Map<String, List<String>> expected =
        Map.of(
            "global",
            List.of(
                "https://login.microsoftonline.com/contoso/",
                "https://graph.microsoft.com/v1.0",
                "https://graph.microsoft.com/.default"),
            "usgov",
            List.of(
                "https://login.microsoftonline.us/contoso/",
                "https://graph.microsoft.us/v1.0",
                "https://graph.microsoft.us/.default"),
            "usgov-dod",
            List.of(
                "https://login.microsoftonline.us/contoso/",
                "https://dod-graph.microsoft.us/v1.0",
                "https://dod-graph.microsoft.us/.default"),
            "china",
            List.of(
                "https://login.chinacloudapi.cn/contoso/",
                "https://microsoftgraph.chinacloudapi.cn/v1.0",
                "https://microsoftgraph.chinacloudapi.cn/.default"));
    expected.forEach(
        (cloud, hosts) -> {
          GraphEndpoint e = endpoint(tenant("contoso", cloud, null, null));
          assertThat(List.of(e.authority(), e.graphBaseUrl(), e.scope()))
              .as(cloud)
              .isEqualTo(hosts);
        });
    assertThat(endpoint(tenant("contoso", null, null, null)).graphBaseUrl())
        .isEqualTo("https://graph.microsoft.com/v1.0");
    assertThatThrownBy(() -> endpoint(tenant("contoso", "mars", null, null)))
        .hasMessageContaining("Unknown cloud 'mars'")
        .hasMessageContaining("usgov-dod");
  }

  @Test
  void theCloudFollowsAKnownHostAndExplicitHostsOverrideIt() {
    // AZURE_AUTHORITY_HOST alone moves Graph and the scope to that cloud.
    GraphEndpoint china = endpoint(tenant("t1", null, "https://login.chinacloudapi.cn", null));
    assertThat(china.graphBaseUrl()).isEqualTo("https://microsoftgraph.chinacloudapi.cn/v1.0");
    assertThat(china.scope()).isEqualTo("https://microsoftgraph.chinacloudapi.cn/.default");
    GraphEndpoint dod = endpoint(tenant("t1", null, null, "https://dod-graph.microsoft.us/v1.0"));
    assertThat(dod.authority()).isEqualTo("https://login.microsoftonline.us/t1/");
    assertThat(dod.scope()).isEqualTo("https://dod-graph.microsoft.us/.default");
    // A private endpoint keeps the cloud's scope.
    GraphEndpoint overridden =
        endpoint(
            tenant(
                "t1",
                "usgov",
                "https://login.example.internal/",
                "https://graph-gateway.example.internal/v1.0"));
    assertThat(overridden.authority()).isEqualTo("https://login.example.internal/t1/");
    assertThat(overridden.graphBaseUrl()).isEqualTo("https://graph-gateway.example.internal/v1.0");
    assertThat(overridden.scope()).isEqualTo("https://graph.microsoft.us/.default");
  }

  @Test
  void theSameTenantTwiceIsRefusedAndTenantsAreSelectedByName() {
    Map<String, EntraProperties.Tenant> named = new LinkedHashMap<>();
    named.put("contoso", tenant("11111111-1111-1111-1111-111111111111", null, null, null));
    named.put("fabrikam", tenant("22222222-2222-2222-2222-222222222222", null, null, null));
    List<GraphEndpoint> both = TenantEndpoints.resolve(properties(NONE, named));
    assertThat(both).extracting(GraphEndpoint::name).containsExactly("contoso", "fabrikam");
    assertThat(TenantEndpoints.select(both, "fabrikam"))
        .extracting(GraphEndpoint::tenantId)
        .containsExactly("22222222-2222-2222-2222-222222222222");
    assertThat(TenantEndpoints.select(both, "all")).hasSize(2);
    assertThat(TenantEndpoints.select(both, null)).hasSize(2);
    assertThatThrownBy(() -> TenantEndpoints.select(both, "northwind"))
        .hasMessageContaining("No tenant named 'northwind'")
        .hasMessageContaining("contoso, fabrikam");

    named.put("contoso-again", tenant("11111111-1111-1111-1111-111111111111", null, null, null));
    assertThatThrownBy(() -> TenantEndpoints.resolve(properties(NONE, named)))
        .hasMessageContaining("'contoso' and 'contoso-again'")
        .hasMessageContaining("configure each tenant once");
    // The AZURE_* tenant counts too, whatever the case of the id.
    named.remove("contoso-again");
    assertThatThrownBy(
            () ->
                TenantEndpoints.resolve(
                    properties(
                        tenant(
                            "11111111-1111-1111-1111-111111111111".toUpperCase(), null, null, null),
                        named)))
        .hasMessageContaining("'default' and 'contoso'");
  }

  @Test
  void incompleteTenantsNameTheSettingToFix() {
    EntraProperties.Tenant noCredential =
        new EntraProperties.Tenant(
            "t", "client", null, null, null, null, null, null, null, null, null);
    assertThatThrownBy(() -> TenantEndpoints.resolve(properties(noCredential, Map.of())))
        .hasMessageContaining("has no credential")
        .hasMessageContaining("AZURE_CLIENT_SECRET")
        .hasMessageContaining("AZURE_CLIENT_CERTIFICATE_PATH");
    EntraProperties.Tenant noPassword =
        new EntraProperties.Tenant(
            "t", "client", null, null, null, null, "u@t", null, null, null, null);
    assertThatThrownBy(() -> TenantEndpoints.resolve(properties(noPassword, Map.of())))
        .hasMessageContaining("AZURE_PASSWORD");
    EntraProperties.Tenant clientOnly =
        new EntraProperties.Tenant(
            null, "client", "s", null, null, null, null, null, null, null, null);
    assertThatThrownBy(() -> TenantEndpoints.resolve(properties(clientOnly, Map.of())))
        .hasMessageContaining("AZURE_TENANT_ID is not");
    assertThatThrownBy(
            () ->
                TenantEndpoints.resolve(
                    properties(NONE, Map.of("x", tenant(null, null, null, null)))))
        .hasMessageContaining("entra.tenants.x.id");
  }

  @Test
  void printedSettingsNeverShowASecret() {
    EntraProperties.Tenant t =
        new EntraProperties.Tenant(
            "t", "client", "s3cr3t", null, null, "k3y-pass", "u@t", "pa55", null, null, null);
    assertThat(t.toString())
        .doesNotContain("s3cr3t")
        .doesNotContain("k3y-pass")
        .doesNotContain("pa55");
    GraphEndpoint e = endpoint(t);
    assertThat(e.toString()).doesNotContain("s3cr3t");
    assertThat(e.credential().toString()).doesNotContain("s3cr3t");
    assertThat(new Credential.UsernamePassword("c", "u@t", "pa55").toString())
        .doesNotContain("pa55");
  }
}
