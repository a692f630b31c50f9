package io.entrawarehouse.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.TenantScale;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs a load with a known secret, in a separate process as an operator would, then looks for the
 * secret and for any access token in everything the run left: its output, the job repository, the
 * DuckDB file and every Parquet file.
 */
class SecretLeakTest {

  @TempDir Path dir;

  @Test
  void neitherTheSecretNorATokenIsWrittenAnywhere() throws Exception {
    String secret = "leak-canary-" + UUID.randomUUID();
    // Access tokens are JWTs: their header always starts like this once base64url-encoded.
    String jwtHeader = "eyJ0eXAiOiJKV1Qi";
    try (GraphSimulator simulator =
        GraphSimulator.start(
            SimulatorSettings.builder()
                .scale(TenantScale.TINY)
                .throttling(false)
                .clientSecret(secret)
                .build())) {
      Path pem = dir.resolve("simulator.pem");
      Files.writeString(pem, simulator.certificatePem(), StandardCharsets.US_ASCII);
      Path warehouse = dir.resolve("warehouse");
      Map<String, String> properties = LoadHarness.properties(simulator, warehouse, pem);
      properties.remove("entra.tenant.client-secret");
      List<String> command =
          new ArrayList<>(
              List.of(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  System.getProperty("java.class.path")));
      properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
      command.add("-Dlogging.level.root=DEBUG");
      command.addAll(List.of("io.entrawarehouse.EntraWarehouse", "run"));
      Path log = dir.resolve("run.log");
      ProcessBuilder pb =
          new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().put("AZURE_CLIENT_SECRET", secret);
      Process run = pb.start();
      assertThat(run.waitFor(120, TimeUnit.SECONDS)).isTrue();
      String output = Files.readString(log);
      assertThat(run.exitValue()).as(output).isZero();

      // Output, with every logger at DEBUG.
      assertThat(output)
          .contains("directory-load COMPLETED")
          .doesNotContain(secret)
          .doesNotContain(jwtHeader);
      // Every file the run left: job repository, DuckDB, Parquet parts.
      try (Stream<Path> files = Files.walk(warehouse)) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          String bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
          assertThat(bytes).as(f.toString()).doesNotContain(secret).doesNotContain(jwtHeader);
        }
      }
      // Parquet pages are compressed, so also ask DuckDB to search every text column of the lake.
      try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
          ResultSet r =
              c.createStatement()
                  .executeQuery(
                      "SELECT count(*) FROM read_parquet('"
                          + warehouse.resolve("lake")
                          + "/**/*.parquet', union_by_name = true) t"
                          + " WHERE contains(CAST(t AS VARCHAR), '"
                          + secret
                          + "') OR contains(CAST(t AS VARCHAR), '"
                          + jwtHeader
                          + "')")) {
        r.next();
        assertThat(r.getLong(1)).isZero();
      }
    }
  }
}
