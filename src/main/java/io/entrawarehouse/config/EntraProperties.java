package io.entrawarehouse.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Every setting of the product, bound from {@code entra.*}; the standard Azure variables
 * (AZURE_TENANT_ID, AZURE_CLIENT_SECRET…) supply {@code entra.tenant.*} at the lowest precedence.
 * Immutable. {@link #toString()} never prints a secret or a password.
 *
 * @param tenant the default tenant (the one the Azure variables describe), named "default"
 * @param tenants further tenants by name, each with its own credentials
 * @param graph how to reach Entra ID and Graph: proxy, timeout, trust, retries
 * @param warehouse where the lake and the DuckDB file go
 * @param demo the built-in demo tenant, used when no tenant is configured
 */
@ConfigurationProperties("entra")
public record EntraProperties(
    @DefaultValue Tenant tenant,
    Map<String, Tenant> tenants,
    @DefaultValue Graph graph,
    @DefaultValue Warehouse warehouse,
    @DefaultValue Demo demo) {

  public EntraProperties {
    tenants = tenants == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(tenants));
  }

  /**
   * A tenant and the app registration that reads it. Exactly one credential is used, in this order:
   * client secret, client secret file, client certificate, username and password.
   *
   * @param id the tenant id or primary domain ({@code AZURE_TENANT_ID})
   * @param clientId the application (client) id ({@code AZURE_CLIENT_ID})
   * @param clientSecret the client secret ({@code AZURE_CLIENT_SECRET})
   * @param clientSecretFile a file holding the client secret (a mounted Kubernetes secret)
   * @param clientCertificatePath a PEM or PFX file with the certificate and its private key ({@code
   *     AZURE_CLIENT_CERTIFICATE_PATH})
   * @param clientCertificatePassword the key's or PFX's password ({@code
   *     AZURE_CLIENT_CERTIFICATE_PASSWORD})
   * @param username a user for the public-client password flow ({@code AZURE_USERNAME})
   * @param password that user's password ({@code AZURE_PASSWORD})
   * @param cloud global, usgov, usgov-dod or china; inferred from the hosts below when unset
   * @param authorityHost the login host ({@code AZURE_AUTHORITY_HOST}); default the cloud's
   * @param graphUrl the Graph endpoint with its version; default the cloud's
   */
  public record Tenant(
      String id,
      String clientId,
      String clientSecret,
      Path clientSecretFile,
      Path clientCertificatePath,
      String clientCertificatePassword,
      String username,
      String password,
      String cloud,
      URI authorityHost,
      URI graphUrl) {

    public boolean configured() {
      return id != null && !id.isBlank();
    }

    @Override
    public String toString() {
      return "Tenant[id="
          + id
          + ", clientId="
          + clientId
          + ", clientSecret="
          + (clientSecret == null ? "unset" : "***")
          + ", clientSecretFile="
          + clientSecretFile
          + ", clientCertificatePath="
          + clientCertificatePath
          + ", clientCertificatePassword="
          + (clientCertificatePassword == null ? "unset" : "***")
          + ", username="
          + username
          + ", password="
          + (password == null ? "unset" : "***")
          + ", cloud="
          + cloud
          + ", authorityHost="
          + authorityHost
          + ", graphUrl="
          + graphUrl
          + "]";
    }
  }

  /**
   * @param proxy an HTTP proxy ({@code http://host:port}) for token and Graph calls; none if unset
   * @param timeout per-request timeout, for token and Graph calls
   * @param trustCertificate a PEM certificate to trust in addition to the JVM's (a TLS proxy, the
   *     simulator)
   * @param maxAttempts attempts per request before a retryable failure fails the step
   * @param maxBackoff the longest wait between attempts when Graph gives no Retry-After
   * @param concurrency Graph requests in flight at once while reading group members, one group's
   *     page each: a tenant's groups are thousands of small requests, so Graph's latency, not its
   *     throughput, bounds that step (8 requests of 2 resource units each stay far below the
   *     directory limit of 3,500–8,000 units per 10 s)
   * @param pacing whether requests are paced to Graph's throttling budgets ({@code GraphBudget});
   *     on by default
   * @param budgetShare the part of each budget this process uses (1.0: all of it), so another tool,
   *     or another worker, on the same app registration and tenant is left room
   * @param resourceUnits the directory budget per window; 0 (the default) for Graph's documented
   *     tiers, starting at the largest and stepping down when Graph throttles
   * @param reportRequests the reports budget per window (Graph documents 5)
   * @param budgetWindow the budgets' window (Graph documents 10 s; shorter only against a simulator
   *     whose time runs faster)
   * @param reportsTimeout per-request timeout for report pages (sign-ins, audits): a page of 1,000
   *     sign-ins has taken over 30 s on tenants with many conditional access policies; a page that
   *     outlasts this is asked again at half the size (down to 50), not retried as it was
   */
  public record Graph(
      URI proxy,
      @DefaultValue("30s") Duration timeout,
      Path trustCertificate,
      @DefaultValue("8") int maxAttempts,
      @DefaultValue("60s") Duration maxBackoff,
      @DefaultValue("" + Graph.DEFAULT_CONCURRENCY) int concurrency,
      @DefaultValue("true") boolean pacing,
      @DefaultValue("1.0") double budgetShare,
      @DefaultValue("0") int resourceUnits,
      @DefaultValue("5") int reportRequests,
      @DefaultValue("10s") Duration budgetWindow,
      @DefaultValue("90s") Duration reportsTimeout) {

    /** Settings with the defaults for pacing: tests and benchmarks that set only the rest. */
    public Graph(
        URI proxy,
        Duration timeout,
        Path trustCertificate,
        int maxAttempts,
        Duration maxBackoff,
        int concurrency) {
      this(
          proxy,
          timeout,
          trustCertificate,
          maxAttempts,
          maxBackoff,
          concurrency,
          true,
          1.0,
          0,
          5,
          Duration.ofSeconds(10),
          Duration.ofSeconds(90));
    }

    public static final int DEFAULT_CONCURRENCY = 8;

    @ConstructorBinding
    public Graph {
      if (concurrency < 1 || concurrency > 64) {
        throw new IllegalArgumentException(
            "entra.graph.concurrency must be from 1 to 64 requests in flight, got " + concurrency);
      }
      if (maxAttempts < 1) {
        throw new IllegalArgumentException(
            "entra.graph.max-attempts must be 1 or more, got " + maxAttempts);
      }
      if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
        throw new IllegalArgumentException(
            "entra.graph.timeout must be a positive duration (30s, 2m), got " + timeout);
      }
      if (maxBackoff != null && maxBackoff.isNegative()) {
        throw new IllegalArgumentException(
            "entra.graph.max-backoff must not be negative, got " + maxBackoff);
      }
      if (!(budgetShare > 0 && budgetShare <= 1)) {
        throw new IllegalArgumentException(
            "entra.graph.budget-share must be above 0 and at most 1 (0.5: half of each of"
                + " Graph's budgets), got "
                + budgetShare);
      }
      if (resourceUnits < 0 || reportRequests < 1) {
        throw new IllegalArgumentException(
            "entra.graph.resource-units must be 0 (Graph's tiers) or more, and"
                + " entra.graph.report-requests 1 or more, got "
                + resourceUnits
                + " and "
                + reportRequests);
      }
      if (budgetWindow == null || budgetWindow.isNegative() || budgetWindow.isZero()) {
        throw new IllegalArgumentException(
            "entra.graph.budget-window must be a positive duration (10s), got " + budgetWindow);
      }
      if (reportsTimeout != null && (reportsTimeout.isNegative() || reportsTimeout.isZero())) {
        throw new IllegalArgumentException(
            "entra.graph.reports-timeout must be a positive duration (90s, 2m), got "
                + reportsTimeout);
      }
    }

    /** The same settings with another timeout for report pages. */
    public Graph withReportsTimeout(Duration reports) {
      return copy(proxy, pacing, reports);
    }

    private Graph copy(URI proxy, boolean pacing, Duration reportsTimeout) {
      return new Graph(
          proxy,
          timeout,
          trustCertificate,
          maxAttempts,
          maxBackoff,
          concurrency,
          pacing,
          budgetShare,
          resourceUnits,
          reportRequests,
          budgetWindow,
          reportsTimeout);
    }

    /** The same settings, requests unpaced (benchmarks against an unthrottled simulator). */
    public Graph unpaced() {
      return copy(proxy, false, reportsTimeout);
    }

    /** The same settings without a proxy (the demo tenant is on loopback). */
    public Graph direct() {
      return copy(null, pacing, reportsTimeout);
    }
  }

  /**
   * @param directory the warehouse directory
   * @param lakeUri where Parquet files go; any Hadoop FileSystem URI ({@code file:}, {@code hdfs:},
   *     {@code s3a:}); default {@code <directory>/lake}
   * @param chunkSize items per chunk, the unit of commit and restart
   * @param duckdb whether loads refresh the DuckDB file; false for workers that only load the lake
   *     (several processes, several tenants, one lake), whose DuckDB file is built with {@code
   *     refresh}
   * @param snapshotRetention how long earlier states of the lake's tables stay reachable by time
   *     travel; older snapshots and the files only they use are removed as loads commit
   * @param duckdbWait how long a load waits for another process that holds the DuckDB file for
   *     writing (readers never hold it up)
   * @param duckdbMemory the most memory DuckDB takes for a load's warehouse updates (it spills the
   *     rest to disk)
   * @param bucketRows the most rows a load compares in memory at once when it merges a delta round
   *     or builds a history: a bigger table is split by id into buckets of about this many rows,
   *     spilled to the staging directory (about 150 bytes of heap a row)
   * @param progress how a load shows its progress: auto (a live block on a terminal, plain lines
   *     otherwise), terminal, plain or off
   * @param progressInterval how often plain progress lines are printed
   * @param hadoop Hadoop settings for the lake's file system, such as {@code fs.s3a.endpoint} or
   *     {@code fs.s3a.path.style.access} ({@code entra.warehouse.hadoop.[fs.s3a.endpoint]=...});
   *     they apply over any {@code core-site.xml} on the class path
   */
  public record Warehouse(
      @DefaultValue("warehouse") Path directory,
      String lakeUri,
      @DefaultValue("5000") int chunkSize,
      @DefaultValue("true") boolean duckdb,
      @DefaultValue("30d") Duration snapshotRetention,
      @DefaultValue("10m") Duration duckdbWait,
      @DefaultValue("128MB") String duckdbMemory,
      @DefaultValue("100000") long bucketRows,
      @DefaultValue("auto") ProgressMode progress,
      @DefaultValue("10s") Duration progressInterval,
      Map<String, String> hadoop) {

    public Warehouse {
      hadoop = hadoop == null ? Map.of() : Map.copyOf(hadoop);
      if (chunkSize < 1 || chunkSize > 1_000_000) {
        throw new IllegalArgumentException(
            "entra.warehouse.chunk-size must be from 1 to 1000000 items, got " + chunkSize);
      }
      if (progressInterval == null || progressInterval.toMillis() < 100) {
        throw new IllegalArgumentException(
            "entra.warehouse.progress-interval must be at least 100ms (10s, 1m), got "
                + progressInterval);
      }
      if (bucketRows < 1) {
        throw new IllegalArgumentException(
            "entra.warehouse.bucket-rows must be at least 1, got " + bucketRows);
      }
      if (snapshotRetention != null && snapshotRetention.isNegative()) {
        throw new IllegalArgumentException(
            "entra.warehouse.snapshot-retention must not be negative (30d, 12h), got "
                + snapshotRetention);
      }
      if (duckdbMemory != null
          && !duckdbMemory.matches("(?i)\\d+(\\.\\d+)?\\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB|%)")) {
        throw new IllegalArgumentException(
            "entra.warehouse.duckdb-memory must be an amount such as 256MB or 2GB, got "
                + duckdbMemory);
      }
      if (duckdbWait != null && duckdbWait.isNegative()) {
        throw new IllegalArgumentException(
            "entra.warehouse.duckdb-wait must not be negative (10m, 30s), got " + duckdbWait);
      }
    }

    public Path duckdbFile() {
      return directory.resolve("entra.duckdb");
    }

    public URI lake() {
      return lakeUri == null || lakeUri.isBlank()
          ? directory.toAbsolutePath().resolve("lake").toUri()
          : URI.create(lakeUri);
    }
  }

  /**
   * @param scale the demo tenant's size
   * @param port its loopback port; 0 (the default) takes a free one, so demo runs side by side do
   *     not collide (readers save links relative to the Graph URL, so a restart on another port
   *     still follows them)
   * @param day the demo tenant's day: from one day to the next about 1% of its objects change
   *     (users disabled, members moved, devices gone), so a load of day 1 after one of day 0 gives
   *     the history tables and their views rows
   */
  public record Demo(
      @DefaultValue("small") String scale,
      @DefaultValue("0") int port,
      @DefaultValue("0") int day) {
    public Demo {
      if (day < 0) {
        throw new IllegalArgumentException("entra.demo.day must be 0 or more, got " + day);
      }
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException(
            "entra.demo.port must be 0 (any free port) or a port from 1 to 65535, got " + port);
      }
    }
  }
}
