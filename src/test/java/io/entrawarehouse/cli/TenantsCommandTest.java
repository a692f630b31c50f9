package io.entrawarehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrawarehouse.graph.TestCertificates;
import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.GroundTruth;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.SimulatorTenants;
import io.entrawarehouse.simulator.TenantScale;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Named tenants through the command line: two tenants with different credentials in one warehouse,
 * one selected by name, a duplicate refused; and the Graph-side auth errors (403, no P1/P2) in the
 * job and in check alike, none retried.
 */
class TenantsCommandTest {

  @TempDir Path dir;
  final Cli cli = new Cli();
  final Map<String, String> properties = cli.properties;

  @AfterEach
  void clear() {
    cli.clear();
  }

  private Cli.Run run(String... args) {
    return cli.run(args);
  }

  private void common(GraphSimulator anySimulator) throws Exception {
    Path pem = dir.resolve("simulator.pem");
    // Every simulator serves the same bundled loopback certificate.
    Files.writeString(pem, anySimulator.certificatePem(), StandardCharsets.US_ASCII);
    properties.put("entra.warehouse.directory", dir.resolve("warehouse").toString());
    properties.put("entra.graph.trust-certificate", pem.toString());
    properties.put("entra.graph.max-attempts", "2");
    properties.put("entra.graph.max-backoff", "1s");
  }

  private void tenant(String name, GraphSimulator sim) {
    properties.putAll(SimulatorTenants.properties("entra.tenants." + name + ".", sim));
  }

  private List<String> ids(String table, String tenantId) throws Exception {
    List<String> ids = new ArrayList<>();
    try (Connection c =
            DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("warehouse/entra.duckdb"));
        PreparedStatement s =
            c.prepareStatement("SELECT id FROM " + table + " WHERE tenant_id = ?")) {
      s.setString(1, tenantId);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          ids.add(r.getString(1));
        }
      }
    }
    return ids;
  }

  @Test
  void twoTenantsWithTheirOwnCredentialsLoadIntoOneWarehouse() throws Exception {
    TestCertificates certificate = TestCertificates.create("fabrikam-app");
    try (GraphSimulator contoso =
            GraphSimulator.start(
                SimulatorSettings.builder().scale(TenantScale.TINY).throttling(false).build());
        GraphSimulator fabrikam =
            GraphSimulator.start(
                SimulatorSettings.builder()
                    .seed(7)
                    .scale(TenantScale.TINY)
                    .throttling(false)
                    .clientCertificate(certificate.certificate())
                    .build())) {
      assertThat(fabrikam.tenantId()).isNotEqualTo(contoso.tenantId());
      common(contoso);
      tenant("contoso", contoso);
      Path secretFile = dir.resolve("contoso-secret");
      Files.writeString(secretFile, SimulatorSettings.DEMO_CLIENT_SECRET + "\n");
      properties.put("entra.tenants.contoso.client-secret-file", secretFile.toString());
      tenant("fabrikam", fabrikam);
      properties.put(
          "entra.tenants.fabrikam.client-certificate-path",
          certificate.pkcs8Pem(dir.resolve("fabrikam.pem")).toString());

      Cli.Run both = run("run", "entities=users,groups");

      assertThat(both.exit()).as(both.all()).isZero();
      assertThat(both.out())
          .contains("Tenant contoso (" + contoso.tenantId() + ")")
          .contains("with client secret")
          .contains("Tenant fabrikam (" + fabrikam.tenantId() + ")")
          .contains("with client certificate");
      for (GraphSimulator sim : List.of(contoso, fabrikam)) {
        Map<String, GroundTruth.Entity> truth = TableTruth.of(sim.tenant());
        for (String table : List.of("users", "groups")) {
          List<String> ids = ids(table, sim.tenantId());
          assertThat(ids).as(table).hasSize((int) truth.get(table).count());
          assertThat(GroundTruth.checksum(ids)).isEqualTo(truth.get(table).checksum());
        }
        assertThat(dir.resolve("warehouse/lake/entra/users/data/tenant_id=" + sim.tenantId()))
            .isDirectory();
      }

      // One tenant by name: the other's rows and files stay.
      Cli.Run one = run("run", "entities=users", "tenant=fabrikam");
      assertThat(one.exit()).as(one.all()).isZero();
      assertThat(one.out()).contains("Tenant fabrikam").doesNotContain("Tenant contoso");
      assertThat(ids("users", contoso.tenantId()))
          .hasSize((int) TableTruth.of(contoso.tenant()).get("users").count());
      assertThat(run("run", "tenant=northwind").err())
          .contains("No tenant named 'northwind'")
          .contains("contoso, fabrikam");

      // The same tenant under a second name is refused before anything runs.
      tenant("contoso-again", contoso);
      properties.put("entra.tenants.contoso-again.client-secret-file", secretFile.toString());
      Cli.Run duplicate = run("run", "entities=users");
      assertThat(duplicate.exit()).isEqualTo(2);
      assertThat(duplicate.err())
          .contains("Tenants 'contoso' and 'contoso-again' are both tenant " + contoso.tenantId());
    }
  }

  @Test
  void restartResumesTheTenantThatFailedEvenWhenAnotherRanAfterIt() throws Exception {
    try (GraphSimulator contoso =
            GraphSimulator.start(
                SimulatorSettings.builder().scale(TenantScale.TINY).throttling(false).build());
        GraphSimulator fabrikam =
            GraphSimulator.start(
                SimulatorSettings.builder()
                    .seed(7)
                    .scale(TenantScale.TINY)
                    .throttling(false)
                    .build())) {
      common(contoso);
      // 'a-contoso' sorts first, so the tenant that fails is not the last one to run.
      tenant("a-contoso", contoso);
      properties.put("entra.tenants.a-contoso.client-secret", "a-wrong-secret");
      tenant("fabrikam", fabrikam);
      properties.put("entra.tenants.fabrikam.client-secret", SimulatorSettings.DEMO_CLIENT_SECRET);

      Cli.Run first = run("run", "entities=users");
      assertThat(first.exit()).isEqualTo(1);
      assertThat(first.err()).contains("AADSTS7000215");
      assertThat(first.out()).contains("directory-load COMPLETED"); // fabrikam

      // The operator fixes the secret and restarts: only the failed tenant runs again.
      properties.put("entra.tenants.a-contoso.client-secret", SimulatorSettings.DEMO_CLIENT_SECRET);
      Cli.Run restart = run("restart");
      assertThat(restart.exit()).as(restart.all()).isZero();
      assertThat(restart.out())
          .contains("Tenant a-contoso (" + contoso.tenantId() + ")")
          .doesNotContain("Tenant fabrikam")
          .contains("directory-load COMPLETED");
      for (GraphSimulator sim : List.of(contoso, fabrikam)) {
        assertThat(ids("users", sim.tenantId()))
            .hasSize((int) TableTruth.of(sim.tenant()).get("users").count());
      }
      assertThat(run("restart").out()).contains("nothing to restart");
    }
  }

  @Test
  void graphAuthErrorsFailTheJobAndCheckAlikeWithoutRetry() throws Exception {
    // Directory.Read.All would also grant devices, so both are withheld.
    try (GraphSimulator denying =
            GraphSimulator.start(
                SimulatorSettings.builder()
                    .scale(TenantScale.TINY)
                    .throttling(false)
                    .deny("Device.Read.All")
                    .deny("Directory.Read.All")
                    .build());
        GraphSimulator free =
            GraphSimulator.start(
                SimulatorSettings.builder()
                    .seed(11)
                    .scale(TenantScale.TINY)
                    .throttling(false)
                    .premium(false)
                    .build())) {
      common(denying);
      tenant("contoso", denying);
      // Given as a system property, as -D gives it.
      cli.systemProperties.put(
          "entra.tenants.contoso.client-secret", SimulatorSettings.DEMO_CLIENT_SECRET);
      tenant("fabrikam", free);
      properties.put("entra.tenants.fabrikam.client-secret", SimulatorSettings.DEMO_CLIENT_SECRET);

      Cli.Run devices = run("run", "entities=devices", "tenant=contoso");
      assertThat(devices.exit()).as(devices.all()).isEqualTo(1);
      assertThat(devices.err())
          .contains("Authorization_RequestDenied")
          .contains("Grant Device.Read.All to the app and grant admin consent");
      assertThat(denying.stats().requests("devices")).as("a 403 is not retried").isEqualTo(1);

      Cli.Run signIns = run("run", "entities=sign_ins", "tenant=fabrikam");
      assertThat(signIns.exit()).as(signIns.all()).isEqualTo(1);
      assertThat(signIns.err())
          .contains("Authentication_RequestFromNonPremiumTenantOrB2CTenant")
          .contains("needs Entra ID P1 or P2");
      assertThat(free.stats().requests("signIns")).isEqualTo(1);

      Cli.Run check = run("check", "entities=users,devices,sign_ins");
      assertThat(check.exit()).isEqualTo(1);
      assertThat(check.out())
          .containsPattern("users\\s+User.Read.All\\s+yes\\s+any\\s+ok")
          .containsPattern(
              "devices\\s+Device.Read.All\\s+no\\s+any\\s+FAILED\\s+add Device.Read.All")
          .containsPattern("sign_ins\\s+.*yes\\s+P1\\s+FAILED\\s+sign-ins need Entra ID P1/P2");
      // Given as a system property (-D), the secret is visible in the process list: warned.
      assertThat(check.err())
          .contains("warning: entra.tenants.contoso.client-secret was given on the command line")
          .doesNotContain(SimulatorSettings.DEMO_CLIENT_SECRET);
    }
  }
}
