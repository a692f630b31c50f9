package io.entrawarehouse.simulator;

import java.util.LinkedHashMap;
import java.util.Map;

/** A test simulator as a user configures it, and the accounts tests sign in with. */
public final class SimulatorTenants {

  private SimulatorTenants() {}

  /**
   * The tenant's id, app and hosts under a property prefix ({@code entra.tenant.} or {@code
   * entra.tenants.<name>.}); the credential is the caller's to add.
   */
  public static Map<String, String> properties(String prefix, GraphSimulator sim) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put(prefix + "id", sim.tenantId());
    p.put(prefix + "client-id", sim.clientId());
    p.put(prefix + "authority-host", sim.authorityHost().toString());
    p.put(prefix + "graph-url", sim.graphBaseUrl().toString());
    return p;
  }

  /** The user principal name of an enabled member, who can use the password grant. */
  public static String enabledMember(GraphSimulator sim) {
    for (int u = 0; u < sim.tenant().scale().users(); u++) {
      Map<String, Object> user = sim.tenant().people().user(u);
      if ("Member".equals(user.get("userType"))
          && Boolean.TRUE.equals(user.get("accountEnabled"))) {
        return (String) user.get("userPrincipalName");
      }
    }
    throw new IllegalStateException("the tenant has no enabled member");
  }
}
