package io.entrawarehouse.graph;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.graph.core.requests.GraphClientFactory;
import com.microsoft.graph.core.requests.options.GraphClientOption;
import com.microsoft.kiota.http.middleware.RetryHandler;
import io.entrawarehouse.observe.GraphActivity;
import io.entrawarehouse.observe.Meters;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.Proxy;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.ConnectionPool;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads pages of Graph collections: the Graph SDK's OkHttp pipeline for transport, Jackson
 * streaming for parsing (NOTES.md measured the SDK's PageIterator at 35k–63k items/s against
 * 173k–420k for raw pages parsed this way), and the one retry loop of the product.
 *
 * <p>Retries 429, 408 and 5xx, and connection resets or truncated bodies, honouring {@code
 * Retry-After} in seconds or as an HTTP date; without it, waits exponentially with jitter up to a
 * cap. Never retries DNS, TLS or refused connections, nor auth and query errors. The SDK's own
 * RetryHandler is left out of the pipeline so there is one retry policy, not two. Thread-safe.
 */
public final class GraphClient {

  private static final Logger log = LoggerFactory.getLogger(GraphClient.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How long a pooled connection may sit idle before the client closes it. */
  static final Duration IDLE_CONNECTION_LIFETIME = Duration.ofSeconds(20);

  private final OkHttpClient http;
  private final TokenProvider tokens;
  private final String baseUrl;
  private final int maxAttempts;
  private final Duration maxBackoff;
  private final Duration reportsTimeout;
  private final OkHttpClient reportsHttp;
  private final PageSizes pageSizes = new PageSizes();
  private final Sleeper sleeper;
  private final GraphBudget budget;

  /** How the client waits between attempts; tests replace it. */
  public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  /**
   * @param budget what paces the requests to Graph's throttling budgets ({@link GraphBudget#NONE}
   *     for none)
   */
  public GraphClient(
      String baseUrl,
      TokenProvider tokens,
      Duration timeout,
      Duration reportsTimeout,
      int maxAttempts,
      Duration maxBackoff,
      int concurrency,
      SSLSocketFactory sslSocketFactory,
      X509TrustManager trustManager,
      Proxy proxy,
      Sleeper sleeper,
      GraphBudget budget) {
    this.budget = budget;
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.tokens = tokens;
    this.maxAttempts = maxAttempts;
    this.maxBackoff = maxBackoff;
    this.sleeper = sleeper;
    List<Interceptor> pipeline = new ArrayList<>();
    Arrays.stream(GraphClientFactory.createDefaultGraphInterceptors(new GraphClientOption()))
        .filter(i -> !(i instanceof RetryHandler))
        .forEach(pipeline::add);
    OkHttpClient.Builder builder =
        GraphClientFactory.create(pipeline)
            .callTimeout(timeout)
            .readTimeout(timeout)
            .connectTimeout(timeout)
            // Keep a connection per request in flight (the readers' page in hand plus the
            // pages fetched ahead): OkHttp's default keeps 5 idle, and a sixth request in flight
            // then cost a TLS handshake each time (measured: the medium load took 30 s, not 16).
            // Idle ones are closed before a server closes them (OkHttp keeps them 5 minutes;
            // servers close sooner, the JDK's HTTP server after 30 s): a request after a pause (a
            // commit, a throttle wait) then opens a connection instead of failing on a dead one
            // and retrying.
            .connectionPool(
                new ConnectionPool(
                    concurrency + 2, IDLE_CONNECTION_LIFETIME.toMillis(), TimeUnit.MILLISECONDS))
            .retryOnConnectionFailure(false);
    if (sslSocketFactory != null) {
      builder.sslSocketFactory(sslSocketFactory, trustManager);
    }
    if (proxy != null) {
      builder.proxy(proxy);
    }
    this.http = builder.build();
    this.reportsTimeout = reportsTimeout;
    // The same connections and dispatcher, a longer wait for an answer.
    this.reportsHttp =
        http.newBuilder().callTimeout(reportsTimeout).readTimeout(reportsTimeout).build();
  }

  /**
   * How long a report page may take; one that takes longer is a {@link GraphException.SlowPage}.
   */
  public Duration reportsTimeout() {
    return reportsTimeout;
  }

  /** The page size each report collection is asked for now: shrunk after a slow page. */
  public PageSizes pageSizes() {
    return pageSizes;
  }

  public TokenProvider tokens() {
    return tokens;
  }

  public String baseUrl() {
    return baseUrl;
  }

  /** An absolute URL for a path below the Graph base URL ("/users?$top=999"). */
  /**
   * A value of an OData query option ($filter, $select) encoded for a URL: everything but
   * unreserved characters, {@code $} and {@code ,} percent-encoded, spaces as %20, so no value can
   * end its option or start another.
   */
  public static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8)
        .replace("+", "%20")
        .replace("%24", "$")
        .replace("%2C", ",");
  }

  /**
   * Refuses a link off the configured Graph (another scheme, host or port) and off the host the
   * token is for: the request would carry the app's access token there. Graph's own links never
   * leave them.
   */
  private void requireOwnHost(String what, String url) {
    URI base = URI.create(baseUrl);
    URI target;
    try {
      target = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new GraphException("Not a URL to read " + what + " from: " + e.getMessage(), 0, null);
    }
    boolean configured =
        base.getScheme().equalsIgnoreCase(String.valueOf(target.getScheme()))
            && base.getAuthority().equalsIgnoreCase(String.valueOf(target.getAuthority()));
    // Graph behind a proxy or private endpoint may link to its own host, which the token is for.
    boolean audience =
        "https".equalsIgnoreCase(target.getScheme())
            && tokens.audience().equalsIgnoreCase(String.valueOf(target.getAuthority()));
    if (!configured && !audience) {
      throw new GraphException(
          "Refusing to read "
              + what
              + " from "
              + target.getScheme()
              + "://"
              + target.getAuthority()
              + ": a link off the configured Graph ("
              + base.getScheme()
              + "://"
              + base.getAuthority()
              + ") would carry the app's access token there. Nothing was sent.",
          0,
          null);
    }
  }

  /**
   * Waits as long as the longest backoff between retries ({@code entra.graph.max-backoff}), with
   * the client's sleeper: before asking Graph once more what it refused in a way known to pass.
   */
  public void pause() {
    try {
      sleeper.sleep(maxBackoff);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GraphException("Interrupted while waiting to ask Graph again", e);
    }
  }

  public String url(String pathAndQuery) {
    return baseUrl + pathAndQuery;
  }

  /**
   * Fetches one page.
   *
   * @param reading what is being read, for messages
   * @param url the absolute page URL: a first-page URL or a nextLink, followed whole
   * @param eventual whether to send {@code ConsistencyLevel: eventual} (resent on every page)
   */
  public GraphPage page(Reading reading, String url, boolean eventual) {
    String what = reading.what();
    requireOwnHost(what, url);
    GraphBudget.Cost cost = GraphBudget.cost(url);
    for (int attempt = 1; ; attempt++) {
      GraphBudget.Permit permit;
      long asked = System.nanoTime();
      GraphActivity.begin(what, budgetName(cost), Duration.ZERO);
      try {
        permit = budget.acquire(cost);
        Duration paced = Duration.ofNanos(System.nanoTime() - asked);
        boolean noticed = paced.toMillis() >= PACING_NOTICED_MS;
        GraphActivity.end(what, paced, noticed);
        if (noticed) {
          Meters.waited(url, "pacing", paced);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new GraphException("Interrupted while waiting for Graph's budget for " + what, e);
      }
      Request.Builder request =
          new Request.Builder().url(url).header("Authorization", "Bearer " + tokens.token()).get();
      if (eventual) {
        request.header("ConsistencyLevel", "eventual");
      }
      if (isDelta(url)) {
        // Updated objects come with their changed properties only: smaller pages, and the
        // warehouse keeps what was not sent (absent is not null).
        request.header("Prefer", "return=minimal");
      }
      Duration wait;
      String reason;
      boolean report = cost.kind() == GraphBudget.Kind.REPORTS;
      OkHttpClient client = report ? reportsHttp : http;
      try (Response response = answered(client.newCall(request.build()).execute(), permit)) {
        int status = response.code();
        Meters.graphRequest(url, status);
        String used = response.header("x-ms-throttle-limit-percentage");
        if (used != null && cost.kind() == GraphBudget.Kind.DIRECTORY) {
          try {
            budget.used(Double.parseDouble(used.trim()));
          } catch (NumberFormatException unreadable) {
            // a header we cannot read paces nothing
          }
        }
        if (status == 200) {
          try (ResponseBody body = response.body()) {
            GraphPage page = parse(body.bytes());
            GraphActivity.fetched(what, page.items().size());
            if (page.count() != null) {
              GraphActivity.expect(what, page.count());
            }
            log.debug("{}: {} items from {}", what, page.items().size(), url);
            return page;
          }
        }
        String body = response.body() == null ? "" : response.body().string();
        if (status != 429 && status != 408 && status < 500) {
          throw GraphErrors.map(reading, status, body);
        }
        wait = retryAfter(response.header("Retry-After"));
        reason = "HTTP " + status;
        if (status == 429) {
          budget.throttled(cost, wait);
          Meters.throttled(url);
        }
        if (attempt >= maxAttempts) {
          throw GraphErrors.map(reading, status, body);
        }
      } catch (UnknownHostException e) {
        throw new GraphException.Unavailable(
            "Cannot resolve the Graph host in "
                + url
                + ": check the tenant's graph-url (or cloud) and DNS.",
            e);
      } catch (ConnectException e) {
        throw new GraphException.Unavailable(
            "Cannot connect to "
                + url
                + " ("
                + e.getMessage()
                + "): check the tenant's graph-url, the proxy (entra.graph.proxy) and the network.",
            e);
      } catch (SSLException e) {
        throw new GraphException.Unavailable(
            "TLS with "
                + url
                + " failed ("
                + e.getMessage()
                + "). If its certificate is not trusted (a private endpoint, a TLS-inspecting"
                + " proxy, the simulator), set entra.graph.trust-certificate to the PEM"
                + " certificate it presents.",
            e);
      } catch (InterruptedIOException e) {
        if (report && !Thread.currentThread().isInterrupted()) {
          // A timeout, not a cancelled prefetch: the same page would most likely time out again.
          throw new GraphException.SlowPage(
              "A page of "
                  + what
                  + " took longer than entra.graph.reports-timeout ("
                  + reportsTimeout.toSeconds()
                  + " s)",
              e);
        }
        if (attempt >= maxAttempts) {
          throw new GraphException.Unavailable(
              "Reading " + what + " failed after " + attempt + " attempts: " + e.getMessage(), e);
        }
        wait = null;
        reason = e.getClass().getSimpleName() + ": " + e.getMessage();
      } catch (IOException e) {
        if (attempt >= maxAttempts) {
          throw new GraphException.Unavailable(
              "Reading " + what + " failed after " + attempt + " attempts: " + e.getMessage(), e);
        }
        wait = null;
        reason = e.getClass().getSimpleName() + ": " + e.getMessage();
        // A connection the server closed while it sat idle in the pool ("unexpected end of
        // stream"): the other idle ones are likely closed too, after a long pause (a large
        // tenant's closure, a throttle wait). Drop them, so the retry opens a fresh one instead
        // of spending every attempt on a dead connection.
        http.connectionPool().evictAll();
      } finally {
        budget.answered(permit); // no answer at all: the request is over all the same
      }
      Duration delay = wait != null ? wait : backoff(attempt);
      // Throttling is Graph working as documented: progress summarises those waits. Anything
      // else (a 5xx, a dropped connection) is worth a line of its own.
      boolean throttling = reason.equals("HTTP 429");
      String line = "{}: {} on attempt {} of {}; retrying in {} ms";
      Object[] args = {what, reason, attempt, maxAttempts, delay.toMillis()};
      if (throttling) {
        log.debug(line, args);
      } else {
        log.warn(line, args);
      }
      String why = throttling ? budgetName(cost) : "Graph to recover (" + reason + ")";
      long slept = System.nanoTime();
      GraphActivity.begin(what, why, delay);
      try {
        sleeper.sleep(delay);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new GraphException("Interrupted while waiting to retry " + what, e);
      } finally {
        Duration actual = Duration.ofNanos(System.nanoTime() - slept);
        GraphActivity.end(what, actual, true);
        Meters.waited(url, wait != null ? "retry-after" : "backoff", actual);
      }
    }
  }

  /** A pause in the budget this long is a wait worth reporting. */
  private static final long PACING_NOTICED_MS = 100;

  /** How progress names the budget a request counts against. */
  private static String budgetName(GraphBudget.Cost cost) {
    return cost.kind() == GraphBudget.Kind.REPORTS
        ? "Graph's reports budget"
        : "Graph's directory budget";
  }

  /** Tells the budget a request's answer has arrived. */
  private Response answered(Response response, GraphBudget.Permit permit) {
    budget.answered(permit);
    return response;
  }

  /** Exponential backoff with full jitter: up to 1 s, 2 s, 4 s … capped at maxBackoff. */
  Duration backoff(int attempt) {
    long cap = Math.min(maxBackoff.toMillis(), 1000L << Math.min(attempt - 1, 20));
    return Duration.ofMillis(cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1));
  }

  /** Retry-After as seconds or an HTTP date; null when absent or unreadable. */
  static Duration retryAfter(String header) {
    if (header == null || header.isBlank()) {
      return null;
    }
    try {
      return Duration.ofSeconds(Math.max(0, Long.parseLong(header.trim())));
    } catch (NumberFormatException notSeconds) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(header.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration d = Duration.between(ZonedDateTime.now(at.getZone()), at);
        return d.isNegative() ? Duration.ZERO : d;
      } catch (DateTimeParseException notADate) {
        return null;
      }
    }
  }

  /** Whether a URL calls a delta function ({@code …/users/delta?…}). */
  static boolean isDelta(String url) {
    int query = url.indexOf('?');
    String path = query < 0 ? url : url.substring(0, query);
    return path.endsWith("/delta") || path.endsWith("/delta()");
  }

  /**
   * A page from its JSON: the links and count, and the items as spans of the body ({@link
   * PageItems}), each tokenized here so that a malformed page fails now.
   */
  static GraphPage parse(byte[] body) throws IOException {
    int[] starts = new int[64];
    int[] ends = new int[64];
    int n = 0;
    String next = null;
    String delta = null;
    Long count = null;
    try (JsonParser p = JSON.getFactory().createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("a Graph page must be a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (field.equals("@odata.count") && value.isNumeric()) {
          count = p.getLongValue();
        } else if (field.equals("@odata.nextLink")) {
          next = p.getText();
        } else if (field.equals("@odata.deltaLink")) {
          delta = p.getText();
        } else if (field.equals("value") && value == JsonToken.START_ARRAY) {
          while (p.nextToken() == JsonToken.START_OBJECT) {
            if (n == starts.length) {
              starts = Arrays.copyOf(starts, n * 2);
              ends = Arrays.copyOf(ends, n * 2);
            }
            starts[n] = (int) p.currentTokenLocation().getByteOffset();
            p.skipChildren();
            ends[n++] = (int) p.currentLocation().getByteOffset();
          }
        } else {
          p.skipChildren();
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT) {
        throw new IOException("truncated Graph page");
      }
    }
    PageItems items = new PageItems(JSON, body, Arrays.copyOf(starts, n), Arrays.copyOf(ends, n));
    return new GraphPage(items, next, delta, count);
  }
}
