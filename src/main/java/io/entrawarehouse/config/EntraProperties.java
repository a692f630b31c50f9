package io.entrawarehouse.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Every setting of the product, bound from {@code entra.*} (application.yml maps the standard Azure
 * variables onto it). Immutable. {@link #toString()} never prints the client secret.
 *
 * @param tenant the tenant and app registration to load
 * @param graph where Graph is and how to talk to it
 * @param warehouse where the lake and the DuckDB file go
 * @param demo the built-in demo tenant, used when no tenant is configured
 */
@ConfigurationProperties("entra")
public record EntraProperties(
    @DefaultValue Tenant tenant,
    @DefaultValue Graph graph,
    @DefaultValue Warehouse warehouse,
    @DefaultValue Demo demo) {

  /**
   * @param id the tenant id or primary domain ({@code AZURE_TENANT_ID})
   * @param clientId the application (client) id ({@code AZURE_CLIENT_ID})
   * @param clientSecret the client secret ({@code AZURE_CLIENT_SECRET}); never logged
   * @param authorityHost the login host ({@code AZURE_AUTHORITY_HOST})
   */
  public record Tenant(
      String id,
      String clientId,
      String clientSecret,
      @DefaultValue("https://login.microsoftonline.com") URI authorityHost) {

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
          + ", authorityHost="
          + authorityHost
          + "]";
    }
  }

  /**
   * @param baseUrl the Graph endpoint, with its version
   * @param timeout per-request timeout
   * @param trustCertificate a PEM certificate to trust in addition to the JVM's (a TLS proxy, the
   *     simulator)
   * @param maxAttempts attempts per request before a retryable failure fails the step
   * @param maxBackoff the longest wait between attempts when Graph gives no Retry-After
   */
  public record Graph(
      @DefaultValue("https://graph.microsoft.com/v1.0") URI baseUrl,
      @DefaultValue("30s") Duration timeout,
      Path trustCertificate,
      @DefaultValue("8") int maxAttempts,
      @DefaultValue("60s") Duration maxBackoff) {

    /** The token scope: the Graph host's {@code /.default}. */
    public String scope() {
      return baseUrl.getScheme() + "://" + baseUrl.getHost() + "/.default";
    }
  }

  /**
   * @param directory the warehouse directory
   * @param lakeUri where Parquet files go; any Hadoop FileSystem URI ({@code file:}, {@code hdfs:},
   *     {@code s3a:}); default {@code <directory>/lake}
   * @param chunkSize items per chunk, the unit of commit and restart
   */
  public record Warehouse(
      @DefaultValue("warehouse") Path directory,
      String lakeUri,
      @DefaultValue("5000") int chunkSize) {

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
   * @param port its loopback port: fixed, so a restarted run can follow links saved by the previous
   *     process
   */
  public record Demo(@DefaultValue("small") String scale, @DefaultValue("18443") int port) {}
}
