package io.entrawarehouse.simulator;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The simulated Entra ID token endpoint and the validation of the tokens it issues.
 *
 * <p>Two app registrations exist: a confidential client (secret or certificate) and a public client
 * for the password grant. Access tokens are JWTs with Entra's claims ({@code roles} for app tokens,
 * {@code scp} for delegated ones), signed with an HMAC key derived from the seed so that a
 * restarted simulator still accepts them. Failures answer with Entra's error JSON and AADSTS codes.
 * Thread-safe.
 */
final class TokenService {

  /** A token request's answer: HTTP status and JSON body. */
  record Response(int status, Map<String, Object> body) {}

  /** What a valid access token says. */
  record Claims(String appId, Set<String> permissions, boolean delegated, Instant expires) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();
  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private final SimulatorSettings settings;
  private final DemoTenant tenant;
  private final RequestLog log;
  private final byte[] key;
  private final String clientId;
  private final String publicClientId;
  private final String servicePrincipalId;

  TokenService(SimulatorSettings settings, DemoTenant tenant, RequestLog log) {
    this.settings = settings;
    this.tenant = tenant;
    this.log = log;
    this.key = sha256(("entra-warehouse-simulator:" + settings.seed() + ":" + tenant.tenantId()));
    this.clientId = Hashing.uuid(settings.seed(), DemoTenant.APP, 1_000_000_001L);
    this.publicClientId = Hashing.uuid(settings.seed(), DemoTenant.APP, 1_000_000_002L);
    this.servicePrincipalId =
        Hashing.uuid(settings.seed(), DemoTenant.SERVICE_PRINCIPAL, 1_000_000_001L);
  }

  String clientId() {
    return clientId;
  }

  String publicClientId() {
    return publicClientId;
  }

  // ---------------------------------------------------------------- token endpoint

  Response token(String tenantSegment, Map<String, String> form, String tokenEndpointUrl) {
    if (!knownTenant(tenantSegment)) {
      return error(
          400,
          "invalid_request",
          90002,
          "Tenant '"
              + tenantSegment
              + "' not found. Check to make sure you have the correct tenant ID and are signing"
              + " into the correct cloud. Check with your subscription administrator, this may"
              + " happen if there are no active subscriptions for the tenant.");
    }
    String grant = form.getOrDefault("grant_type", "");
    String client = form.getOrDefault("client_id", "");
    if (client.isEmpty()) {
      return error(
          400,
          "invalid_request",
          900144,
          "The request body must contain the following parameter: 'client_id'.");
    }
    if (!client.equalsIgnoreCase(clientId) && !client.equalsIgnoreCase(publicClientId)) {
      return error(
          400,
          "unauthorized_client",
          700016,
          "Application with identifier '"
              + client
              + "' was not found in the directory 'Contoso'. This can happen if the application"
              + " has not been installed by the administrator of the tenant or consented to by any"
              + " user in the tenant. You may have sent your authentication request to the wrong"
              + " tenant.");
    }
    return switch (grant) {
      case "client_credentials" -> clientCredentials(client, form, tokenEndpointUrl);
      case "password" -> password(client, form, tokenEndpointUrl);
      default ->
          error(
              400,
              "unsupported_grant_type",
              70003,
              "The app requested an unsupported grant type '" + grant + "'.");
    };
  }

  private boolean knownTenant(String segment) {
    return segment.equalsIgnoreCase(tenant.tenantId())
        || segment.equalsIgnoreCase(tenant.domain())
        || segment.equalsIgnoreCase("organizations");
  }

  private Response clientCredentials(String client, Map<String, String> form, String audience) {
    if (client.equalsIgnoreCase(publicClientId)) {
      return error(
          401,
          "invalid_client",
          7000218,
          "The request body must contain the following parameter: 'client_assertion' or"
              + " 'client_secret'.");
    }
    String scope = resourceScope(form);
    if (!scope.endsWith("/.default") || scope.contains(" ")) {
      return error(
          400,
          "invalid_scope",
          1002012,
          "The provided value for scope "
              + scope
              + " is not valid. Client credential flows must have a scope value with /.default"
              + " suffixed to the resource identifier (application ID URI).");
    }
    Response failure = authenticateClient(form, audience);
    if (failure == null) {
      failure = unknownResource(scope);
    }
    if (failure != null) {
      return failure;
    }
    String method = form.containsKey("client_assertion") ? "2" : "1";
    Map<String, Object> claims = baseClaims();
    claims.put("appid", clientId);
    claims.put("appidacr", method);
    claims.put("idtyp", "app");
    claims.put("oid", servicePrincipalId);
    claims.put("sub", servicePrincipalId);
    claims.put("roles", new ArrayList<>(new TreeSet<>(settings.grantedPermissions())));
    return issued(claims, null);
  }

  /** Checks the client secret or certificate assertion; null when the client is authenticated. */
  private Response authenticateClient(Map<String, String> form, String audience) {
    String secret = form.get("client_secret");
    String assertion = form.get("client_assertion");
    if (secret == null && assertion == null) {
      return error(
          401,
          "invalid_client",
          7000218,
          "The request body must contain the following parameter: 'client_assertion' or"
              + " 'client_secret'.");
    }
    if (secret != null) {
      if (!MessageDigest.isEqual(
          secret.getBytes(StandardCharsets.UTF_8),
          settings.clientSecret().getBytes(StandardCharsets.UTF_8))) {
        return error(
            401,
            "invalid_client",
            7000215,
            "Invalid client secret provided. Ensure the secret being sent in the request is the"
                + " client secret value, not the client secret ID, for a secret added to app '"
                + clientId
                + "'.");
      }
      if (settings.clientSecretExpired()) {
        return error(
            401,
            "invalid_client",
            7000222,
            "The provided client secret keys for app '"
                + clientId
                + "' are expired. Visit the Azure portal to create new keys for your app:"
                + " https://aka.ms/NewClientSecret, or consider using certificate credentials for"
                + " added security: https://aka.ms/certCreds.");
      }
      return null;
    }
    return verifyAssertion(assertion, form.get("client_assertion_type"), audience);
  }

  private Response verifyAssertion(String assertion, String type, String audience) {
    if (!"urn:ietf:params:oauth:client-assertion-type:jwt-bearer".equals(type)) {
      return error(
          400,
          "invalid_request",
          50027,
          "The client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer.");
    }
    String[] parts = assertion.split("\\.");
    if (parts.length != 3) {
      return error(401, "invalid_client", 50027, "JWT token is invalid or malformed.");
    }
    Map<String, Object> header;
    Map<String, Object> payload;
    try {
      header = JSON.readValue(B64D.decode(parts[0]), new TypeReference<>() {});
      payload = JSON.readValue(B64D.decode(parts[1]), new TypeReference<>() {});
    } catch (Exception e) {
      return error(401, "invalid_client", 50027, "JWT token is invalid or malformed.");
    }
    X509Certificate certificate = findCertificate(header);
    if (certificate == null) {
      return error(
          401,
          "invalid_client",
          700027,
          "The certificate with identifier used to sign the client assertion is not registered on"
              + " application. [Reason - The key was not found., Thumbprint of key used by client: '"
              + header.getOrDefault("x5t", header.get("x5t#S256"))
              + "']");
    }
    if (!signatureValid(String.valueOf(header.get("alg")), certificate, parts)) {
      return error(401, "invalid_client", 700027, "Client assertion failed signature validation.");
    }
    long now = settings.clock().instant().getEpochSecond();
    long exp = number(payload.get("exp"));
    long nbf = payload.containsKey("nbf") ? number(payload.get("nbf")) : 0;
    if (exp <= now || nbf > now + 300) {
      return error(
          401, "invalid_client", 700024, "Client assertion is not within its valid time range.");
    }
    if (!clientId.equalsIgnoreCase(String.valueOf(payload.get("iss")))
        || !clientId.equalsIgnoreCase(String.valueOf(payload.get("sub")))) {
      return error(
          401,
          "invalid_client",
          700021,
          "Client assertion application identifier doesn't match 'client_id' parameter.");
    }
    if (!audience.equalsIgnoreCase(String.valueOf(payload.get("aud")))) {
      return error(
          401,
          "invalid_client",
          700212,
          "No matching federated identity record found for presented assertion audience '"
              + payload.get("aud")
              + "'.");
    }
    return null;
  }

  private X509Certificate findCertificate(Map<String, Object> header) {
    for (X509Certificate c : settings.clientCertificates()) {
      try {
        byte[] der = c.getEncoded();
        if (B64.encodeToString(digest("SHA-1", der)).equals(stripPadding(header.get("x5t")))
            || B64.encodeToString(digest("SHA-256", der))
                .equals(stripPadding(header.get("x5t#S256")))) {
          return c;
        }
      } catch (CertificateEncodingException e) {
        // An unreadable registered certificate matches nothing.
      }
    }
    return null;
  }

  private static String stripPadding(Object value) {
    return value == null
        ? null
        : value.toString().replace("=", "").replace('+', '-').replace('/', '_');
  }

  private static boolean signatureValid(String alg, X509Certificate certificate, String[] parts) {
    try {
      Signature signature;
      if ("RS256".equals(alg)) {
        signature = Signature.getInstance("SHA256withRSA");
      } else if ("PS256".equals(alg)) {
        signature = Signature.getInstance("RSASSA-PSS");
        signature.setParameter(
            new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
      } else {
        return false;
      }
      signature.initVerify(certificate.getPublicKey());
      signature.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      return signature.verify(B64D.decode(parts[2]));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  private Response password(String client, Map<String, String> form, String audience) {
    if (client.equalsIgnoreCase(clientId)) {
      Response failure = authenticateClient(form, audience);
      if (failure != null) {
        return failure;
      }
    }
    Response unknown = unknownResource(resourceScope(form));
    if (unknown != null) {
      return unknown;
    }
    String username = form.getOrDefault("username", "");
    int user = findUser(username);
    if (user < 0) {
      return error(
          400,
          "invalid_grant",
          50034,
          "The user account "
              + username
              + " does not exist in the "
              + tenant.domain()
              + " directory.");
    }
    Map<String, Object> profile = tenant.people().user(user);
    if (!Boolean.TRUE.equals(profile.get("accountEnabled"))) {
      return error(400, "invalid_grant", 50057, "The user account is disabled.");
    }
    if (!MessageDigest.isEqual(
        form.getOrDefault("password", "").getBytes(StandardCharsets.UTF_8),
        settings.userPassword().getBytes(StandardCharsets.UTF_8))) {
      return error(
          400,
          "invalid_grant",
          50126,
          "Error validating credentials due to invalid username or password.");
    }
    String oid = (String) profile.get("id");
    Map<String, Object> claims = baseClaims();
    claims.put("appid", client);
    claims.put("appidacr", client.equalsIgnoreCase(clientId) ? "1" : "0");
    claims.put("idtyp", "user");
    claims.put("oid", oid);
    claims.put("sub", oid);
    claims.put("upn", profile.get("userPrincipalName"));
    claims.put("name", profile.get("displayName"));
    claims.put(
        "scp", settings.grantedPermissions().stream().sorted().collect(Collectors.joining(" ")));
    Map<String, Object> idToken = new LinkedHashMap<>();
    idToken.put("aud", client);
    idToken.put("iss", "https://login.microsoftonline.com/" + tenant.tenantId() + "/v2.0");
    idToken.put("iat", claims.get("iat"));
    idToken.put("nbf", claims.get("nbf"));
    idToken.put("exp", claims.get("exp"));
    idToken.put("name", profile.get("displayName"));
    idToken.put("oid", oid);
    idToken.put("preferred_username", profile.get("userPrincipalName"));
    idToken.put("sub", oid);
    idToken.put("tid", tenant.tenantId());
    idToken.put("ver", "2.0");
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("refresh_token", "0.simulated." + UUID.randomUUID());
    extra.put("id_token", jwt(idToken));
    extra.put(
        "client_info",
        B64.encodeToString(
            ("{\"uid\":\"" + oid + "\",\"utid\":\"" + tenant.tenantId() + "\"}")
                .getBytes(StandardCharsets.UTF_8)));
    return issued(claims, extra);
  }

  /** The requested scope without the OIDC scopes MSAL adds to every request. */
  private static String resourceScope(Map<String, String> form) {
    return Arrays.stream(form.getOrDefault("scope", "").split(" "))
        .filter(s -> !s.isEmpty() && !Set.of("openid", "profile", "offline_access").contains(s))
        .collect(Collectors.joining(" "));
  }

  /**
   * Entra's answer to a scope whose resource is not this cloud's Graph (a client configured for
   * another cloud); null when the resource is this tenant's Graph.
   */
  private Response unknownResource(String scope) {
    String resource = scope.replaceFirst("/\\.default$", "").replaceFirst("/+$", "");
    if (resource.equalsIgnoreCase("https://" + settings.graphHost())
        || resource.equalsIgnoreCase("00000003-0000-0000-c000-000000000000")) {
      return null;
    }
    return error(
        400,
        "invalid_resource",
        500011,
        "The resource principal named "
            + resource
            + " was not found in the tenant named "
            + tenant.domain()
            + ". This can happen if the application has not been installed by the administrator of"
            + " the tenant or consented to by any user in the tenant. You might have sent your"
            + " authentication request to the wrong tenant.");
  }

  private int findUser(String upn) {
    for (int u = 0; u < tenant.scale().users(); u++) {
      if (tenant.people().userPrincipalName(u).equalsIgnoreCase(upn)) {
        return u;
      }
    }
    return -1;
  }

  private Map<String, Object> baseClaims() {
    long now = settings.clock().instant().getEpochSecond();
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("aud", "https://" + settings.graphHost());
    claims.put("iss", "https://sts.windows.net/" + tenant.tenantId() + "/");
    claims.put("iat", now);
    claims.put("nbf", now);
    claims.put("exp", now + settings.tokenLifetime().getSeconds());
    claims.put("tid", tenant.tenantId());
    claims.put("uti", UUID.randomUUID().toString());
    claims.put("ver", "1.0");
    return claims;
  }

  private Response issued(Map<String, Object> claims, Map<String, Object> extra) {
    Map<String, Object> body = new LinkedHashMap<>();
    long lifetime = settings.tokenLifetime().getSeconds();
    body.put("token_type", "Bearer");
    if (claims.containsKey("scp")) {
      body.put("scope", claims.get("scp"));
    }
    body.put("expires_in", lifetime);
    body.put("ext_expires_in", lifetime);
    body.put("access_token", jwt(claims));
    if (extra != null) {
      body.putAll(extra);
    }
    log.tokenIssued();
    return new Response(200, body);
  }

  private Response error(int status, String error, int code, String description) {
    Instant now = settings.clock().instant();
    String trace = UUID.randomUUID().toString();
    String correlation = UUID.randomUUID().toString();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", error);
    body.put(
        "error_description",
        "AADSTS"
            + code
            + ": "
            + description
            + " Trace ID: "
            + trace
            + " Correlation ID: "
            + correlation
            + " Timestamp: "
            + TIMESTAMP.format(now));
    body.put("error_codes", List.of(code));
    body.put("timestamp", TIMESTAMP.format(now));
    body.put("trace_id", trace);
    body.put("correlation_id", correlation);
    body.put("error_uri", "https://login.microsoftonline.com/error?code=" + code);
    return new Response(status, body);
  }

  // ---------------------------------------------------------------- access tokens

  private String jwt(Map<String, Object> claims) {
    try {
      String header =
          B64.encodeToString(
              "{\"typ\":\"JWT\",\"alg\":\"HS256\",\"kid\":\"simulator\"}"
                  .getBytes(StandardCharsets.UTF_8));
      byte[] claimBytes = JSON.writeValueAsBytes(claims);
      String payload = B64.encodeToString(settings.opaqueTokens() ? seal(claimBytes) : claimBytes);
      return header + "." + payload + "." + B64.encodeToString(hmac(header + "." + payload));
    } catch (Exception e) {
      throw new IllegalStateException("could not encode a token", e);
    }
  }

  /** Validates a bearer token from an Authorization header; throws Graph's 401 when it is not. */
  Claims verify(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw GraphError.invalidToken("Access token is empty.");
    }
    String token = authorization.substring(7).trim();
    String[] parts = token.split("\\.");
    if (parts.length != 3
        || !MessageDigest.isEqual(
            B64.encodeToString(hmac(parts[0] + "." + parts[1])).getBytes(StandardCharsets.US_ASCII),
            parts[2].getBytes(StandardCharsets.US_ASCII))) {
      throw GraphError.invalidToken(
          "Invalid JWT token. The token is malformed or its signature is invalid.");
    }
    Map<String, Object> claims;
    try {
      byte[] payload = B64D.decode(parts[1]);
      claims =
          JSON.readValue(
              settings.opaqueTokens() ? unseal(payload) : payload, new TypeReference<>() {});
    } catch (Exception e) {
      throw GraphError.invalidToken("Invalid JWT token.");
    }
    Instant expires = Instant.ofEpochSecond(number(claims.get("exp")));
    if (!settings.clock().instant().isBefore(expires)) {
      throw GraphError.invalidToken("Access token has expired or is not yet valid.");
    }
    if (!tenant.tenantId().equals(claims.get("tid"))) {
      throw GraphError.invalidToken("Access token validation failure. Invalid audience.");
    }
    boolean delegated = claims.containsKey("scp");
    Set<String> permissions;
    if (delegated) {
      permissions = Set.of(String.valueOf(claims.get("scp")).split(" "));
    } else {
      Object roles = claims.get("roles");
      permissions =
          roles instanceof List<?> list
              ? list.stream().map(String::valueOf).collect(Collectors.toUnmodifiableSet())
              : Set.of();
    }
    return new Claims(String.valueOf(claims.get("appid")), permissions, delegated, expires);
  }

  /** The claims encrypted (AES-GCM, a random nonce first): an opaque token's payload. */
  private byte[] seal(byte[] claims) throws GeneralSecurityException {
    byte[] nonce = new byte[12];
    new SecureRandom().nextBytes(nonce);
    Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
    aes.init(
        Cipher.ENCRYPT_MODE,
        new SecretKeySpec(digest("SHA-256", key), "AES"),
        new GCMParameterSpec(128, nonce));
    byte[] sealed = aes.doFinal(claims);
    byte[] out = new byte[nonce.length + sealed.length];
    System.arraycopy(nonce, 0, out, 0, nonce.length);
    System.arraycopy(sealed, 0, out, nonce.length, sealed.length);
    return out;
  }

  private byte[] unseal(byte[] payload) throws GeneralSecurityException {
    Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
    aes.init(
        Cipher.DECRYPT_MODE,
        new SecretKeySpec(digest("SHA-256", key), "AES"),
        new GCMParameterSpec(128, payload, 0, 12));
    return aes.doFinal(payload, 12, payload.length - 12);
  }

  private byte[] hmac(String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required by every Java runtime", e);
    }
  }

  /** An HMAC over arbitrary text with the simulator's key; used to make skiptokens opaque. */
  String sign(String data) {
    return B64.encodeToString(hmac(data)).substring(0, 16);
  }

  private static long number(Object value) {
    return value instanceof Number n ? n.longValue() : 0;
  }

  private static byte[] sha256(String text) {
    return digest("SHA-256", text.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] digest(String algorithm, byte[] data) {
    try {
      return MessageDigest.getInstance(algorithm).digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(algorithm + " is required by every Java runtime", e);
    }
  }
}
