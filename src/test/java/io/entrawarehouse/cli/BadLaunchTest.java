package io.entrawarehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrawarehouse.job.JobRepositoryConfiguration;
import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.TenantScale;
import io.entrawarehouse.warehouse.Entities;
import io.entrawarehouse.write.iceberg.IcebergLake;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Launch parameters that would load the wrong thing are refused before anything is touched (exit 2,
 * the warehouse byte-for-byte as it was), and a window that reaches later than now moves the log's
 * mark no further than the read went.
 */
class BadLaunchTest {

  static GraphSimulator simulator;
  @TempDir static Path dir;
  static final Cli cli = new Cli();

  @BeforeAll
  static void load() throws Exception {
    simulator =
        GraphSimulator.start(
            SimulatorSettings.builder().scale(TenantScale.TINY).throttling(false).build());
    cli.against(simulator, dir);
    Cli.Run run = cli.run("run", "entities=users,sign_ins");
    assertThat(run.exit()).as(run.all()).isZero();
  }

  @AfterAll
  static void stop() {
    simulator.close();
    cli.clear();
  }

  private static Map<String, String> tree() throws Exception {
    Map<String, String> files = new TreeMap<>();
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.filter(Files::isRegularFile).toList()) {
        files.put(p.toString(), HexFormat.of().formatHex(sha.digest(Files.readAllBytes(p))));
      }
    }
    return files;
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      ignoreLeadingAndTrailingWhitespace = false,
      value = {
        "select.users=|select.users names no property",
        "select.users=+|select.users names no property",
        "select.users=  |select.users names no property",
        "select.users=id,,displayName|select.users: '' is not a property name",
        "select.users=id&$top=100000|select.users: 'id&$top=100000' is not a property name",
        "select.users=+department)|select.users: 'department)' is not a property name",
        "entities=|'' names no table: choose from users, groups,",
        "entities=users,,groups|'users,,groups' names no table between two commas",
        "run.date=2099-01-01|run.date=2099-01-01 is after today",
        "until=2099-01-01|until=2099-01-01T00:00:00Z is after today",
        "since=2026-01-01T00:00:00.123456789Z|since has more than 6 fractional digits",
      })
  void aLaunchThatWouldLoadTheWrongThingIsRefusedWithNothingChanged(String arg, String why)
      throws Exception {
    Map<String, String> before = tree();
    Cli.Run r = cli.run("run", "entities=users,sign_ins", arg);
    assertThat(r.exit()).as(r.all()).isEqualTo(2);
    assertThat(r.err()).contains(why);
    assertThat(tree()).isEqualTo(before);
  }

  /** An until later today: the sign-ins' mark moves to when the read began, not to until. */
  @Test
  void aWindowEndingLaterTodayMovesTheMarkOnlyAsFarAsTheRead() throws Exception {
    Instant endOfToday =
        LocalDate.now(ZoneOffset.UTC).plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    // The mark is whole seconds, rounded down (Graph takes 7 fractional digits at most).
    Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Cli.Run r = cli.run("run", "entities=sign_ins", "since=-P1D", "until=" + endOfToday);
    Instant ended = Instant.now();
    assertThat(r.exit()).as(r.all()).isZero();
    try (IcebergLake lake =
        new IcebergLake(
            dir.resolve("warehouse/lake").toUri(),
            JobRepositoryConfiguration.defaultUrl(dir.resolve("warehouse")),
            null,
            null,
            Duration.ofDays(30),
            Map.of())) {
      assertThat(lake.logMark(Entities.SIGN_INS, simulator.tenantId()))
          .isBetween(started, ended)
          .isBefore(endOfToday);
    }
  }
}
