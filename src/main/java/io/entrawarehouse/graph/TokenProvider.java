package io.entrawarehouse.graph;

import com.microsoft.aad.msal4j.AbstractClientApplicationBase;
import com.microsoft.aad.msal4j.ClientCredentialFactory;
import com.microsoft.aad.msal4j.ClientCredentialParameters;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.IAuthenticationResult;
import com.microsoft.aad.msal4j.IClientCredential;
import com.microsoft.aad.msal4j.MsalClientException;
import com.microsoft.aad.msal4j.MsalServiceException;
import com.microsoft.aad.msal4j.PublicClientApplication;
import com.microsoft.aad.msal4j.UserNamePasswordParameters;
import io.entrawarehouse.observe.Meters;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocketFactory;

/**
 * Tokens for Graph through MSAL4J: the client-credentials flow with a secret or a certificate, or
 * the public-client password flow. The current token is kept and reused until a tenth of its
 * lifetime (at most five minutes) is left, then a new one is acquired, so every request can call
 * {@link #token()} and long runs never send an expired token.
 *
 * <p>The simulator's request log showed MSAL's own cache missing for an authority that needs {@code
 * instanceDiscovery(false)}: one token request per page. Hence this explicit cache. Thread-safe.
 */
public final class TokenProvider {

  private static final Pattern AADSTS = Pattern.compile("AADSTS(\\d+)");

  private final Supplier<CompletableFuture<IAuthenticationResult>> acquire;
  private final String tenant;
  private final Credential credential;
  private final String audience;
  private Clock clock = Clock.systemUTC();

  /** This provider, telling when its token is due for renewal by {@code clock} (tests). */
  public TokenProvider withClock(Clock clock) {
    this.clock = clock;
    return this;
  }

  /** The host its tokens are for: the Graph host of the scope ({@code graph.microsoft.com}). */
  public String audience() {
    return audience;
  }

  /**
   * @param authority the authority URL, {@code https://login.../<tenant>/}
   * @param tenant the tenant id, for messages
   * @param scope the Graph scope, {@code https://<graph host>/.default}
   * @param trust an SSL socket factory for a non-default trust store, or null
   * @param proxy the proxy for token requests, or null for a direct connection
   * @param timeout connect and read timeout of each token request
   */
  public TokenProvider(
      String authority,
      String tenant,
      Credential credential,
      String scope,
      SSLSocketFactory trust,
      Proxy proxy,
      Duration timeout) {
    if (credential.clientId() == null || credential.clientId().isBlank()) {
      throw new IllegalArgumentException(
          "No client id: set AZURE_CLIENT_ID (or the tenant's client-id) to the app registration's application (client) id.");
    }
    this.tenant = tenant;
    this.credential = credential;
    this.audience = URI.create(scope).getAuthority();
    Set<String> scopes = Set.of(scope);
    try {
      if (credential instanceof Credential.UsernamePassword user) {
        PublicClientApplication app =
            configure(
                    PublicClientApplication.builder(user.clientId()),
                    authority,
                    trust,
                    proxy,
                    timeout)
                .build();
        UserNamePasswordParameters parameters =
            UserNamePasswordParameters.builder(
                    scopes, user.username(), user.password().toCharArray())
                .build();
        this.acquire = () -> app.acquireToken(parameters);
      } else {
        IClientCredential secretOrCertificate;
        if (credential instanceof Credential.ClientSecret secret) {
          secretOrCertificate = ClientCredentialFactory.createFromSecret(secret.secret());
        } else {
          Credential.ClientCertificate certificate = (Credential.ClientCertificate) credential;
          secretOrCertificate =
              ClientCredentialFactory.createFromCertificateChain(
                  certificate.key(), certificate.chain());
        }
        ConfidentialClientApplication app =
            configure(
                    ConfidentialClientApplication.builder(
                        credential.clientId(), secretOrCertificate),
                    authority,
                    trust,
                    proxy,
                    timeout)
                .build();
        ClientCredentialParameters parameters = ClientCredentialParameters.builder(scopes).build();
        this.acquire = () -> app.acquireToken(parameters);
      }
    } catch (MalformedURLException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "The authority '"
              + authority
              + "' is not a valid https URL: set AZURE_AUTHORITY_HOST to e.g. https://login.microsoftonline.com.",
          e);
    }
  }

  private static <B extends AbstractClientApplicationBase.Builder<B>> B configure(
      B builder, String authority, SSLSocketFactory trust, Proxy proxy, Duration timeout)
      throws MalformedURLException {
    builder.authority(authority);
    if (!authority.startsWith("https://login.microsoftonline.com/")) {
      // Otherwise MSAL asks login.microsoftonline.com to validate the authority.
      builder.instanceDiscovery(false);
    }
    if (trust != null) {
      builder.sslSocketFactory(trust);
    }
    if (proxy != null) {
      builder.proxy(proxy);
    }
    int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    return builder
        .connectTimeoutForDefaultHttpClient(millis)
        .readTimeoutForDefaultHttpClient(millis);
  }

  private String current;
  private Instant refreshAt = Instant.MIN;

  /** A valid access token: the current one, or a new one when it is close to expiry. */
  public synchronized String token() {
    Instant now = clock.instant();
    if (current != null && now.isBefore(refreshAt)) {
      return current;
    }
    try {
      IAuthenticationResult result = acquire.get().get();
      Meters.tokenAcquired();
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
      String advice = advice(code);
      if (advice == null) {
        // Entra's own words, first line only (the rest is trace and correlation ids).
        advice =
            "Entra ID refused the token request for tenant '"
                + tenant
                + "' ("
                + credential.describe()
                + "): "
                + String.valueOf(msal.getMessage()).lines().findFirst().orElse("");
      }
      // MSAL leaves the status unset for some flows (the password grant's invalid_grant).
      Integer status = msal.statusCode();
      return new GraphException.Auth(
          advice + " (AADSTS" + code + (status == null ? "" : ", HTTP " + status) + ")",
          status == null ? 400 : status,
          "AADSTS" + code);
    }
    if (cause instanceof MsalClientException client
        && !(client.getCause() instanceof IOException)) {
      return new GraphException.Auth(
          "MSAL could not build the token request for tenant '"
              + tenant
              + "' ("
              + credential.describe()
              + "): "
              + client.getMessage(),
          0,
          client.errorCode());
    }
    Throwable root = cause;
    boolean tls = false;
    for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
      tls |=
          t instanceof SSLException
              || t instanceof CertificateException
              || t instanceof CertPathValidatorException
              || t.getClass()
                  .getName()
                  .equals("sun.security.provider.certpath.SunCertPathBuilderException");
      root = t;
    }
    if (tls) {
      return new GraphException.Unavailable(
          "TLS with the token endpoint of tenant '"
              + tenant
              + "' failed: its certificate is not trusted ("
              + root.getMessage()
              + "). If the login host is a private endpoint, a TLS-inspecting proxy or the"
              + " simulator, set entra.graph.trust-certificate to the PEM certificate it presents"
              + " (the simulator writes one, --cert-out).",
          cause);
    }
    String why =
        root instanceof SocketTimeoutException
            ? "no answer within the timeout (entra.graph.timeout)"
            : root.getClass().getSimpleName() + ": " + root.getMessage();
    return new GraphException.Unavailable(
        "Could not reach the token endpoint of tenant '"
            + tenant
            + "' ("
            + why
            + "). Check AZURE_AUTHORITY_HOST, the proxy (entra.graph.proxy) and the network.",
        cause);
  }

  /** One line that says what is wrong and what to change, per AADSTS code; null if unknown. */
  private String advice(String code) {
    return switch (code) {
      case "7000215" ->
          "The client secret is wrong: set AZURE_CLIENT_SECRET (or the tenant's client-secret or client-secret-file) to the secret's value, not its id.";
      case "7000222" ->
          "The client secret has expired: create a new secret under the app registration's Certificates & secrets and configure its value.";
      case "700016" ->
          "The application (client) id "
              + credential.clientId()
              + " is not registered in tenant '"
              + tenant
              + "': check AZURE_CLIENT_ID and AZURE_TENANT_ID, and that the app was consented in that tenant.";
      case "90002" ->
          "Tenant '"
              + tenant
              + "' does not exist: check AZURE_TENANT_ID and the cloud (entra.tenant.cloud or AZURE_AUTHORITY_HOST).";
      case "7000218" ->
          credential instanceof Credential.UsernamePassword
              ? "The app registration does not allow public client flows: in its Authentication settings set 'Allow public client flows' to Yes, or use a client secret or certificate."
              : "The token request carried no client credential: configure a client secret or certificate.";
      case "700027", "700023" ->
          credential instanceof Credential.ClientCertificate c
              ? "Entra ID does not accept the certificate (SHA-1 thumbprint "
                  + c.thumbprint()
                  + "): upload it under the app registration's Certificates & secrets, or check that it has not expired."
              : "Entra ID did not accept the client assertion.";
      case "50126" -> "The username or password is wrong: check AZURE_USERNAME and AZURE_PASSWORD.";
      case "50034" -> "The user does not exist in tenant '" + tenant + "': check AZURE_USERNAME.";
      case "50057" -> "The user account is disabled: enable it or use another account.";
      case "50076", "50079", "50158" ->
          "The user must pass MFA or a Conditional Access check, which the password flow cannot do: use a client secret or certificate instead.";
      case "500011", "1002012" ->
          "Entra ID does not know the scope's resource in this tenant's cloud: check the cloud (entra.tenant.cloud) and the Graph URL.";
      case "7000112" -> "The application is disabled in tenant '" + tenant + "': enable it.";
      default -> null;
    };
  }
}
