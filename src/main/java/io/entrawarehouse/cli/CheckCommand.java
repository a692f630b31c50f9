package io.entrawarehouse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrawarehouse.config.Cloud;
import io.entrawarehouse.graph.GraphClient;
import io.entrawarehouse.graph.GraphErrors;
import io.entrawarehouse.graph.GraphException;
import io.entrawarehouse.job.DirectoryLoadLauncher;
import io.entrawarehouse.job.LoadParameters;
import io.entrawarehouse.job.TablePlan;
import io.entrawarehouse.warehouse.CloudAvailability;
import io.entrawarehouse.warehouse.Entity;
import io.entrawarehouse.warehouse.Permission;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code check}: the connection test. Acquires a token, reads the application permissions it
 * grants, probes each entity's endpoint with {@code $top=1}, and prints one row per entity with the
 * fix when it fails. Never prints a secret or a token.
 */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description =
        "Tests the connection: token, granted permissions, and a $top=1 probe per entity.")
public final class CheckCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(
      paramLabel = "key=value",
      description = "Launch parameters (entities=…, filter.…) as for run.")
  List<String> parameters = new ArrayList<>();

  @Option(
      names = "--print-permissions",
      description =
          "Print what each table needs (application permission, Entra ID licence) and the least"
              + " privileged permissions to grant, without connecting.")
  boolean printPermissions;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Map<String, String> args = LoadCommands.keyValues(parameters);
    String tenants = Tenants.tenantSelection(args);
    if (printPermissions) {
      out.print(permissions(LoadParameters.parse(null, args, LoadCommands.today())));
      out.flush();
      return LoadCommands.OK;
    }
    try (ConfigurableApplicationContext spring = SpringBootstrap.spring(err)) {
      DirectoryLoadLauncher launcher = spring.getBean(DirectoryLoadLauncher.class);
      return Tenants.forEachTenant(
          launcher, tenants, out, connection -> check(connection, args, out, err));
    }
  }

  private static int check(
      DirectoryLoadLauncher.Connection connection,
      Map<String, String> args,
      PrintWriter out,
      PrintWriter err)
      throws Exception {
    LoadParameters launch = LoadParameters.parse(connection.tenantId(), args, LoadCommands.today());
    Set<String> roles;
    try {
      roles = roles(connection.tokens().token());
    } catch (GraphException e) {
      err.println("Token: FAILED. " + e.getMessage());
      err.flush();
      return LoadCommands.FAILED;
    }
    out.println(
        "Token: acquired for tenant "
            + connection.tenantId()
            + "; permissions granted: "
            + (roles == null
                ? "unknown (the access token is not a JWT this tool can read: Microsoft documents"
                    + " access tokens as opaque to clients), so each entity's probe tells"
                : roles.isEmpty() ? "none" : String.join(", ", new TreeSet<>(roles))));
    out.printf(
        "%-27s %-40s %-8s %-8s %-6s %s%n", "entity", "needs", "granted", "licence", "probe", "fix");
    boolean allOk = true;
    Instant from = launch.window().effectiveSince(Instant.now());
    for (TablePlan plan : launch.plans()) {
      Entity entity = plan.entity();
      if (!entity.readFromGraph()) {
        out.printf(
            "%-27s %-40s %-8s %-8s %-6s %s%n",
            entity.name(),
            "(none)",
            "-",
            "any",
            "-",
            "computed from " + entity.closureOf().name() + ", no request");
        continue;
      }
      Cloud cloud = Cloud.ofGraphHost(connection.graph().tokens().audience());
      String missing = CloudAvailability.missing(cloud, entity);
      if (missing != null) {
        out.printf(
            "%-27s %-40s %-8s %-8s %-6s %s%n",
            entity.name(),
            entity.permission().display(),
            "-",
            "-",
            "-",
            "not offered in " + cloud.id() + ": skipped by run (exit 4, PARTIAL)");
        continue;
      }
      List<Need> needs = new ArrayList<>();
      needs.add(
          new Need(
              entity.name(),
              entity.what() + " need",
              entity.permission(),
              entity.licence(),
              "leave " + entity.name() + " out",
              plan.query(from, launch.window().until(), false),
              null));
      if (plan.extraWanted() && CloudAvailability.missingExtra(cloud, entity) != null) {
        Entity.Extra extra = entity.extra();
        out.printf(
            "%-27s %-40s %-8s %-8s %-6s %s%n",
            entity.name() + "." + extra.property(),
            extra.permission().display(),
            "-",
            "-",
            "-",
            "not offered in " + cloud.id() + ": run loads " + entity.name() + " without it");
      } else if (plan.extraWanted()) {
        Entity.Extra extra = entity.extra();
        needs.add(
            new Need(
                entity.name() + "." + extra.property(),
                entity.what() + "' " + extra.property() + " needs",
                extra.permission(),
                extra.licence(),
                "launch with " + extra.toggle() + "=false",
                plan.query(from, launch.window().until(), true),
                null));
      }
      String deltaSelect = plan.deltaSelect();
      if (deltaSelect != null) {
        // What a nightly asks first: Graph refuses some properties in a delta $select
        // (microsoft-graph-docs#4746), which only this request shows.
        needs.add(
            new Need(
                entity.name() + " (delta)",
                entity.what() + " by delta need",
                entity.permission(),
                entity.licence(),
                "launch with directory=full",
                null,
                entity.delta().path()
                    + "?$deltatoken=latest&$select="
                    + GraphClient.encode(deltaSelect)));
      }
      for (Need need : needs) {
        String probe = "ok";
        String fix = "";
        try {
          if (need.delta() != null) {
            connection.graph().page(entity.reading(), connection.graph().url(need.delta()), false);
          } else {
            QueryProbe.probe(connection.graph(), plan, need.query());
          }
        } catch (GraphException.Query e) {
          probe = "FAILED";
          fix = e.withHint(plan.hint(from)).getMessage();
          allOk = false;
        } catch (GraphException e) {
          probe = "FAILED";
          fix = fix(need, entity, e, roles);
          allOk = false;
        }
        out.printf(
            "%-27s %-40s %-8s %-8s %-6s %s%n",
            need.row(),
            need.permission().display(),
            roles == null ? "unknown" : need.permission().grantedBy(roles) ? "yes" : "no",
            need.licence() == null ? "any" : need.licence(),
            probe,
            fix);
      }
    }
    out.flush();
    return allOk ? LoadCommands.OK : LoadCommands.FAILED;
  }

  /**
   * What the launch's tables need, as a Markdown table (the README's is this output), then the
   * least privileged application permissions that cover them all: the first of each "or", every one
   * of each "+".
   */
  static String permissions(LoadParameters launch) {
    StringBuilder out = new StringBuilder();
    out.append("| table | application permission | Entra ID licence |\n|---|---|---|\n");
    Set<String> grant = new TreeSet<>();
    for (TablePlan plan : launch.plans()) {
      Entity entity = plan.entity();
      if (!entity.readFromGraph()) {
        out.append("| `")
            .append(entity.name())
            .append("` | none: computed from `")
            .append(entity.closureOf().name())
            .append("` | any |\n");
        continue;
      }
      row(out, "`" + entity.name() + "`", entity.permission(), entity.licence(), grant);
      if (plan.extraWanted()) {
        Entity.Extra extra = entity.extra();
        row(
            out,
            "`"
                + entity.name()
                + "."
                + extra.property()
                + "` ("
                + extra.toggle()
                + "=false: without)",
            extra.permission(),
            extra.licence(),
            grant);
      }
    }
    out.append("\nLeast privileged application permissions to grant (then admin consent): ")
        .append(String.join(", ", grant))
        .append('\n');
    return out.toString();
  }

  private static void row(
      StringBuilder out, String table, Permission needs, String licence, Set<String> grant) {
    out.append("| ")
        .append(table)
        .append(" | ")
        .append(needs.display())
        .append(" | ")
        .append(licence == null ? "any" : "Entra ID " + licence)
        .append(" |\n");
    // "A + B, or C": the first alternative; "A or B": its first, the least privileged.
    for (String part : needs.display().split(", or ")[0].split(" \\+ ")) {
      grant.add(part.split(" or ")[0].strip());
    }
  }

  /**
   * One row of {@code check}: a table, or the extra property of one ({@code users.signInActivity}),
   * with what it needs, how to do without it, and the query that probes it; or a delta function's
   * request ({@code delta}: its path and query), probed as a nightly's first request.
   */
  private record Need(
      String row,
      String needs,
      Permission permission,
      String licence,
      String without,
      String query,
      String delta) {}

  private static String fix(Need need, Entity entity, GraphException e, Set<String> roles) {
    if (GraphErrors.isLicence(e.code())) {
      return need.needs()
          + " Entra ID "
          + ("P2".equals(need.licence()) ? "P2" : "P1/P2")
          + " in the tenant (or "
          + need.without()
          + ")";
    }
    if (e instanceof GraphException.Auth auth && auth.denied()) {
      if (roles == null) {
        return "grant " + need.permission().display() + " and admin consent";
      }
      String missing = need.permission().missing(roles);
      return missing != null
          ? "add " + missing + " and grant admin consent (or " + need.without() + ")"
          : "the token has the permission but Graph refused: grant admin consent again, or give"
              + " the signed-in user a directory role that can read "
              + entity.what();
    }
    return e.getMessage();
  }

  /**
   * The application permissions (roles) an access token grants, delegated scopes as a fallback;
   * null when the token is not a JWT whose claims can be read (Microsoft documents access tokens as
   * opaque to clients, and some are encrypted).
   */
  static Set<String> roles(String accessToken) {
    String[] parts = accessToken.split("\\.");
    Set<String> roles = new HashSet<>();
    JsonNode claims;
    try {
      claims = new ObjectMapper().readTree(Base64.getUrlDecoder().decode(parts[1]));
    } catch (Exception notAReadableJwt) {
      return null;
    }
    if (claims == null || !claims.isObject()) {
      return null;
    }
    claims.path("roles").forEach(r -> roles.add(r.asText()));
    if (roles.isEmpty() && claims.hasNonNull("scp")) {
      roles.addAll(List.of(claims.get("scp").asText().split(" ")));
    }
    return roles;
  }
}
