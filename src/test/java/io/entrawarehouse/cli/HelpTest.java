package io.entrawarehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrawarehouse.EntraWarehouse;
import io.entrawarehouse.warehouse.Entities;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class HelpTest {

  @Test
  void helpListsTheOperatorsCommandsAndNotTheBenchmarksWhichStillRun() {
    StringWriter out = new StringWriter();
    CommandLine cli = EntraWarehouse.commandLine();
    cli.setOut(new PrintWriter(out));
    assertThat(cli.execute("--help")).isZero();
    assertThat(out.toString())
        .contains("run", "check", "restart", "abandon", "refresh", "status", "query", "report")
        .doesNotContain("bench-crawl", "bench-parse");

    StringWriter bench = new StringWriter();
    CommandLine again = EntraWarehouse.commandLine();
    again.setOut(new PrintWriter(bench));
    assertThat(again.execute("bench-crawl", "--help")).isZero();
    assertThat(bench.toString()).contains("Benchmark: page through Graph endpoints");
  }

  @Test
  void versionPrintsTheVersionAndTheCommitTheBuildWrote() {
    StringWriter out = new StringWriter();
    CommandLine cli = EntraWarehouse.commandLine();
    cli.setOut(new PrintWriter(out));

    assertThat(cli.execute("--version")).isZero();

    assertThat(out.toString().strip())
        .matches(
            "entra-warehouse \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(commit ([0-9a-f]{12}|unknown),"
                + " Java \\d+.*\\)");
  }

  @Test
  void runHelpNamesEveryTableAndTheDefaultWindow() {
    StringWriter out = new StringWriter();
    CommandLine cli = EntraWarehouse.commandLine();
    cli.setOut(new PrintWriter(out));

    assertThat(cli.execute("run", "--help")).isZero();

    String help = out.toString().replaceAll("\\s+", " ");
    for (String table : Entities.ALL.keySet()) {
      assertThat(help).as("run --help names %s", table).containsPattern("[ ,]" + table + "[,.]");
    }
    assertThat(help).contains("from the lake's mark (where its last load ended) less 2 h");
  }
}
