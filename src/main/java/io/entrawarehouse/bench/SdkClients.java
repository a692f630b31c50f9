package io.entrawarehouse.bench;

import com.microsoft.graph.core.requests.GraphClientFactory;
import com.microsoft.graph.serviceclient.GraphServiceClient;
import com.microsoft.kiota.authentication.AccessTokenProvider;
import com.microsoft.kiota.authentication.AllowedHostsValidator;
import com.microsoft.kiota.authentication.BaseBearerTokenAuthenticationProvider;
import io.entrawarehouse.simulator.GraphSimulator;
import java.net.URI;
import java.util.Map;

/**
 * A Graph SDK client for the simulator. The SDK's stock TokenCredential sends no Authorization
 * header to hosts that are not Graph's (NOTES.md), so it gets a fixed bearer token instead.
 */
public final class SdkClients {
  private SdkClients() {}

  public static GraphServiceClient forSimulator(GraphSimulator sim, String token) {
    AccessTokenProvider tokens =
        new AccessTokenProvider() {
          private final AllowedHostsValidator hosts = new AllowedHostsValidator("127.0.0.1");

          @Override
          public String getAuthorizationToken(URI uri, Map<String, Object> context) {
            return token;
          }

          @Override
          public AllowedHostsValidator getAllowedHostsValidator() {
            return hosts;
          }
        };
    GraphServiceClient sdk =
        new GraphServiceClient(
            new BaseBearerTokenAuthenticationProvider(tokens),
            GraphClientFactory.create()
                .sslSocketFactory(
                    sim.clientSslContext().getSocketFactory(), sim.clientTrustManager())
                .build());
    sdk.getRequestAdapter().setBaseUrl(sim.graphBaseUrl().toString());
    return sdk;
  }
}
