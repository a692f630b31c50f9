package io.entrawarehouse.job;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A throw-away PostgreSQL cluster on loopback, from the Debian packages' binaries: initdb in a
 * temporary directory, started on a free port, stopped and deleted on close. As root, the server
 * runs as the {@code postgres} user (PostgreSQL refuses root). Without PostgreSQL installed the
 * test is skipped, unless {@code ENTRA_REQUIRE_POSTGRES} is set (as {@code .ci/run} does once it
 * has installed it), in which case it fails.
 */
final class TestPostgres implements AutoCloseable {

  private final Path bin;
  private final Path dir;
  private final int port;
  private final boolean asPostgresUser;

  TestPostgres() throws Exception {
    this.bin = binaries();
    this.asPostgresUser = "root".equals(System.getProperty("user.name"));
    this.dir = Files.createTempDirectory("entra-pg");
    try (ServerSocket s = new ServerSocket(0)) {
      this.port = s.getLocalPort();
    }
    if (asPostgresUser) {
      exec(List.of("chown", "-R", "postgres", dir.toString()), false);
    }
    exec(
        List.of(
            bin.resolve("initdb").toString(),
            "-D",
            dir.resolve("data").toString(),
            "-U",
            "entra",
            "--auth=trust",
            "-E",
            "UTF8"),
        true);
    exec(
        List.of(
            bin.resolve("pg_ctl").toString(),
            "-D",
            dir.resolve("data").toString(),
            "-o",
            "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off",
            "-l",
            dir.resolve("server.log").toString(),
            "-w",
            "start"),
        true);
  }

  /** A JDBC URL of the cluster's postgres database, as user entra. */
  String url() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=entra";
  }

  private static Path binaries() {
    File[] versions = new File("/usr/lib/postgresql").listFiles();
    if (versions != null) {
      for (File v : versions) {
        if (new File(v, "bin/initdb").canExecute() && new File(v, "bin/pg_ctl").canExecute()) {
          return v.toPath().resolve("bin");
        }
      }
    }
    String why = "PostgreSQL is not installed (.ci/run installs it from Debian's packages)";
    if (System.getenv("ENTRA_REQUIRE_POSTGRES") != null) {
      throw new IllegalStateException(why);
    }
    Assumptions.abort(why);
    return null;
  }

  private void exec(List<String> command, boolean asServerUser) throws Exception {
    List<String> full = new ArrayList<>();
    if (asServerUser && asPostgresUser) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(command);
    Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + output);
    }
  }

  @Override
  public void close() throws Exception {
    try {
      exec(
          List.of(
              bin.resolve("pg_ctl").toString(),
              "-D",
              dir.resolve("data").toString(),
              "-m",
              "immediate",
              "stop"),
          true);
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }
}
