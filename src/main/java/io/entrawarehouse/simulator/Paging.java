package io.entrawarehouse.simulator;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Graph's paging: absolute {@code @odata.nextLink}s whose opaque skiptokens are signed, bound to
 * their query, and expire after the configured lifetime (Graph answers {@code
 * Directory_ExpiredPageToken}). Thread-safe.
 */
final class Paging {

  private final SimulatorSettings settings;
  private final TokenService tokens;
  private final String graphBaseUrl;

  Paging(SimulatorSettings settings, TokenService tokens, String graphBaseUrl) {
    this.settings = settings;
    this.tokens = tokens;
    this.graphBaseUrl = graphBaseUrl;
  }

  /** The {@code @odata.context} of a collection's answer, with the selected properties. */
  String contextUrl(GraphCollection collection, Set<String> select) {
    String base = graphBaseUrl + "/$metadata#" + collection.contextPath();
    return select == null ? base : base + "(" + String.join(",", select) + ")";
  }

  String graphBaseUrl() {
    return graphBaseUrl;
  }

  String skipToken(Routes.Match route, Map<String, String> params, long position) {
    String payload =
        position
            + "."
            + settings.clock().millis()
            + "."
            + Integer.toHexString(queryKey(route, params).hashCode());
    return Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(payload.getBytes(StandardCharsets.US_ASCII))
        + tokens.sign(payload);
  }

  long readSkipToken(Routes.Match route, Map<String, String> params, String token) {
    if (token.length() <= 16) {
      throw GraphError.badRequest("The specified page token value is invalid.");
    }
    String encoded = token.substring(0, token.length() - 16);
    String payload;
    try {
      payload = new String(Base64.getUrlDecoder().decode(encoded), StandardCharsets.US_ASCII);
    } catch (IllegalArgumentException e) {
      throw GraphError.badRequest("The specified page token value is invalid.");
    }
    String[] parts = payload.split("\\.");
    if (parts.length != 3
        || !tokens.sign(payload).equals(token.substring(token.length() - 16))
        || !parts[2].equals(Integer.toHexString(queryKey(route, params).hashCode()))) {
      throw GraphError.badRequest("The specified page token value is invalid.");
    }
    long issued = Long.parseLong(parts[1]);
    if (settings.clock().millis() - issued > settings.skipTokenLifetime().toMillis()) {
      throw new GraphError(
          400,
          "Directory_ExpiredPageToken",
          "The specified page token value has expired and can no longer be included in your request.");
    }
    return Long.parseLong(parts[0]);
  }

  private static String queryKey(Routes.Match route, Map<String, String> params) {
    return route.path() + "\n" + params.getOrDefault("$filter", "");
  }

  String nextLink(Routes.Match route, Map<String, String> params, String skipToken) {
    StringBuilder b = new StringBuilder(graphBaseUrl).append(route.path()).append('?');
    for (Map.Entry<String, String> e : params.entrySet()) {
      if (!e.getKey().equals("$skiptoken")) {
        b.append(encode(e.getKey())).append('=').append(encode(e.getValue())).append('&');
      }
    }
    return b.append("$skiptoken=").append(skipToken).toString();
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20").replace("%24", "$");
  }

  static Map<String, String> parseQuery(String raw) {
    Map<String, String> params = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return params;
    }
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      params.put(
          URLDecoder.decode(key, StandardCharsets.UTF_8),
          URLDecoder.decode(value, StandardCharsets.UTF_8));
    }
    return params;
  }
}
