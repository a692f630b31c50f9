package io.entrawarehouse.cli;

import io.entrawarehouse.config.Cloud;
import io.entrawarehouse.simulator.DemoTenant;
import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.GroundTruth;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.TenantScale;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code simulator}: serves the demo tenant on loopback, or describes its ground truth. */
@Command(
    name = "simulator",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Serves a synthetic Entra ID tenant over HTTPS on 127.0.0.1: an OAuth2 token endpoint and"
          + " Microsoft Graph v1.0 endpoints that page, filter, throttle and fail as Microsoft"
          + " documents.",
      "The demo app's client secret is '"
          + SimulatorSettings.DEMO_CLIENT_SECRET
          + "' unless"
          + " --client-secret-file says otherwise."
    })
public final class SimulatorCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--port",
      description = "Loopback port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int port = 0;

  @Option(
      names = "--scale",
      description = "tiny, small, medium or large (default: ${DEFAULT-VALUE}).")
  String scale = "small";

  @Option(names = "--seed", description = "Generator seed (default: ${DEFAULT-VALUE}).")
  long seed = 42;

  @Option(names = "--users", description = "Override the scale's user count.")
  int users = -1;

  @Option(names = "--devices", description = "Override the scale's device count.")
  int devices = -1;

  @Option(names = "--groups", description = "Override the scale's group count.")
  int groups = -1;

  @Option(names = "--memberships", description = "Override the scale's membership count.")
  long memberships = -1;

  @Option(names = "--audits", description = "Override the scale's directory audit count.")
  int audits = -1;

  @Option(names = "--sign-ins", description = "Override the scale's sign-in count.")
  int signIns = -1;

  @Option(
      names = "--now",
      description = "The tenant's fixed 'now' (ISO instant); default: midnight UTC today.")
  Instant now;

  @Option(
      names = "--log-days",
      description = "How many days back the logs reach (default: ${DEFAULT-VALUE}).")
  int logDays = 7;

  @Option(
      names = "--day",
      description =
          "The day the tenant starts at: 0 as generated, each later day with about --change-rate"
              + " of its users, groups and devices changed; POST /_simulator/day?advance=1 moves"
              + " a running simulator on (default: ${DEFAULT-VALUE}).")
  int day;

  @Option(
      names = "--change-rate",
      description =
          "The share of users, groups and devices created, changed or deleted each day"
              + " (default: ${DEFAULT-VALUE}).")
  double changeRate = 0.01;

  @Option(
      names = "--describe",
      description = "Print the ground truth (counts and id checksums) as JSON and exit.")
  boolean describe;

  @Option(
      names = "--client-secret-file",
      description = "Read the app's client secret from this file.")
  Path clientSecretFile;

  @Option(
      names = "--expired-secret",
      description = "Answer a correct secret with AADSTS7000222 (expired).")
  boolean expiredSecret;

  @Option(
      names = "--client-certificate",
      description = "Register a PEM certificate for client assertions (repeatable).")
  List<Path> clientCertificates = new ArrayList<>();

  @Option(
      names = "--permissions",
      split = ",",
      description = "Application permissions granted (default: ${DEFAULT-VALUE}).")
  List<String> permissions = new ArrayList<>(new TreeSet<>(SimulatorSettings.DEFAULT_PERMISSIONS));

  @Option(
      names = "--deny",
      description = "Withhold one permission (repeatable), e.g. Device.Read.All.")
  List<String> deny = new ArrayList<>();

  @Option(
      names = "--cloud",
      description =
          "The cloud the tenant lives in: global, usgov, usgov-dod or china; tokens are issued"
              + " only for that cloud's Graph (default: ${DEFAULT-VALUE}).")
  String cloud = "global";

  @Option(
      names = "--no-premium",
      description = "No Entra ID P1/P2: sign-ins answer 403, retention is 7 days.")
  boolean noPremium;

  @Option(
      names = "--opaque-tokens",
      description =
          "Issue access tokens whose claims are encrypted, which clients cannot read (Microsoft"
              + " documents access tokens as opaque).")
  boolean opaqueTokens;

  @Option(
      names = "--token-lifetime",
      description = "Access token lifetime in seconds (default: ${DEFAULT-VALUE}).")
  long tokenLifetime = 3599;

  @Option(
      names = "--skiptoken-lifetime",
      description = "Skiptoken lifetime in seconds (default: ${DEFAULT-VALUE}).")
  long skipTokenLifetime = 3600;

  @Option(names = "--no-throttling", description = "Never answer 429 for exceeding limits.")
  boolean noThrottling;

  @Option(
      names = "--time-scale",
      description = "Multiply throttling windows by this factor (default: ${DEFAULT-VALUE}).")
  double timeScale = 1.0;

  @Option(
      names = "--resource-units",
      description =
          "Resource units per 10 s window; 0: by tenant size (default: ${DEFAULT-VALUE}).")
  int resourceUnits = 0;

  @Option(
      names = "--reports-per-window",
      description = "Report requests per 10 s window (default: ${DEFAULT-VALUE}).")
  int reportsPerWindow = 5;

  @Option(
      names = "--no-retry-after-ratio",
      description = "Share of 429s sent without Retry-After (default: ${DEFAULT-VALUE}).")
  double noRetryAfterRatio = 0;

  @Option(
      names = "--latency-ms",
      description = "Latency per page in milliseconds (default: ${DEFAULT-VALUE}).")
  long latencyMs = 0;

  @Option(
      names = "--latency-per-item-us",
      description = "Extra latency per item in microseconds (default: ${DEFAULT-VALUE}).")
  long latencyPerItemUs = 0;

  @Option(
      names = "--fault",
      description =
          "Inject a fault (repeatable): KIND:ENDPOINT:nth=N or KIND:ENDPOINT:rate=R. KIND is 503,"
              + " 503+retry-after, 504, 504+retry-after, 429, 429-no-retry-after, reset, truncate or"
              + " malformed; ENDPOINT is users, groups, members, devices, directoryAudits, signIns,"
              + " servicePrincipals or *.")
  List<String> faults = new ArrayList<>();

  @Option(
      names = "--cert-out",
      description =
          "Where to write the server certificate (PEM) for clients to trust (default: ${DEFAULT-VALUE}).")
  Path certOut = Path.of(System.getProperty("java.io.tmpdir"), "entra-warehouse-simulator.pem");

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    SimulatorSettings settings = settings();
    if (describe) {
      DemoTenant tenant = DemoTenant.of(settings);
      out.print(GroundTruth.json(tenant, TableTruth.of(tenant)));
      out.flush();
      return 0;
    }
    GraphSimulator simulator = GraphSimulator.start(settings);
    Files.writeString(certOut, simulator.certificatePem(), StandardCharsets.US_ASCII);
    banner(out, simulator, settings);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  simulator.close();
                  stopped.countDown();
                }));
    stopped.await();
    return 0;
  }

  /** What a client needs to reach the simulator: URLs, ids, the secret, the certificate. */
  void banner(PrintWriter out, GraphSimulator simulator, SimulatorSettings settings) {
    TenantScale s = settings.scale();
    out.printf(
        "Entra Warehouse simulator: demo tenant '%s' (seed %d): %d users, %d devices, %d groups,"
            + " %d memberships, %d directory audits, %d sign-ins%n",
        s.name(),
        settings.seed(),
        s.users(),
        s.devices(),
        s.groups(),
        simulator.tenant().groups().memberships(),
        s.directoryAudits(),
        s.signIns());
    out.printf("token URL:  %s%n", simulator.tokenUrl());
    out.printf("Graph URL:  %s%n", simulator.graphBaseUrl());
    out.printf("tenant id:  %s%n", simulator.tenantId());
    out.printf(
        "client id:  %s (public client for the password grant: %s)%n",
        simulator.clientId(), simulator.publicClientId());
    // The demo app's secret is documented in the README: printing it is what makes the banner
    // enough to configure a client. A secret of the user's own (a file) is never printed.
    out.printf(
        "secret:     %s%n",
        clientSecretFile == null
            ? SimulatorSettings.DEMO_CLIENT_SECRET + " (the demo app's, documented in the README)"
            : "the one in " + clientSecretFile.toAbsolutePath());
    out.printf(
        "trust:      %s (self-signed certificate for 127.0.0.1)%n", certOut.toAbsolutePath());
    out.printf("stats:      %s/_simulator/stats%n", simulator.authorityHost());
    out.flush();
  }

  SimulatorSettings settings() throws IOException, CertificateException {
    TenantScale base = TenantScale.preset(scale);
    TenantScale chosen =
        users < 0 && devices < 0 && groups < 0 && memberships < 0 && audits < 0 && signIns < 0
            ? base
            : base.with(users, devices, groups, memberships, audits, signIns);
    LinkedHashSet<String> granted = new LinkedHashSet<>(permissions);
    granted.removeAll(deny);
    SimulatorSettings.Builder b =
        SimulatorSettings.builder()
            .seed(seed)
            .scale(chosen)
            .tenantNow(now)
            .logSpan(Duration.ofDays(logDays))
            .changeRate(changeRate)
            .day(day)
            .port(port)
            .clientSecretExpired(expiredSecret)
            .grantedPermissions(granted)
            .premium(!noPremium)
            .opaqueTokens(opaqueTokens)
            .graphHost(Cloud.parse(cloud).graphHost())
            .tokenLifetime(Duration.ofSeconds(tokenLifetime))
            .skipTokenLifetime(Duration.ofSeconds(skipTokenLifetime))
            .throttling(!noThrottling)
            .timeScale(timeScale)
            .resourceUnitsPerWindow(resourceUnits)
            .reportsPerWindow(reportsPerWindow)
            .throttleWithoutRetryAfterRatio(noRetryAfterRatio)
            .latency(Duration.ofMillis(latencyMs), Duration.ofNanos(latencyPerItemUs * 1_000));
    if (clientSecretFile != null) {
      b.clientSecret(Files.readString(clientSecretFile, StandardCharsets.UTF_8).strip());
    }
    for (Path pem : clientCertificates) {
      try (InputStream in = Files.newInputStream(pem)) {
        b.clientCertificate(
            (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in));
      }
    }
    for (String fault : faults) {
      b.fault(fault);
    }
    return b.build();
  }
}
