package io.entrawarehouse.graph;

import io.entrawarehouse.config.Cloud;
import io.entrawarehouse.config.EntraProperties;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;

/**
 * Turns the configured tenants into endpoints: picks each tenant's credential, cloud, login host,
 * Graph URL and scope, and refuses a configuration that is incomplete, ambiguous or names the same
 * tenant twice. Errors name the setting to fix and never contain a secret.
 */
public final class TenantEndpoints {

  /** The name of the tenant the AZURE_* variables (entra.tenant.*) describe. */
  public static final String DEFAULT = "default";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");

  private TenantEndpoints() {}

  /**
   * The configured tenants in name order, the default one first; empty when none is configured (the
   * demo tenant is then loaded).
   */
  public static List<GraphEndpoint> resolve(EntraProperties properties) {
    Map<String, EntraProperties.Tenant> named = new LinkedHashMap<>();
    EntraProperties.Tenant single = properties.tenant();
    if (single.configured()) {
      named.put(DEFAULT, single);
    } else if (single.clientId() != null && !single.clientId().isBlank()) {
      throw new IllegalArgumentException(
          "AZURE_CLIENT_ID (entra.tenant.client-id) is set but AZURE_TENANT_ID is not: set the"
              + " tenant id, or unset the client id to load the demo tenant.");
    }
    properties
        .tenants()
        .forEach(
            (name, tenant) -> {
              if (named.containsKey(name)) {
                throw new IllegalArgumentException(
                    "The tenant name '"
                        + name
                        + "' is reserved for entra.tenant.* (the AZURE_* variables): pick"
                        + " another name under entra.tenants.");
              }
              named.put(name, tenant);
            });
    X509TrustManager trust =
        properties.graph().trustCertificate() == null
            ? null
            : Trust.fromPem(properties.graph().trustCertificate());
    SSLContext ssl = trust == null ? null : Trust.context(trust);
    List<GraphEndpoint> endpoints = new ArrayList<>();
    Map<String, String> nameById = new LinkedHashMap<>();
    named.forEach(
        (name, tenant) -> {
          GraphEndpoint endpoint = endpoint(name, tenant, ssl, trust);
          String other = nameById.put(endpoint.tenantId().toLowerCase(Locale.ROOT), name);
          if (other != null) {
            throw new IllegalArgumentException(
                "Tenants '"
                    + other
                    + "' and '"
                    + name
                    + "' are both tenant "
                    + endpoint.tenantId()
                    + ": configure each tenant once (its rows are keyed by tenant id).");
          }
          endpoints.add(endpoint);
        });
    return endpoints;
  }

  /** The endpoints a launch selects: one by name, or all of them ({@code null} or "all"). */
  public static List<GraphEndpoint> select(List<GraphEndpoint> endpoints, String selection) {
    if (selection == null || selection.isBlank() || selection.equals("all")) {
      return endpoints;
    }
    for (GraphEndpoint e : endpoints) {
      if (e.name().equals(selection)) {
        return List.of(e);
      }
    }
    throw new IllegalArgumentException(
        "No tenant named '"
            + selection
            + "' is configured"
            + (endpoints.isEmpty()
                ? " (none is: the demo tenant is loaded when no tenant is configured)"
                : "; configured: "
                    + String.join(", ", endpoints.stream().map(GraphEndpoint::name).toList()))
            + ". Use tenant=<name> or tenant=all.");
  }

  static GraphEndpoint endpoint(
      String name, EntraProperties.Tenant tenant, SSLContext ssl, X509TrustManager trust) {
    String where = name.equals(DEFAULT) ? "entra.tenant" : "entra.tenants." + name;
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "The tenant name '"
              + name
              + "' is not usable: use letters, digits, '-', '_' or '.' (up to 63).");
    }
    if (!tenant.configured()) {
      throw new IllegalArgumentException(
          "Tenant '" + name + "' has no id: set " + where + ".id to its tenant id or domain.");
    }
    if (tenant.clientId() == null || tenant.clientId().isBlank()) {
      throw new IllegalArgumentException(
          "Tenant '"
              + name
              + "' has no client id: set "
              + where
              + ".client-id"
              + (name.equals(DEFAULT) ? " (AZURE_CLIENT_ID)" : "")
              + " to the app registration's application (client) id.");
    }
    Cloud cloud =
        tenant.cloud() == null || tenant.cloud().isBlank()
            ? Cloud.infer(tenant.graphUrl(), tenant.authorityHost())
            : Cloud.parse(tenant.cloud());
    URI login = tenant.authorityHost() == null ? cloud.authorityHost() : tenant.authorityHost();
    URI graph = tenant.graphUrl() == null ? cloud.graphBaseUrl() : tenant.graphUrl();
    String authority = login.toString().replaceAll("/+$", "") + "/" + tenant.id() + "/";
    return new GraphEndpoint(
        name,
        tenant.id(),
        credential(name, where, tenant),
        authority,
        graph.toString(),
        cloud.scope(),
        ssl,
        trust);
  }

  private static Credential credential(String name, String where, EntraProperties.Tenant t) {
    if (present(t.clientSecret())) {
      return new Credential.ClientSecret(t.clientId(), t.clientSecret());
    }
    if (t.clientSecretFile() != null) {
      return new Credential.ClientSecret(t.clientId(), readSecret(where, t.clientSecretFile()));
    }
    if (t.clientCertificatePath() != null) {
      return Certificates.load(
          t.clientId(), t.clientCertificatePath(), t.clientCertificatePassword());
    }
    if (present(t.username())) {
      if (!present(t.password())) {
        throw new IllegalArgumentException(
            "Tenant '"
                + name
                + "' has a username but no password: set AZURE_PASSWORD (or "
                + where
                + ".password).");
      }
      return new Credential.UsernamePassword(t.clientId(), t.username(), t.password());
    }
    throw new IllegalArgumentException(
        "Tenant '"
            + name
            + "' has no credential: set AZURE_CLIENT_SECRET, "
            + where
            + ".client-secret-file, AZURE_CLIENT_CERTIFICATE_PATH, or AZURE_USERNAME and"
            + " AZURE_PASSWORD (or their "
            + where
            + ".* properties).");
  }

  /** A secret from a mounted file: its content without the trailing newline. */
  private static String readSecret(String where, Path file) {
    String secret;
    try {
      secret = Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "Cannot read the client secret file "
              + file
              + " ("
              + e.getClass().getSimpleName()
              + "): fix "
              + where
              + ".client-secret-file or the file's permissions.",
          e);
    }
    if (secret.isEmpty()) {
      throw new IllegalArgumentException(
          "The client secret file " + file + " is empty: fix " + where + ".client-secret-file.");
    }
    return secret;
  }

  private static boolean present(String s) {
    return s != null && !s.isBlank();
  }
}
