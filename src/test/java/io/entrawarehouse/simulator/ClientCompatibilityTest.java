package io.entrawarehouse.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.aad.msal4j.ClientCredentialFactory;
import com.microsoft.aad.msal4j.ClientCredentialParameters;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.IAuthenticationResult;
import com.microsoft.aad.msal4j.IClientCredential;
import com.microsoft.aad.msal4j.PublicClientApplication;
import com.microsoft.aad.msal4j.UserNamePasswordParameters;
import com.microsoft.graph.core.tasks.PageIterator;
import com.microsoft.graph.models.Device;
import com.microsoft.graph.models.DeviceCollectionResponse;
import com.microsoft.graph.models.User;
import com.microsoft.graph.models.UserCollectionResponse;
import com.microsoft.graph.serviceclient.GraphServiceClient;
import io.entrawarehouse.bench.SdkClients;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real client libraries work against the simulator: MSAL4J for tokens, the Graph SDK for data.
 */
class ClientCompatibilityTest {

  static GraphSimulator simulator;

  @BeforeAll
  static void start() {
    simulator = GraphSimulator.start(SimulatorSettings.builder().scale(TenantScale.SMALL).build());
  }

  @AfterAll
  static void stop() {
    simulator.close();
  }

  private static ConfidentialClientApplication.Builder confidential(IClientCredential credential)
      throws Exception {
    return ConfidentialClientApplication.builder(simulator.clientId(), credential)
        .authority(simulator.authority().toString())
        .instanceDiscovery(false)
        .sslSocketFactory(simulator.clientSslContext().getSocketFactory());
  }

  private static IAuthenticationResult clientCredentials(ConfidentialClientApplication app)
      throws Exception {
    return app.acquireToken(ClientCredentialParameters.builder(Set.of(simulator.scope())).build())
        .get();
  }

  @Test
  void msalAcquiresATokenWithTheClientSecret() throws Exception {
    ConfidentialClientApplication app =
        confidential(ClientCredentialFactory.createFromSecret(SimulatorSettings.DEMO_CLIENT_SECRET))
            .build();

    IAuthenticationResult result = clientCredentials(app);

    assertThat(result.accessToken()).isNotBlank();
    assertThat(result.expiresOnDate()).isInTheFuture();
    assertThat(
            new SimHttp(simulator)
                .getWithAuthorization("/users?$top=1", "Bearer " + result.accessToken())
                .status())
        .isEqualTo(200);
  }

  @Test
  void msalAcquiresATokenWithACertificateAssertion() throws Exception {
    GraphSimulator.DemoCertificate demo = GraphSimulator.demoAppCertificate();
    ConfidentialClientApplication app =
        confidential(
                ClientCredentialFactory.createFromCertificate(
                    demo.privateKey(), demo.certificate()))
            .build();

    IAuthenticationResult result = clientCredentials(app);

    assertThat(
            new SimHttp(simulator)
                .getWithAuthorization("/devices?$top=1", "Bearer " + result.accessToken())
                .status())
        .isEqualTo(200);
  }

  @Test
  void msalAcquiresATokenWithThePasswordGrant() throws Exception {
    String upn =
        (String) simulator.tenant().people().user(enabledMember()).get("userPrincipalName");
    PublicClientApplication app =
        PublicClientApplication.builder(simulator.publicClientId())
            .authority(simulator.authority().toString())
            .instanceDiscovery(false)
            .sslSocketFactory(simulator.clientSslContext().getSocketFactory())
            .build();

    IAuthenticationResult result =
        app.acquireToken(
                UserNamePasswordParameters.builder(
                        Set.of(simulator.scope()),
                        upn,
                        SimulatorSettings.DEMO_USER_PASSWORD.toCharArray())
                    .build())
            .get();

    assertThat(result.account().username()).isEqualToIgnoringCase(upn);
    assertThat(
            new SimHttp(simulator)
                .getWithAuthorization("/users?$top=1", "Bearer " + result.accessToken())
                .status())
        .isEqualTo(200);
  }

  private static int enabledMember() {
    for (int u = 0; ; u++) {
      Map<String, Object> user = simulator.tenant().people().user(u);
      if (Boolean.TRUE.equals(user.get("accountEnabled"))
          && "Member".equals(user.get("userType"))) {
        return u;
      }
    }
  }

  private static GraphServiceClient graphClient() throws Exception {
    String token =
        clientCredentials(
                confidential(
                        ClientCredentialFactory.createFromSecret(
                            SimulatorSettings.DEMO_CLIENT_SECRET))
                    .build())
            .accessToken();
    return SdkClients.forSimulator(simulator, token);
  }

  @Test
  void graphSdkPagesEveryUser() throws Exception {
    GraphServiceClient graph = graphClient();
    List<String> ids = new ArrayList<>();

    UserCollectionResponse first = graph.users().get(rc -> rc.queryParameters.top = 150);
    PageIterator<User, UserCollectionResponse> pages =
        new PageIterator.Builder<User, UserCollectionResponse>()
            .client(graph)
            .collectionPage(first)
            .collectionPageFactory(UserCollectionResponse::createFromDiscriminatorValue)
            .processPageItemCallback(user -> ids.add(user.getId()))
            .build();
    pages.iterate();

    assertThat(ids).hasSize(1000).doesNotHaveDuplicates();
    Set<String> expected = new HashSet<>();
    for (int u = 0; u < 1000; u++) {
      expected.add((String) simulator.tenant().people().user(u).get("id"));
    }
    assertThat(new HashSet<>(ids)).isEqualTo(expected);
  }

  @Test
  void documentedAdvancedQueryAnswersAsDocumented() throws Exception {
    GraphServiceClient graph = graphClient();
    long expected = 0;
    for (int d = 0; d < simulator.tenant().scale().devices(); d++) {
      String name = (String) simulator.tenant().devices().device(d).get("displayName");
      if (name.toUpperCase(Locale.ROOT).startsWith("PROD")) {
        expected++;
      }
    }

    DeviceCollectionResponse response =
        graph
            .devices()
            .get(
                rc -> {
                  rc.queryParameters.filter = "startswith(displayName,'PROD')";
                  rc.queryParameters.count = true;
                  rc.headers.add("ConsistencyLevel", "eventual");
                });

    assertThat(expected).isPositive();
    assertThat(response.getOdataCount()).isEqualTo(expected);
    assertThat(response.getValue()).hasSize((int) Math.min(expected, 100));
    assertThat(response.getValue())
        .extracting(Device::getDisplayName)
        .allMatch(n -> n.startsWith("PROD"));
  }
}
