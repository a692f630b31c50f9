package io.entrawarehouse.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.graph.core.tasks.PageIterator;
import com.microsoft.graph.models.User;
import com.microsoft.graph.models.UserCollectionResponse;
import com.microsoft.graph.serviceclient.GraphServiceClient;
import io.entrawarehouse.cli.DemoConnection;
import io.entrawarehouse.config.EntraProperties;
import io.entrawarehouse.graph.GraphClient;
import io.entrawarehouse.graph.GraphPage;
import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.TenantScale;
import io.entrawarehouse.warehouse.Entities;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench-parse}: the figures behind parsing raw pages with Jackson instead of the Graph SDK's
 * typed models. Pages the same users (same $select and $top) from an in-process simulator both
 * ways, several rounds, and prints items/s.
 */
@Command(
    name = "bench-parse",
    hidden = true, // a developer's tool (src/bench), not an operator's: left out of --help
    mixinStandardHelpOptions = true,
    description = "Benchmark: Graph SDK typed paging against raw pages parsed with Jackson.")
public final class ParseCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--users", description = "Users in the tenant (default: ${DEFAULT-VALUE}).")
  int users = 50_000;

  @Option(names = "--rounds", description = "Rounds of each (default: ${DEFAULT-VALUE}).")
  int rounds = 3;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    SimulatorSettings settings =
        SimulatorSettings.builder()
            .scale(TenantScale.SMALL.with(users, -1, -1, -1, -1, -1))
            .throttling(false)
            .port(0)
            .build();
    try (GraphSimulator sim = GraphSimulator.start(settings)) {
      // The users' own properties, as the job selects them, without signInActivity: Graph sends
      // "" for lastSuccessfulSignInDateTime when a user never signed in successfully
      // (README, "The tenant"), which the SDK's date parser refuses ("Failed parsing '' as
      // OffsetDateTime"); the raw reader keeps it as text. So both read the same pages.
      String[] select =
          Arrays.stream(Entities.USERS.defaultSelect().split(","))
              .filter(p -> !p.equals("signInActivity"))
              .toArray(String[]::new);
      int pageSize = 999;
      String query = "$select=" + String.join(",", select) + "&$top=" + pageSize;
      GraphClient raw =
          DemoConnection.endpoint(sim)
              .client(
                  new EntraProperties.Graph(
                          null, Duration.ofSeconds(30), null, 3, Duration.ofSeconds(5), 1)
                      .unpaced(),
                  d -> Thread.sleep(d.toMillis()));
      GraphServiceClient sdk = SdkClients.forSimulator(sim, raw.tokens().token());
      out.printf("%-28s %6s %10s %9s %10s%n", "client", "round", "users", "seconds", "users/s");
      for (int round = 1; round <= rounds; round++) {
        long t0 = System.nanoTime();
        long n = 0;
        for (String next = raw.url("/users?" + query); next != null; ) {
          GraphPage page = raw.page(Entities.USERS.reading(), next, false);
          for (JsonNode item : page.items()) { // made a tree, as a reader makes each item
            n += item.size() > 0 ? 1 : 0;
          }
          next = page.nextLink();
        }
        report(out, "raw pages + Jackson trees", round, n, t0);

        t0 = System.nanoTime();
        long[] count = new long[1];
        UserCollectionResponse first =
            sdk.users()
                .get(
                    rc -> {
                      rc.queryParameters.top = pageSize;
                      rc.queryParameters.select = select;
                    });
        new PageIterator.Builder<User, UserCollectionResponse>()
            .client(sdk)
            .collectionPage(first)
            .collectionPageFactory(UserCollectionResponse::createFromDiscriminatorValue)
            .processPageItemCallback(u -> ++count[0] > 0)
            .build()
            .iterate();
        report(out, "SDK typed models + paging", round, count[0], t0);
      }
    }
    return 0;
  }

  private static void report(PrintWriter out, String what, int round, long n, long t0) {
    double s = (System.nanoTime() - t0) / 1e9;
    out.printf("%-28s %6d %10d %9.2f %10.0f%n", what, round, n, s, n / s);
    out.flush();
  }
}
