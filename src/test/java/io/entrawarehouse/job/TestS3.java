package io.entrawarehouse.job;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * A throw-away S3-compatible server on loopback: s3rver from npm, which {@code .ci/run} installs
 * into {@code .ci/s3rver} (or wherever {@code ENTRA_S3RVER} names), with one bucket and a data
 * directory of its own, stopped on close. Without it the test is skipped, unless {@code
 * ENTRA_REQUIRE_S3} is set (as {@code .ci/run} does once it has installed it), in which case it
 * fails.
 */
final class TestS3 implements AutoCloseable {

  static final String ACCESS_KEY = "S3RVER";
  static final String SECRET_KEY = "S3RVER";
  private static final Pattern LISTENING = Pattern.compile("listening on [^:]+:(\\d+)");

  private final Process process;
  private final int port;

  TestS3(Path data, String bucket) throws Exception {
    Path cli = cli();
    Files.createDirectories(data);
    String start =
        "require(process.argv[1]).parseAsync(['node', 's3rver', '-d', process.argv[2], '-a',"
            + " '127.0.0.1', '-p', '0', '--silent', '--configure-bucket', process.argv[3]])"
            + ".catch(e => { console.error(e); process.exit(1); })";
    this.process =
        new ProcessBuilder("node", "-e", start, cli.toString(), data.toString(), bucket)
            .redirectErrorStream(true)
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line;
    Integer found = null;
    StringBuilder seen = new StringBuilder();
    while (found == null && (line = out.readLine()) != null) {
      seen.append(line).append('\n');
      Matcher m = LISTENING.matcher(line);
      if (m.find()) {
        found = Integer.parseInt(m.group(1));
      }
    }
    if (found == null) {
      process.destroyForcibly();
      throw new IllegalStateException("s3rver did not start:\n" + seen);
    }
    this.port = found;
    // Keep draining its output so it never blocks on a full pipe.
    Thread drain = new Thread(() -> out.lines().forEach(l -> {}), "s3rver-output");
    drain.setDaemon(true);
    drain.start();
  }

  /** The Hadoop settings an s3a: lake on this server needs. */
  Map<String, String> hadoop() {
    return Map.of(
        "fs.s3a.endpoint", "http://127.0.0.1:" + port,
        "fs.s3a.endpoint.region", "us-east-1",
        "fs.s3a.path.style.access", "true",
        "fs.s3a.connection.ssl.enabled", "false",
        "fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
        "fs.s3a.access.key", ACCESS_KEY,
        "fs.s3a.secret.key", SECRET_KEY);
  }

  private static Path cli() {
    String configured = System.getenv("ENTRA_S3RVER");
    List<Path> candidates =
        configured != null
            ? List.of(Path.of(configured))
            : List.of(Path.of(".ci/s3rver/node_modules/@20minutes/s3rver"));
    for (Path dir : candidates) {
      Path cli = dir.resolve("lib/cli.js");
      if (Files.isRegularFile(cli)) {
        return cli.toAbsolutePath();
      }
    }
    String why = "s3rver is not installed in " + candidates + " (.ci/run installs it from npm)";
    if (System.getenv("ENTRA_REQUIRE_S3") != null) {
      throw new IllegalStateException(why);
    }
    Assumptions.abort(why);
    throw new AssertionError();
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
