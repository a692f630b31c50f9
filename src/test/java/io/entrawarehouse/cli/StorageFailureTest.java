package io.entrawarehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.SimulatorTenants;
import io.entrawarehouse.simulator.TenantScale;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk and a read-only warehouse, for real: the warehouse sits on a small tmpfs mounted for
 * the test (root only; CI runs as root). Each failure names its cause and changes nothing it does
 * not report; once space returns, the same command ends with exactly the rows of a load that never
 * failed, every column compared.
 */
class StorageFailureTest {

  static GraphSimulator simulator;
  static final List<String> TABLES = List.of("users", "groups", "group_members");

  @TempDir Path dir;
  Path mount;
  final Cli cli = new Cli();

  @BeforeAll
  static void start() {
    simulator =
        GraphSimulator.start(
            SimulatorSettings.builder().scale(TenantScale.SMALL).throttling(false).build());
  }

  @AfterAll
  static void stop() {
    simulator.close();
  }

  @BeforeEach
  void mountSmallDisk() throws Exception {
    mount = dir.resolve("disk");
    Files.createDirectories(mount);
    assumeTrue(
        sh("mount", "-t", "tmpfs", "-o", "size=40m", "tmpfs", mount.toString()) == 0,
        "needs root to mount a tmpfs");
    Path pem = dir.resolve("simulator.pem");
    Files.writeString(pem, simulator.certificatePem(), StandardCharsets.US_ASCII);
    cli.properties.putAll(SimulatorTenants.properties("entra.tenant.", simulator));
    cli.properties.put("entra.tenant.client-secret", SimulatorSettings.DEMO_CLIENT_SECRET);
    cli.properties.put("entra.graph.trust-certificate", pem.toString());
  }

  @AfterEach
  void unmount() throws Exception {
    cli.clear();
    if (mount != null) {
      sh("umount", "-l", mount.toString());
    }
  }

  private static int sh(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    assertThat(Processes.ended(p)).isTrue();
    return p.exitValue();
  }

  private Cli.Run load(Path warehouse, String... args) {
    cli.properties.put("entra.warehouse.directory", warehouse.toString());
    String[] command = new String[args.length + 2];
    command[0] = "run";
    command[1] = "entities=" + String.join(",", TABLES);
    System.arraycopy(args, 0, command, 2, args.length);
    return cli.run(command);
  }

  /** Per table, a digest of every row, every column but the load's own id and time. */
  private static Map<String, String> digests(Path warehouse) throws Exception {
    Map<String, String> digests = new LinkedHashMap<>();
    Properties readOnly = new Properties();
    readOnly.setProperty("duckdb.read_only", "true");
    try (Connection c =
        DriverManager.getConnection("jdbc:duckdb:" + warehouse.resolve("entra.duckdb"), readOnly)) {
      for (String table : TABLES) {
        try (ResultSet r =
            c.createStatement()
                .executeQuery(
                    "SELECT count(*) || ':' || md5(string_agg(CAST(t AS VARCHAR), '|'"
                        + " ORDER BY CAST(t AS VARCHAR))) FROM (SELECT * EXCLUDE (load_id,"
                        + " loaded_at) FROM "
                        + table
                        + ") t")) {
          r.next();
          digests.put(table, r.getString(1));
        }
      }
    }
    return digests;
  }

  /** Fills the disk but for {@code kilobytes}. */
  private Path fill(long kilobytes) throws IOException, Exception {
    Path filler = mount.resolve("filler");
    long free = Files.getFileStore(mount).getUsableSpace();
    assertThat(sh("fallocate", "-l", Long.toString(free - kilobytes * 1024), filler.toString()))
        .isZero();
    return filler;
  }

  @Test
  void aFullDiskNamesItselfChangesNothingUnreportedAndTheSameCommandThenFinishesExactly()
      throws Exception {
    Cli.Run reference = load(dir.resolve("reference"));
    assertThat(reference.exit()).as(reference.all()).isZero();
    Map<String, String> expected = digests(dir.resolve("reference"));
    Path warehouse = mount.resolve("warehouse");
    assertThat(load(warehouse).exit()).isZero();

    // Too little room for the job repository, then for DuckDB's log, then for the larger tables.
    for (long freeKb : new long[] {20, 200, 1200}) {
      Path filler = fill(freeKb);
      Map<String, String> before = digests(warehouse);

      Cli.Run full = load(warehouse, "reload=true");

      assertThat(full.exit()).as(freeKb + " KB free: " + full.all()).isEqualTo(1);
      assertThat(full.err()).contains("No space left on device").doesNotContain("Exception:");
      Map<String, String> after = digests(warehouse);
      for (String table : TABLES) {
        if (!full.err().contains("Changed by this run: ")
            || !full.err()
                .substring(full.err().indexOf("Changed by this run: "))
                .lines()
                .findFirst()
                .orElse("")
                .contains(table)) {
          assertThat(after.get(table))
              .as(table + " is not reported changed, so it holds what it held")
              .isEqualTo(before.get(table));
        }
      }
      Files.delete(filler);

      Cli.Run resumed = load(warehouse, "reload=true");

      assertThat(resumed.exit()).as(freeKb + " KB free, then resumed: " + resumed.all()).isZero();
      assertThat(digests(warehouse)).isEqualTo(expected);
    }
  }

  @Test
  void aFullDiskUnderTheLakeFailsTheCommitCleanlyAndTheRetryIsExact() throws Exception {
    Cli.Run reference = load(dir.resolve("reference"));
    assertThat(reference.exit()).as(reference.all()).isZero();
    Map<String, String> expected = digests(dir.resolve("reference"));
    // Staging, DuckDB and the catalog on the ordinary disk; only the lake on the small one.
    Path warehouse = dir.resolve("warehouse");
    cli.properties.put("entra.warehouse.lake-uri", mount.resolve("lake").toUri().toString());
    try {
      assertThat(load(warehouse).exit()).isZero();
      Map<String, String> before = digests(warehouse);
      Path filler = fill(64);

      Cli.Run full = load(warehouse, "reload=true");

      assertThat(full.exit()).as(full.all()).isEqualTo(1);
      assertThat(full.err()).contains("No space left on device").contains(mount.toString());
      // A table either took the load whole (in both stores) or is as it was.
      Map<String, String> after = digests(warehouse);
      String changed =
          full.err()
              .lines()
              .filter(l -> l.startsWith("Changed by this run: "))
              .findFirst()
              .orElse("");
      for (String table : TABLES) {
        if (!changed.contains(table)) {
          assertThat(after.get(table)).as(table).isEqualTo(before.get(table));
        }
      }
      Files.delete(filler);

      Cli.Run retried = load(warehouse, "reload=true");

      assertThat(retried.exit()).as(retried.all()).isZero();
      assertThat(digests(warehouse)).isEqualTo(expected);
    } finally {
      cli.properties.remove("entra.warehouse.lake-uri");
    }
  }

  @Test
  void aReadOnlyWarehouseIsRefusedWithTheFixAndLeftAsItWas() throws Exception {
    Path warehouse = mount.resolve("warehouse");
    assertThat(load(warehouse).exit()).isZero();
    Map<String, String> before = digests(warehouse);
    assertThat(sh("mount", "-o", "remount,ro", mount.toString())).isZero();

    Cli.Run run = load(warehouse, "reload=true");

    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err())
        .contains("Cannot write to the warehouse directory " + warehouse)
        .contains("Read-only file system")
        .contains("entra.warehouse.directory")
        .contains("Nothing was loaded or changed");
    assertThat(digests(warehouse)).isEqualTo(before);
  }
}
