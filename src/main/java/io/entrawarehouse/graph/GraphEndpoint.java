package io.entrawarehouse.graph;

import io.entrawarehouse.config.EntraProperties;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;

/**
 * One tenant to read, and how: the only thing that differs between a real tenant and the demo
 * tenant. {@link #toString()} never prints a secret.
 *
 * @param name the tenant's configured name ("default" for the AZURE_* tenant, "demo")
 * @param authority the MSAL authority, {@code https://<login host>/<tenant>/}
 * @param scope the token scope, {@code https://<graph host>/.default}
 * @param ssl a TLS context with extra trust, or null for the JVM's defaults
 * @param trust the trust manager of {@code ssl}, or null
 */
public record GraphEndpoint(
    String name,
    String tenantId,
    Credential credential,
    String authority,
    String graphBaseUrl,
    String scope,
    SSLContext ssl,
    X509TrustManager trust) {

  /** A client for this endpoint with the configured proxy, timeout and retry limits. */
  public GraphClient client(EntraProperties.Graph settings, GraphClient.Sleeper sleeper) {
    Proxy proxy = proxy(settings.proxy());
    TokenProvider tokens =
        new TokenProvider(
            authority,
            tenantId,
            credential,
            scope,
            ssl == null ? null : ssl.getSocketFactory(),
            proxy,
            settings.timeout());
    return new GraphClient(
        graphBaseUrl,
        tokens,
        settings.timeout(),
        settings.reportsTimeout() == null ? settings.timeout() : settings.reportsTimeout(),
        settings.maxAttempts(),
        settings.maxBackoff(),
        settings.concurrency(),
        ssl == null ? null : ssl.getSocketFactory(),
        trust,
        proxy,
        sleeper,
        // The budget waits for real time to pass, whatever the retries' sleeper does.
        GraphBudget.of(
            settings, d -> Thread.sleep(d.toMillis(), (int) (d.toNanosPart() % 1_000_000))));
  }

  /** {@code http://host:port} or {@code socks5://host:port} as a {@link Proxy}; null if unset. */
  static Proxy proxy(URI uri) {
    if (uri == null || uri.toString().isBlank()) {
      return null;
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (uri.getUserInfo() != null) {
      throw new IllegalArgumentException(
          "The proxy URL carries a user name or password; proxies that need authentication are not"
              + " supported: give entra.graph.proxy as http://host:port.");
    }
    if (uri.getHost() == null || !(scheme.equals("http") || scheme.startsWith("socks"))) {
      throw new IllegalArgumentException(
          "The proxy '"
              + uri
              + "' is not http://host:port or socks5://host:port: fix entra.graph.proxy.");
    }
    int port = uri.getPort() > 0 ? uri.getPort() : scheme.equals("http") ? 80 : 1080;
    return new Proxy(
        scheme.equals("http") ? Proxy.Type.HTTP : Proxy.Type.SOCKS,
        InetSocketAddress.createUnresolved(uri.getHost(), port));
  }

  @Override
  public String toString() {
    return "GraphEndpoint[name="
        + name
        + ", tenant="
        + tenantId
        + ", credential="
        + credential
        + ", authority="
        + authority
        + ", graph="
        + graphBaseUrl
        + "]";
  }
}
