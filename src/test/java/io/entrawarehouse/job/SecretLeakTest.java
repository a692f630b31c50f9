package io.entrawarehouse.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrawarehouse.cli.Processes;
import io.entrawarehouse.graph.TestCertificates;
import io.entrawarehouse.simulator.FaultRule;
import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.SimulatorTenants;
import io.entrawarehouse.simulator.TenantScale;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs a load and a connection test with known secrets, in separate processes as an operator would,
 * then looks for each secret, the certificate's private key and any access token in everything they
 * left: their output at DEBUG, the job repository, the DuckDB file and every Parquet file. Three
 * tenants cover the three kinds of secret: a client secret, a certificate key with its password,
 * and a user's password.
 */
class SecretLeakTest {

  @TempDir Path dir;

  @Test
  void noSecretKeyOrTokenIsWrittenAnywhere() throws Exception {
    String secret = "leak-canary-secret-" + UUID.randomUUID();
    String keyPassword = "leak-canary-key-" + UUID.randomUUID();
    String userPassword = "leak-canary-user-" + UUID.randomUUID();
    TestCertificates certificate = TestCertificates.create("leak-test");
    // The private key as MSAL holds it (PKCS#8), base64 as a PEM or a log would show it.
    String keyText =
        Base64.getEncoder()
            .encodeToString(certificate.keys().getPrivate().getEncoded())
            .substring(40, 100);
    // Access tokens are JWTs: their header always starts like this once base64url-encoded.
    String jwtHeader = "eyJ0eXAiOiJKV1Qi";
    List<String> secrets = List.of(secret, keyPassword, userPassword, keyText, jwtHeader);
    try (GraphSimulator a =
            GraphSimulator.start(
                SimulatorSettings.builder()
                    .scale(TenantScale.TINY)
                    .throttling(false)
                    .clientSecret(secret)
                    .build());
        GraphSimulator b =
            GraphSimulator.start(
                SimulatorSettings.builder()
                    .seed(2)
                    .scale(TenantScale.TINY)
                    .throttling(false)
                    .clientCertificate(certificate.certificate())
                    .build());
        GraphSimulator c =
            GraphSimulator.start(
                SimulatorSettings.builder()
                    .seed(3)
                    .scale(TenantScale.TINY)
                    .throttling(false)
                    .userPassword(userPassword)
                    .build())) {
      Path pem = dir.resolve("simulator.pem");
      Files.writeString(pem, a.certificatePem(), StandardCharsets.US_ASCII);
      Path warehouse = dir.resolve("warehouse");
      Map<String, String> properties = LoadHarness.properties(a, warehouse, pem);
      properties.remove("entra.tenant.client-secret"); // from the environment below
      properties.putAll(SimulatorTenants.properties("entra.tenants.b.", b));
      properties.put(
          "entra.tenants.b.client-certificate-path",
          certificate.encryptedPem(dir.resolve("b.pem"), keyPassword).toString());
      properties.putAll(SimulatorTenants.properties("entra.tenants.c.", c));
      properties.put("entra.tenants.c.client-id", c.publicClientId());
      properties.put("entra.tenants.c.username", SimulatorTenants.enabledMember(c));
      Map<String, String> environment =
          Map.of(
              "AZURE_CLIENT_SECRET", secret,
              "ENTRA_TENANTS_B_CLIENTCERTIFICATEPASSWORD", keyPassword,
              "ENTRA_TENANTS_C_PASSWORD", userPassword);

      String run = launch(properties, environment, "run", "entities=users,groups,sign_ins");
      assertThat(run).contains("directory-load COMPLETED").contains("Tenant c (");
      assertThat(run.split("directory-load COMPLETED", -1)).hasSize(4);
      // The scan covers debug output: the client's per-page lines and MSAL's own.
      assertThat(run)
          .containsPattern("DEBUG +GraphClient - users")
          .contains("AcquireTokenByClientCredentialSupplier");
      String check = launch(properties, environment, "check");
      assertThat(check).contains("Token: acquired for tenant " + b.tenantId());
      // The certificate and the user again, now as Azure's standard variables give them.
      Path certificateFile = dir.resolve("b.pem");
      Map<String, String> onlyB = LoadHarness.properties(b, warehouse, pem);
      onlyB.remove("entra.tenant.client-secret");
      String checkB =
          launch(
              onlyB,
              Map.of(
                  "AZURE_CLIENT_CERTIFICATE_PATH",
                  certificateFile.toString(),
                  "AZURE_CLIENT_CERTIFICATE_PASSWORD",
                  keyPassword),
              "check",
              "entities=users");
      assertThat(checkB).contains("with client certificate " + certificateFile);
      Map<String, String> onlyC = LoadHarness.properties(c, warehouse, pem);
      onlyC.remove("entra.tenant.client-secret");
      onlyC.put("entra.tenant.client-id", c.publicClientId());
      String checkC =
          launch(
              onlyC,
              Map.of(
                  "AZURE_USERNAME",
                  SimulatorTenants.enabledMember(c),
                  "AZURE_PASSWORD",
                  userPassword),
              "check",
              "entities=users");
      assertThat(checkC)
          .contains("with username and password of " + SimulatorTenants.enabledMember(c));

      noneContains(warehouse, List.of(run, check, checkB, checkC), secrets);
    }
  }

  /**
   * Credentials that carry values where Graph sends none (a secret's text, a certificate's key), on
   * items malformed or not, loaded twice (in full, then by delta) with their credentials selected:
   * no value reaches the output, the rejected items, the metrics, the lake, DuckDB or the job
   * repository.
   */
  @Test
  void noCredentialValueServedReachesAnyFile() throws Exception {
    try (GraphSimulator sim =
        GraphSimulator.start(
            SimulatorSettings.builder()
                .scale(TenantScale.TINY)
                .throttling(false)
                .fault("malformed+secrets:*:rate=1")
                .build())) {
      Path pem = dir.resolve("simulator.pem");
      Files.writeString(pem, sim.certificatePem(), StandardCharsets.US_ASCII);
      Path warehouse = dir.resolve("warehouse");
      Map<String, String> properties = LoadHarness.properties(sim, warehouse, pem);
      List<String> outputs = new ArrayList<>();
      for (int load = 0; load < 2; load++) {
        String run =
            launch(
                properties,
                Map.of(),
                "run",
                "entities=applications,service_principals,app_credentials",
                "select.applications=+passwordCredentials,keyCredentials",
                "run.date=" + LocalDate.now(ZoneOffset.UTC).minusDays(1 - load));
        assertThat(run).contains("directory-load COMPLETED");
        outputs.add(run);
      }
      assertThat(outputs.get(0)).contains("is \"not-a-date\"");
      List<Path> rejected;
      try (Stream<Path> files = Files.walk(warehouse.resolve("rejected"))) {
        rejected = files.filter(f -> f.toString().endsWith(".jsonl")).toList();
      }
      assertThat(rejected).as("malformed items were skipped and kept").isNotEmpty();
      assertThat(rejected.stream().filter(f -> f.endsWith("applications.jsonl")).toList())
          .as("malformed applications, with their credentials' other properties, kept")
          .allSatisfy(f -> assertThat(Files.readString(f)).contains("\"passwordCredentials\":"))
          .isNotEmpty();
      noneContains(warehouse, outputs, List.of(FaultRule.SECRET_CANARY));
    }
  }

  /** Asserts no output, no file under the warehouse and no lake cell holds any of the secrets. */
  private static void noneContains(Path warehouse, List<String> outputs, List<String> secrets)
      throws Exception {
    for (String output : outputs) {
      for (String s : secrets) {
        assertThat(output).doesNotContain(s);
      }
    }
    // Every file the runs left: job repository, DuckDB, Parquet parts, rejected items, metrics.
    try (Stream<Path> files = Files.walk(warehouse)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
        for (String s : secrets) {
          assertThat(bytes).as(f.toString()).doesNotContain(s);
        }
      }
    }
    // Parquet pages are compressed, so also ask DuckDB to search every text column of the lake.
    try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:")) {
      for (String s : secrets) {
        try (ResultSet r =
            duckdb
                .createStatement()
                .executeQuery(
                    "SELECT count(*) FROM read_parquet('"
                        + warehouse.resolve("lake")
                        + "/**/*.parquet', union_by_name = true) t"
                        + " WHERE contains(CAST(t AS VARCHAR), '"
                        + s
                        + "')")) {
          r.next();
          assertThat(r.getLong(1)).isZero();
        }
      }
    }
  }

  /** Runs the product in a new JVM at DEBUG; returns its output after asserting exit 0. */
  private String launch(
      Map<String, String> properties, Map<String, String> environment, String... args)
      throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path")));
    properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
    // Every logger at DEBUG, including those application.yml sets apart.
    for (String logger :
        List.of(
            "root",
            "io.entrawarehouse",
            "com.microsoft.aad.msal4j",
            "org.springframework.batch.core.step",
            "org.apache.hadoop.util.NativeCodeLoader")) {
      command.add("-Dlogging.level." + logger + "=DEBUG");
    }
    command.add("io.entrawarehouse.EntraWarehouse");
    command.addAll(List.of(args));
    Path log = Files.createTempFile(dir, args[0], ".log");
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(environment);
    Process process = pb.start();
    assertThat(Processes.ended(process)).isTrue();
    String output = Files.readString(log);
    assertThat(process.exitValue()).as(output).isZero();
    return output;
  }
}
