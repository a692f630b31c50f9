package io.entrawarehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code query} example of the README, run as a new user runs them: after the README's two
 * demo loads (day 0, then day 2 with {@code reload=true}), each exits 0 and returns rows. An
 * example that drifts from the demo tenant (a group it no longer has, a view renamed) fails here.
 */
class ReadmeExamplesTest {

  private static final String COMMAND = "java -jar target/entra-warehouse.jar ";

  @TempDir Path dir;

  @Test
  void everyQueryExampleReturnsRowsFromTheDemoTenant() throws Exception {
    List<List<String>> examples = queryExamples(Files.readString(Path.of("README.md")));
    assertThat(examples).hasSizeGreaterThanOrEqualTo(7);
    assertThat(examples).anyMatch(e -> e.get(1).contains("users_without_mfa WHERE is_admin"));
    assertThat(examples).anyMatch(e -> e.get(1).equals("SELECT * FROM risky_sign_ins"));
    Cli cli = new Cli();
    cli.properties.put("entra.warehouse.directory", dir.resolve("warehouse").toString());
    // DuckDB's memory as the README's launch gives it (BoundedJvm.OPTIONS): the report too fits.
    cli.properties.put("entra.warehouse.duckdb-memory", "64MB");
    Cli.Run day0 = cli.run("run");
    assertThat(day0.exit()).as(day0.all()).isZero();
    assertThat(day0.out()).contains("Report:  ");
    assertThat(day0.err()).doesNotContain("the report was not written");
    cli.properties.put("entra.demo.day", "2");
    Cli.Run day1 = cli.run("run", "reload=true");
    assertThat(day1.exit()).as(day1.all()).isZero();
    for (List<String> example : examples) {
      Cli.Run r = cli.run(example.toArray(String[]::new));
      assertThat(r.exit()).as(example + "\n" + r.all()).isZero();
      assertThat(rows(example, r.out())).as(example + "\n" + r.out()).isPositive();
    }
  }

  /** The rows a query printed, in the format it asked for. */
  private static long rows(List<String> example, String out) {
    int format = example.indexOf("--format");
    String kind = format < 0 ? "table" : example.get(format + 1);
    return switch (kind) {
      case "csv" -> out.lines().count() - 1;
      case "json" -> out.chars().filter(c -> c == '{').count();
      default -> {
        Matcher m = Pattern.compile("\\((\\d+) rows?\\)\\s*$").matcher(out);
        yield m.find() ? Long.parseLong(m.group(1)) : 0;
      }
    };
  }

  /** The SQL of the README's DuckDB CLI and Python examples over entra.duckdb. */
  private static final List<Pattern> OTHER_CLIENTS =
      List.of(
          Pattern.compile("^duckdb -readonly warehouse/entra\\.duckdb \"([^\"]+)\"$"),
          Pattern.compile(
              "^python3 -c .*entra\\.duckdb', read_only=True\\)\\.sql\\('([^']+)'\\).*$"));

  /**
   * The README's {@code query} commands, continuation lines joined, split as a shell would; and the
   * SQL its DuckDB CLI and Python examples run, as a {@code query} of the same SQL (neither client
   * is installed here).
   */
  static List<List<String>> queryExamples(String readme) {
    List<List<String>> examples = new ArrayList<>();
    String[] lines = readme.split("\n");
    for (int i = 0; i < lines.length; i++) {
      for (Pattern client : OTHER_CLIENTS) {
        Matcher m = client.matcher(lines[i]);
        if (m.matches()) {
          examples.add(List.of("query", m.group(1)));
        }
      }
      if (!lines[i].startsWith(COMMAND + "query ")) {
        continue;
      }
      StringBuilder command = new StringBuilder(lines[i]);
      while (command.toString().endsWith("\\") && i + 1 < lines.length) {
        command.setLength(command.length() - 1);
        command.append(' ').append(lines[++i].strip());
      }
      examples.add(LaunchFiles.tokens(command.substring(COMMAND.length()), "README.md"));
    }
    return examples;
  }
}
