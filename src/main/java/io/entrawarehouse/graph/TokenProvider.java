package io.entrawarehouse.graph;

import com.microsoft.aad.msal4j.ClientCredentialFactory;
import com.microsoft.aad.msal4j.ClientCredentialParameters;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.IAuthenticationResult;
import com.microsoft.aad.msal4j.MsalServiceException;
import java.net.MalformedURLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocketFactory;

/**
 * Application tokens for Graph through MSAL4J's client-credentials flow. The current token is kept
 * and reused until a tenth of its lifetime (at most five minutes) is left, then a new one is
 * acquired, so every request can call {@link #token()} and long runs never send an expired token.
 *
 * <p>The simulator's request log showed MSAL's own cache missing for an authority that needs {@code
 * instanceDiscovery(false)}: one token request per page. Hence this explicit cache. Thread-safe.
 */
public final class TokenProvider {

  private static final Pattern AADSTS = Pattern.compile("AADSTS(\\d+)");

  private final ConfidentialClientApplication app;
  private final ClientCredentialParameters parameters;
  private final String tenant;

  /**
   * @param authority the authority URL, {@code https://login.../<tenant>/}
   * @param trust an SSL socket factory for a non-default trust store, or null
   */
  public TokenProvider(
      String authority,
      String tenant,
      String clientId,
      String clientSecret,
      String scope,
      SSLSocketFactory trust) {
    if (clientId == null || clientId.isBlank()) {
      throw new IllegalArgumentException(
          "No client id: set AZURE_CLIENT_ID (or entra.tenant.client-id) to the app registration's application (client) id.");
    }
    if (clientSecret == null || clientSecret.isBlank()) {
      throw new IllegalArgumentException(
          "No client secret: set AZURE_CLIENT_SECRET (or entra.tenant.client-secret) to the app registration's client secret value.");
    }
    this.tenant = tenant;
    try {
      ConfidentialClientApplication.Builder builder =
          ConfidentialClientApplication.builder(
                  clientId, ClientCredentialFactory.createFromSecret(clientSecret))
              .authority(authority);
      if (!authority.startsWith("https://login.microsoftonline.com/")) {
        // Otherwise MSAL asks login.microsoftonline.com to validate the authority.
        builder.instanceDiscovery(false);
      }
      if (trust != null) {
        builder.sslSocketFactory(trust);
      }
      this.app = builder.build();
    } catch (MalformedURLException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "The authority '"
              + authority
              + "' is not a valid https URL: set AZURE_AUTHORITY_HOST to e.g. https://login.microsoftonline.com.",
          e);
    }
    this.parameters = ClientCredentialParameters.builder(Set.of(scope)).build();
  }

  private String current;
  private Instant refreshAt = Instant.MIN;

  /** A valid access token: the current one, or a new one when it is close to expiry. */
  public synchronized String token() {
    Instant now = Instant.now();
    if (current != null && now.isBefore(refreshAt)) {
      return current;
    }
    try {
      IAuthenticationResult result = app.acquireToken(parameters).get();
      Instant expires = result.expiresOnDate().toInstant();
      Duration margin = Duration.between(now, expires).dividedBy(10);
      if (margin.compareTo(Duration.ofMinutes(5)) > 0) {
        margin = Duration.ofMinutes(5);
      }
      current = result.accessToken();
      refreshAt = expires.minus(margin);
      return current;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GraphException("Interrupted while acquiring a token", e);
    } catch (ExecutionException e) {
      throw translate(e.getCause());
    }
  }

  private GraphException translate(Throwable cause) {
    if (cause instanceof MsalServiceException msal) {
      Matcher m = AADSTS.matcher(String.valueOf(msal.getMessage()));
      String code = m.find() ? m.group(1) : "";
      String advice =
          switch (code) {
            case "7000215" ->
                "The client secret is wrong: set AZURE_CLIENT_SECRET to the secret's value (not its id).";
            case "7000222" ->
                "The client secret has expired: create a new one for the app registration and set AZURE_CLIENT_SECRET.";
            case "700016" ->
                "The application (client) id is not registered in tenant '"
                    + tenant
                    + "': check AZURE_CLIENT_ID and AZURE_TENANT_ID.";
            case "90002" ->
                "Tenant '"
                    + tenant
                    + "' does not exist: check AZURE_TENANT_ID (and the cloud in AZURE_AUTHORITY_HOST).";
            case "7000218" -> "The token request carried no credential: set AZURE_CLIENT_SECRET.";
            default -> "Entra ID refused the token request.";
          };
      return new GraphException.Auth(
          advice + " (AADSTS" + code + ", HTTP " + msal.statusCode() + ")",
          msal.statusCode(),
          "AADSTS" + code);
    }
    return new GraphException.Unavailable(
        "Could not reach the token endpoint: "
            + cause.getMessage()
            + ". Check AZURE_AUTHORITY_HOST and the network.",
        cause);
  }
}
