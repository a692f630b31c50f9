package io.entrawarehouse.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.entrawarehouse.config.EntraProperties.Graph;
import io.entrawarehouse.graph.Credential.ClientSecret;
import io.entrawarehouse.graph.GraphClient;
import io.entrawarehouse.graph.GraphEndpoint;
import io.entrawarehouse.graph.Trust;
import io.entrawarehouse.job.LoadParameters;
import io.entrawarehouse.read.GraphReaders;
import io.entrawarehouse.warehouse.Entities;
import io.entrawarehouse.warehouse.Entity;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench-crawl}: fetches every page of the chosen endpoints and discards the items. It is the
 * baseline a load is compared with (how fast can Graph pages arrive at all) and the load that the
 * simulator's heap is measured under. Prints items, pages and items/s per endpoint.
 */
@Command(
    name = "bench-crawl",
    hidden = true, // a developer's tool (src/bench), not an operator's: left out of --help
    mixinStandardHelpOptions = true,
    description =
        "Benchmark: page through Graph endpoints, discard the items, print the rates."
            + " The client secret comes from AZURE_CLIENT_SECRET.")
public final class CrawlCommand implements Callable<Integer> {

  private static final int CONCURRENCY = Graph.DEFAULT_CONCURRENCY;

  @Spec CommandSpec spec;

  @Option(names = "--token-url", required = true, description = "The OAuth2 token endpoint.")
  URI tokenUrl;

  @Option(
      names = "--graph-url",
      required = true,
      description = "The Graph base URL, e.g. https://graph.microsoft.com/v1.0.")
  String graphUrl;

  @Option(names = "--client-id", required = true, description = "The application (client) id.")
  String clientId;

  @Option(names = "--trust", description = "A PEM certificate to trust (the simulator's).")
  Path trust;

  @Option(names = "--scope", description = "Token scope (default: ${DEFAULT-VALUE}).")
  String scope = "https://graph.microsoft.com/.default";

  @Option(
      names = "--entities",
      split = ",",
      description =
          "What to crawl, with directory-load's own queries (default: every table read from"
              + " Graph).")
  List<String> entities; // null: every table read from Graph, named when the command runs

  @Option(
      names = "--with-job-readers",
      description =
          "Fetch through the job's own readers and Graph client (same transport, same prefetch)"
              + " instead of a plain java.net.http client.")
  boolean jobReaders;

  @Option(
      names = "--print-queries",
      description =
          "Print each entity's first-page request as directory-load makes it (entity, tab, path"
              + " and query; a per-parent entity also its parents' request, with {id} in its own"
              + " path), fetch nothing: for a peer to read the same pages (src/bench/peer).")
  boolean printQueries;

  private static final JsonFactory JSON = new JsonFactory();
  private HttpClient http;
  private String token;
  private final AtomicLong throttled = new AtomicLong();

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (entities == null) {
      entities =
          Entities.ALL.values().stream().filter(Entity::readFromGraph).map(Entity::name).toList();
    }
    if (printQueries) {
      LoadParameters launch =
          LoadParameters.parse("bench", Map.of(), LocalDate.now(ZoneOffset.UTC));
      for (String name : entities) {
        Entity entity = Entities.ALL.get(name);
        String query = launch.plan(entity).query();
        out.println(
            entity.parent() == null
                ? name + "\t" + entity.path() + "?" + query
                : name
                    + "\t"
                    + entity.parent().path()
                    + "?$select=id&$top=999\t"
                    + entity.pathFor("{id}").replace("%7Bid%7D", "{id}")
                    + "?"
                    + query);
      }
      out.flush();
      return 0;
    }
    String secret = System.getenv("AZURE_CLIENT_SECRET");
    if (secret == null || secret.isEmpty()) {
      throw new IllegalArgumentException("set AZURE_CLIENT_SECRET to the app's client secret");
    }
    // One endpoint and one token source for both modes, as the job builds them.
    String authority = tokenUrl.toString().replaceFirst("oauth2/v2\\.0/token$", "");
    String tenant = authority.replaceAll("/+$", "");
    tenant = tenant.substring(tenant.lastIndexOf('/') + 1);
    X509TrustManager trustManager = trust == null ? null : Trust.fromPem(trust);
    SSLContext ssl = trustManager == null ? null : Trust.context(trustManager);
    GraphClient graph =
        new GraphEndpoint(
                "bench",
                tenant,
                new ClientSecret(clientId, secret),
                authority,
                graphUrl,
                scope,
                ssl,
                trustManager)
            .client(
                // Unpaced: the benchmarks serve the tenant without throttling, to measure the
                // readers at full speed.
                new Graph(
                        null, Duration.ofSeconds(30), null, 8, Duration.ofSeconds(60), CONCURRENCY)
                    .unpaced(),
                d -> Thread.sleep(d.toMillis()));
    if (jobReaders) {
      return crawlWithJobReaders(out, graph, tenant);
    }
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30));
    if (ssl != null) {
      builder.sslContext(ssl);
    }
    http = builder.build();
    token = graph.tokens().token();
    out.printf("%-16s %10s %8s %9s %12s%n", "endpoint", "items", "pages", "seconds", "items/s");
    long totalItems = 0;
    long start = System.nanoTime();
    // The same first pages as directory-load with default parameters: same $select, $top and
    // window.
    LoadParameters launch = LoadParameters.parse("bench", Map.of(), LocalDate.now(ZoneOffset.UTC));
    for (String endpoint : entities) {
      Entity entity = Entities.ALL.get(endpoint);
      if (entity == null) {
        throw new IllegalArgumentException("unknown entity '" + endpoint + "'");
      }
      long t0 = System.nanoTime();
      long[] counts = new long[2];
      if (entity.parent() != null) {
        List<String> groups = new ArrayList<>();
        crawl(graphUrl + entity.parent().path() + "?$select=id&$top=999", counts, groups);
        counts[0] = 0;
        // As many requests in flight as the job's reader has (the current group and the next
        // groups' first pages), so the baseline is not slower than the job for a reason of its own.
        ExecutorService pool = Executors.newFixedThreadPool(CONCURRENCY + 1);
        try {
          List<Future<long[]>> done = new ArrayList<>();
          for (String group : groups) {
            done.add(
                pool.submit(
                    () -> {
                      long[] c = new long[2];
                      crawl(
                          graphUrl + entity.pathFor(group) + "?" + launch.plan(entity).query(),
                          c,
                          null);
                      return c;
                    }));
          }
          for (Future<long[]> f : done) {
            long[] c = f.get();
            counts[0] += c[0];
            counts[1] += c[1];
          }
        } finally {
          pool.shutdownNow();
        }
      } else {
        crawl(graphUrl + entity.path() + "?" + launch.plan(entity).query(), counts, null);
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      totalItems += counts[0];
      out.printf(
          "%-16s %10d %8d %9.2f %12.0f%n",
          endpoint, counts[0], counts[1], seconds, counts[0] / seconds);
      out.flush();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    out.printf(
        "%-16s %10d %8s %9.2f %12.0f   (429s waited out: %d)%n",
        "total", totalItems, "", seconds, totalItems / seconds, throttled.get());
    out.flush();
    return 0;
  }

  /** Fetches through the job's own readers and Graph client, discarding the items. */
  private int crawlWithJobReaders(PrintWriter out, GraphClient graph, String tenant)
      throws Exception {
    LoadParameters launch = LoadParameters.parse(tenant, Map.of(), LocalDate.now(ZoneOffset.UTC));
    out.printf("%-16s %10s %8s %9s %12s%n", "entity", "items", "", "seconds", "items/s");
    long total = 0;
    long start = System.nanoTime();
    for (String name : entities) {
      Entity entity = Entities.ALL.get(name);
      ItemStreamReader<JsonNode> reader =
          GraphReaders.of(graph, entity, launch.plan(entity).query(), false, CONCURRENCY);
      reader.open(new ExecutionContext());
      long t0 = System.nanoTime();
      long n = 0;
      while (reader.read() != null) {
        n++;
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      total += n;
      out.printf("%-16s %10d %8s %9.2f %12.0f%n", name, n, "", seconds, n / seconds);
      out.flush();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    out.printf("%-16s %10d %8s %9.2f %12.0f%n", "total", total, "", seconds, total / seconds);
    out.flush();
    return 0;
  }

  private CompletableFuture<HttpResponse<InputStream>> request(String url) {
    return http.sendAsync(
        HttpRequest.newBuilder(URI.create(url))
            .header("Authorization", "Bearer " + token)
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofInputStream());
  }

  /**
   * Pages from {@code url} to the end; counts items and pages, collects ids when asked. The next
   * page is requested as soon as its link is parsed (Graph puts it before the items), one ahead, as
   * the job's reader does.
   */
  private void crawl(String url, long[] counts, List<String> ids) throws Exception {
    String next = url;
    CompletableFuture<HttpResponse<InputStream>> pending = request(url);
    while (next != null) {
      HttpResponse<InputStream> response = pending.get();
      if (response.statusCode() == 429 || response.statusCode() >= 500) {
        long wait = response.headers().firstValueAsLong("Retry-After").orElse(1);
        response.body().close();
        throttled.incrementAndGet();
        Thread.sleep(wait * 1000);
        pending = request(next);
        continue;
      }
      if (response.statusCode() != 200) {
        String body = new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
        throw new IllegalStateException(
            "GET " + next + " answered " + response.statusCode() + ": " + body);
      }
      next = null;
      try (JsonParser p = JSON.createParser(response.body())) {
        p.nextToken();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String field = p.currentName();
          p.nextToken();
          if (field.equals("@odata.nextLink")) {
            next = p.getText();
            pending = request(next);
          } else if (field.equals("value")) {
            while (p.nextToken() == JsonToken.START_OBJECT) {
              counts[0]++;
              if (ids != null) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                  String name = p.currentName();
                  p.nextToken();
                  if (name.equals("id")) {
                    ids.add(p.getText());
                  } else {
                    p.skipChildren();
                  }
                }
              } else {
                p.skipChildren();
              }
            }
          } else {
            p.skipChildren();
          }
        }
      }
      counts[1]++;
    }
  }
}
