package io.entrawarehouse.cli;

import io.entrawarehouse.graph.GraphEndpoint;
import io.entrawarehouse.graph.TenantEndpoints;
import io.entrawarehouse.job.DirectoryLoadLauncher;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** The tenants a command acts on: the configured ones a launch selects, or the demo tenant. */
final class Tenants {

  private Tenants() {}

  /** What a command does with one tenant's connection; returns an exit code. */
  interface TenantAction {
    int apply(DirectoryLoadLauncher.Connection connection) throws Exception;
  }

  /** Removes and returns the launch's tenant selection ({@code tenant=<name>|all}). */
  static String tenantSelection(Map<String, String> args) {
    return args.remove("tenant");
  }

  /**
   * Runs {@code action} for each tenant the selection names (all configured tenants by default),
   * one connection at a time, or for the demo tenant when none is configured. Returns the worst
   * exit code.
   */
  static int forEachTenant(
      DirectoryLoadLauncher launcher, String selection, PrintWriter out, TenantAction action)
      throws Exception {
    List<GraphEndpoint> configured = launcher.tenants();
    if (configured.isEmpty()
        && (selection == null || selection.equals("all") || selection.equals("demo"))) {
      try (DirectoryLoadLauncher.Connection demo = DemoConnection.connect(launcher, say(out))) {
        return action.apply(demo);
      }
    }
    int worst = LoadCommands.OK;
    for (GraphEndpoint endpoint : TenantEndpoints.select(configured, selection)) {
      say(out).accept(describe(endpoint));
      try (DirectoryLoadLauncher.Connection connection = launcher.connect(endpoint)) {
        worst = LoadCommands.worse(worst, action.apply(connection));
      }
    }
    return worst;
  }

  /**
   * Connects to the tenant with this id (a restart's), the demo tenant, or null if not configured.
   */
  static DirectoryLoadLauncher.Connection connectTo(
      DirectoryLoadLauncher launcher, String tenantId, PrintWriter out) {
    List<GraphEndpoint> configured = launcher.tenants();
    if (configured.isEmpty()) {
      DirectoryLoadLauncher.Connection demo = DemoConnection.connect(launcher, say(out));
      if (demo.tenantId().equals(tenantId)) {
        return demo;
      }
      demo.close();
      return null;
    }
    for (GraphEndpoint endpoint : configured) {
      if (endpoint.tenantId().equalsIgnoreCase(tenantId)) {
        say(out).accept(describe(endpoint));
        return launcher.connect(endpoint);
      }
    }
    return null;
  }

  private static String describe(GraphEndpoint endpoint) {
    return "Tenant "
        + endpoint.name()
        + " ("
        + endpoint.tenantId()
        + "): "
        + endpoint.graphBaseUrl()
        + " with "
        + endpoint.credential().describe();
  }

  private static Consumer<String> say(PrintWriter out) {
    return line -> {
      out.println(line);
      out.flush();
    };
  }
}
