package io.entrawarehouse.config;

import java.net.URI;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The Microsoft clouds an Entra tenant can live in, each with its login host and Graph host (the
 * token scope is {@code https://<graph host>/.default}).
 */
public enum Cloud {
  GLOBAL("global", "login.microsoftonline.com", "graph.microsoft.com"),
  US_GOV("usgov", "login.microsoftonline.us", "graph.microsoft.us"),
  US_GOV_DOD("usgov-dod", "login.microsoftonline.us", "dod-graph.microsoft.us"),
  CHINA("china", "login.chinacloudapi.cn", "microsoftgraph.chinacloudapi.cn");

  private final String id;
  private final String loginHost;
  private final String graphHost;

  Cloud(String id, String loginHost, String graphHost) {
    this.id = id;
    this.loginHost = loginHost;
    this.graphHost = graphHost;
  }

  /** The name used in configuration: global, usgov, usgov-dod or china. */
  public String id() {
    return id;
  }

  public String graphHost() {
    return graphHost;
  }

  public URI authorityHost() {
    return URI.create("https://" + loginHost);
  }

  /** The Graph v1.0 endpoint of this cloud. */
  public URI graphBaseUrl() {
    return URI.create("https://" + graphHost + "/v1.0");
  }

  public String scope() {
    return "https://" + graphHost + "/.default";
  }

  /** Parses a configured cloud name (also Azure's names: AzureUSGovernment, AzureChinaCloud…). */
  public static Cloud parse(String name) {
    String key = name.trim().toLowerCase(Locale.ROOT).replace("_", "-");
    return switch (key) {
      case "global", "public", "azurepubliccloud", "azurecloud" -> GLOBAL;
      case "usgov", "us-gov", "gcc-high", "azureusgovernment" -> US_GOV;
      case "usgov-dod", "us-gov-dod", "dod", "azureusgovernmentdod" -> US_GOV_DOD;
      case "china", "azurechinacloud" -> CHINA;
      default ->
          throw new IllegalArgumentException(
              "Unknown cloud '"
                  + name
                  + "': use one of "
                  + Arrays.stream(values()).map(Cloud::id).collect(Collectors.joining(", "))
                  + ".");
    };
  }

  /** The cloud whose Graph host this is; the global cloud for any other (a private endpoint). */
  public static Cloud ofGraphHost(String host) {
    for (Cloud c : values()) {
      if (c.graphHost.equalsIgnoreCase(host)) {
        return c;
      }
    }
    return GLOBAL;
  }

  /**
   * The cloud a tenant is in when none is named: the one whose Graph host is the configured Graph
   * URL's, else the one whose login host is the configured authority's (US Gov for {@code
   * login.microsoftonline.us}, shared with DoD), else the global cloud.
   */
  public static Cloud infer(URI graphUrl, URI authorityHost) {
    if (graphUrl != null) {
      for (Cloud c : values()) {
        if (c.graphHost.equalsIgnoreCase(graphUrl.getHost())) {
          return c;
        }
      }
    }
    if (authorityHost != null) {
      for (Cloud c : values()) {
        if (c.loginHost.equalsIgnoreCase(authorityHost.getHost())) {
          return c;
        }
      }
    }
    return GLOBAL;
  }
}
