package io.entrawarehouse.simulator;

/**
 * The cloud the simulator plays, known by the Graph host it is told to answer as. Kept apart from
 * the product's own list of clouds, so that a mistake in one is not copied into the other.
 */
enum NationalCloud {
  GLOBAL("global", "graph.microsoft.com"),
  US_GOV("usgov", "graph.microsoft.us"),
  US_GOV_DOD("usgov-dod", "dod-graph.microsoft.us"),
  CHINA("china", "microsoftgraph.chinacloudapi.cn");

  private final String id;
  private final String graphHost;

  NationalCloud(String id, String graphHost) {
    this.id = id;
    this.graphHost = graphHost;
  }

  String id() {
    return id;
  }

  /** The cloud whose Graph host this is; the global cloud for any other. */
  static NationalCloud ofGraphHost(String host) {
    for (NationalCloud c : values()) {
      if (c.graphHost.equalsIgnoreCase(host)) {
        return c;
      }
    }
    return GLOBAL;
  }
}
