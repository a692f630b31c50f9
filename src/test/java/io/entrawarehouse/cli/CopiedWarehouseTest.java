package io.entrawarehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.TenantScale;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A warehouse directory copied elsewhere (as {@code cp -a} does) holds a catalog that names the
 * original's lake: commands there are refused, naming the mismatch, and neither lake changes.
 */
class CopiedWarehouseTest {

  @TempDir Path dir;

  @Test
  void aCopiedWarehouseNeverWritesIntoTheOriginalsLake() throws Exception {
    try (GraphSimulator sim =
        GraphSimulator.start(
            SimulatorSettings.builder().scale(TenantScale.TINY).throttling(false).build())) {
      Cli original = new Cli().against(sim, Files.createDirectories(dir.resolve("original")));
      try {
        Cli.Run load = original.run("run", "entities=users,sign_ins");
        assertThat(load.exit()).as(load.all()).isZero();
      } finally {
        original.clear();
      }
      Path copy = Files.createDirectories(dir.resolve("copy"));
      copyTree(dir.resolve("original/warehouse"), copy.resolve("warehouse"));
      Map<String, String> before = tree(dir);

      Cli copied = new Cli().against(sim, copy);
      try {
        for (String[] command :
            new String[][] {{"run", "entities=users,sign_ins", "reload=true"}, {"refresh"}}) {
          Cli.Run r = copied.run(command);
          assertThat(r.exit()).as(r.all()).isEqualTo(2);
          assertThat(r.err())
              .contains(
                  "table(s) outside the configured lake "
                      + copy.resolve("warehouse/lake").toUri().toString().replaceAll("/$", ""))
              .contains(dir.resolve("original/warehouse/lake").toString())
              .contains("Nothing was changed.");
        }
      } finally {
        copied.clear();
      }
      Map<String, String> after = tree(dir);
      after.keySet().removeIf(f -> !before.containsKey(f) && f.startsWith("copy/warehouse/"));
      assertThat(after).as("both lakes, both DuckDB files").isEqualTo(before);
    }
  }

  private static void copyTree(Path from, Path to) throws Exception {
    try (Stream<Path> all = Files.walk(from)) {
      for (Path p : all.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }

  private static Map<String, String> tree(Path root) throws Exception {
    Map<String, String> files = new TreeMap<>();
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.filter(Files::isRegularFile).toList()) {
        String name = root.relativize(p).toString();
        if (name.contains("/lake/") || name.endsWith(".duckdb")) {
          files.put(name, HexFormat.of().formatHex(sha.digest(Files.readAllBytes(p))));
        }
      }
    }
    return files;
  }
}
