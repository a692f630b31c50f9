package io.entrawarehouse.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** A plain HTTP client for tests: talks to a simulator the way any Graph client would. */
final class SimHttp {

  static final ObjectMapper JSON = new ObjectMapper();

  /** A response: status, headers and the body parsed as JSON when it is JSON. */
  record Reply(int status, HttpResponse<String> raw, JsonNode json) {
    String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }

    String errorCode() {
      return json.path("error").path("code").asText(null);
    }

    String errorMessage() {
      return json.path("error").path("message").asText(null);
    }

    List<JsonNode> value() {
      List<JsonNode> items = new ArrayList<>();
      json.path("value").forEach(items::add);
      return items;
    }
  }

  final GraphSimulator simulator;
  final HttpClient client;
  private String token;

  SimHttp(GraphSimulator simulator) {
    this.simulator = simulator;
    this.client =
        HttpClient.newBuilder()
            .sslContext(simulator.clientSslContext())
            .connectTimeout(Duration.ofSeconds(10))
            .build();
  }

  Reply tokenRequest(String tenant, Map<String, String> form)
      throws IOException, InterruptedException {
    String body =
        form.entrySet().stream()
            .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
            .collect(Collectors.joining("&"));
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create(simulator.authorityHost() + "/" + tenant + "/oauth2/v2.0/token"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return reply(client.send(request, HttpResponse.BodyHandlers.ofString()));
  }

  Map<String, String> secretForm(String secret) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "client_credentials");
    form.put("client_id", simulator.clientId());
    form.put("client_secret", secret);
    form.put("scope", simulator.scope());
    return form;
  }

  String token() throws IOException, InterruptedException {
    if (token == null) {
      Reply r =
          tokenRequest(simulator.tenantId(), secretForm(SimulatorSettings.DEMO_CLIENT_SECRET));
      if (r.status() != 200) {
        throw new IllegalStateException("token request failed: " + r.raw().body());
      }
      token = r.json().get("access_token").asText();
    }
    return token;
  }

  /** GET a Graph path (relative to /v1.0, raw query allowed) or an absolute nextLink. */
  Reply get(String pathOrUrl, String... headers) throws IOException, InterruptedException {
    URI uri =
        pathOrUrl.startsWith("https://")
            ? URI.create(pathOrUrl)
            : URI.create(simulator.graphBaseUrl() + pathOrUrl);
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token());
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return reply(client.send(b.GET().build(), HttpResponse.BodyHandlers.ofString()));
  }

  /** GET with an explicit Authorization header value (or none when null). */
  Reply getWithAuthorization(String path, String authorization)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(simulator.graphBaseUrl() + path))
            .timeout(Duration.ofSeconds(30));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return reply(client.send(b.GET().build(), HttpResponse.BodyHandlers.ofString()));
  }

  /** Follows nextLinks from a first request and returns every item. */
  List<JsonNode> all(String path, String... headers) throws IOException, InterruptedException {
    List<JsonNode> items = new ArrayList<>();
    Reply r = get(path, headers);
    while (true) {
      if (r.status() != 200) {
        throw new IllegalStateException("page failed: " + r.status() + " " + r.raw().body());
      }
      items.addAll(r.value());
      JsonNode next = r.json().get("@odata.nextLink");
      if (next == null) {
        return items;
      }
      r = get(next.asText(), headers);
    }
  }

  static String q(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static Reply reply(HttpResponse<String> response) throws IOException {
    String type = response.headers().firstValue("Content-Type").orElse("");
    JsonNode json =
        type.startsWith("application/json") && !response.body().isEmpty()
            ? JSON.readTree(response.body())
            : JSON.missingNode();
    return new Reply(response.statusCode(), response, json);
  }
}
