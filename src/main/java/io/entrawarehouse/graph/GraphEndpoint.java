package io.entrawarehouse.graph;

import io.entrawarehouse.config.EntraProperties;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;

/**
 * Where and as whom to reach Graph: the only thing that differs between a real tenant and the demo
 * tenant. {@link #toString()} never prints the secret.
 *
 * @param ssl a TLS context with extra trust, or null for the JVM's defaults
 * @param trust the trust manager of {@code ssl}, or null
 */
public record GraphEndpoint(
    String tenantId,
    String clientId,
    String clientSecret,
    String authority,
    String graphBaseUrl,
    String scope,
    SSLContext ssl,
    X509TrustManager trust) {

  /** A client for this endpoint with the configured timeout and retry limits. */
  public GraphClient client(EntraProperties.Graph settings, GraphClient.Sleeper sleeper) {
    TokenProvider tokens =
        new TokenProvider(
            authority,
            tenantId,
            clientId,
            clientSecret,
            scope,
            ssl == null ? null : ssl.getSocketFactory());
    return new GraphClient(
        graphBaseUrl,
        tokens,
        settings.timeout(),
        settings.maxAttempts(),
        settings.maxBackoff(),
        ssl == null ? null : ssl.getSocketFactory(),
        trust,
        sleeper);
  }

  @Override
  public String toString() {
    return "GraphEndpoint[tenant="
        + tenantId
        + ", client="
        + clientId
        + ", authority="
        + authority
        + ", graph="
        + graphBaseUrl
        + "]";
  }
}
