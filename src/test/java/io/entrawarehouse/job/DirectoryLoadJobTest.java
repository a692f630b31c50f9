package io.entrawarehouse.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrawarehouse.simulator.DemoTenant;
import io.entrawarehouse.simulator.MutableClock;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.TenantScale;
import io.entrawarehouse.warehouse.Entities;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.step.StepExecution;

/** The whole job against the simulator, compared with the tenant's ground truth. */
class DirectoryLoadJobTest {

  @TempDir Path dir;

  private static SimulatorSettings.Builder tenant() {
    return SimulatorSettings.builder().scale(TenantScale.SMALL).throttling(false);
  }

  @Test
  void aFullLoadEqualsTheTenantInDuckDbAndInTheLake() throws Exception {
    try (LoadHarness h =
        new LoadHarness(tenant().build(), dir, Map.of("entra.warehouse.chunk-size", "300"))) {
      JobExecution execution = h.run(Map.of());

      assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
      h.assertMatchesGroundTruth(LoadHarness.all());
      // One token for the whole run: it is reused, not requested per page.
      assertThat(h.simulator.stats().tokensIssued()).isEqualTo(1);
      // Staging is gone, the lake holds no hidden or temporary file, and DuckDB holds exactly
      // the lake's current snapshot, every column compared.
      assertThat(dir.resolve("staging")).doesNotExist();
      try (Stream<Path> files = Files.walk(dir.resolve("lake"))) {
        assertThat(files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()))
            .isNotEmpty()
            .noneMatch(n -> n.startsWith(".") || n.endsWith(".tmp") || n.endsWith(".crc"));
      }
      try (var lake = h.launcher.lake()) {
        for (var e : LoadHarness.all()) {
          LakeReads.assertDuckDbEqualsLake(dir.resolve("entra.duckdb"), lake, e);
        }
      }
    }
  }

  @Test
  void nightlyLoadsWithOverlappingWindowsKeepEachEventOnceInDuckDbAndInTheLake() throws Exception {
    try (LoadHarness h = new LoadHarness(tenant().build(), dir, Map.of())) {
      // Two "nightly" launches whose 5-day windows overlap by 3 days.
      for (Map<String, String> window :
          List.of(
              Map.of("since", "-P5D", "until", LocalDate.now().minusDays(2).toString()),
              Map.of("since", "-P5D"))) {
        Map<String, String> launch = new HashMap<>(window);
        launch.put("entities", "directory_audits,sign_ins");
        assertThat(h.run(launch).getStatus()).isEqualTo(BatchStatus.COMPLETED);
      }
      for (var entity : List.of(Entities.DIRECTORY_AUDITS, Entities.SIGN_INS)) {
        List<String> inDuckDb = h.ids(entity, false);
        List<String> inLake = h.ids(entity, true);
        assertThat(inDuckDb).as(entity.name()).doesNotHaveDuplicates().isNotEmpty();
        assertThat(inLake).as(entity.name() + " in the lake").doesNotHaveDuplicates();
        assertThat(inLake).containsExactlyInAnyOrderElementsOf(inDuckDb);
      }
    }
  }

  @Test
  void rowsCarryTenantLoadMetadataAndAnalystColumns() throws Exception {
    try (LoadHarness h = new LoadHarness(tenant().build(), dir, Map.of())) {
      JobExecution execution = h.run(Map.of("entities", "users,sign_ins"));
      assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
      try (Connection c =
              DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("entra.duckdb"));
          Statement s = c.createStatement()) {
        ResultSet r =
            s.executeQuery(
                "SELECT count(DISTINCT tenant_id), min(load_id), count(*) FILTER (WHERE account_enabled IS NULL),"
                    + " count(*) FILTER (WHERE user_type = 'Guest'), count(*) FILTER (WHERE len(assigned_license_sku_ids) > 0),"
                    + " count(*) FILTER (WHERE created_date_time IS NULL) FROM users");
        r.next();
        assertThat(r.getLong(1)).isEqualTo(1);
        assertThat(r.getLong(2)).isEqualTo(execution.getJobInstanceId());
        assertThat(r.getLong(3)).isZero();
        assertThat(r.getLong(4)).isPositive();
        assertThat(r.getLong(5)).isPositive();
        assertThat(r.getLong(6)).isZero();
        ResultSet si =
            s.executeQuery(
                "SELECT count(*) FILTER (WHERE status_error_code <> 0), count(*) FILTER (WHERE location_country_or_region IS NULL),"
                    + " count(*) FILTER (WHERE json_array_length(applied_conditional_access_policies) > 0) FROM sign_ins");
        si.next();
        assertThat(si.getLong(1)).isPositive();
        assertThat(si.getLong(2)).isZero();
        assertThat(si.getLong(3)).isPositive();
      }
    }
  }

  @Test
  void aFailedRunResumesFromItsLastCommittedChunkWithNothingDuplicated() throws Exception {
    // Users come 500 a page (their sign-in activity caps it); the second page (items 500-999)
    // fails for good: one attempt only, no retry. Chunks of 120 mean items 0-479 are committed
    // when it fails, a position inside the first page.
    SimulatorSettings settings = tenant().fault("503:users:nth=2").build();
    try (LoadHarness h =
        new LoadHarness(
            settings,
            dir,
            Map.of("entra.warehouse.chunk-size", "120", "entra.graph.max-attempts", "1"))) {
      JobExecution failed = h.run(Map.of("entities", "users,groups"));
      assertThat(failed.getStatus()).isEqualTo(BatchStatus.FAILED);
      StepExecution firstUsers = step(failed, "users");
      assertThat(firstUsers.getWriteCount()).isEqualTo(480);

      JobExecution resumed = h.run(Map.of("entities", "users,groups"));

      assertThat(resumed.getStatus()).isEqualTo(BatchStatus.COMPLETED);
      assertThat(resumed.getJobInstanceId()).isEqualTo(failed.getJobInstanceId());
      assertThat(step(resumed, "users").getReadCount())
          .isEqualTo(1000 - firstUsers.getWriteCount());
      h.assertMatchesGroundTruth(List.of(Entities.USERS, Entities.GROUPS));
    }
  }

  @Test
  void aMalformedItemIsSkippedAndLoggedAndTheRestIsLoaded() throws Exception {
    try (LoadHarness h =
        new LoadHarness(tenant().fault("malformed:devices:nth=1").build(), dir, Map.of())) {
      JobExecution execution = h.run(Map.of("entities", "devices"));

      assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
      assertThat(step(execution, "devices").getSkipCount()).isEqualTo(1);
      // The first device of the first page was the malformed one.
      String skipped = (String) h.simulator.tenant().devices().device(0).get("id");
      assertThat(h.ids(Entities.DEVICES, false)).hasSize(799).doesNotContain(skipped);
      assertThat(h.ids(Entities.DEVICES, true)).hasSize(799).doesNotContain(skipped);
      // and it is kept, whole, with why, for whoever fixes the source
      List<Path> rejected;
      try (Stream<Path> files = Files.walk(h.warehouse.resolve("rejected"))) {
        rejected = files.filter(f -> f.endsWith("devices.jsonl")).toList();
      }
      assertThat(rejected).hasSize(1);
      List<String> lines = Files.readAllLines(rejected.get(0));
      assertThat(lines).hasSize(1);
      JsonNode line = new ObjectMapper().readTree(lines.get(0));
      assertThat(line.path("item").path("id").asText()).isEqualTo(skipped);
      assertThat(line.path("reason").asText())
          .contains(" item " + skipped + ": property '")
          .endsWith("; the item is skipped");
    }
  }

  @Test
  void filtersSelectsAndTheLogWindowArePassedToGraph() throws Exception {
    try (LoadHarness h = new LoadHarness(tenant().build(), dir, Map.of())) {
      DemoTenant t = h.simulator.tenant();
      Instant until = t.now().minus(Duration.ofDays(2));
      Instant since = until.minus(Duration.ofDays(1));
      long guests = 0;
      for (int u = 0; u < t.scale().users(); u++) {
        guests += "Guest".equals(t.people().user(u).get("userType")) ? 1 : 0;
      }
      long inWindow = 0;
      for (int i = 0; i < t.scale().signIns(); i++) {
        Instant at =
            OffsetDateTime.parse((String) t.logs().signIn(i).get("createdDateTime")).toInstant();
        inWindow += !at.isBefore(since) && at.isBefore(until) ? 1 : 0;
      }

      // 'ne' is an advanced query: it only works because the reader sends ConsistencyLevel:
      // eventual and $count=true on every page.
      JobExecution execution =
          h.run(
              Map.of(
                  "entities", "users,sign_ins",
                  "filter.users", "userType ne 'Member'",
                  "select.users", "id,userType,displayName",
                  "since", since.toString(),
                  "until", until.toString()));

      assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
      assertThat(h.ids(Entities.USERS, false)).hasSize((int) guests);
      assertThat(h.ids(Entities.SIGN_INS, false)).hasSize((int) inWindow);
      try (Connection c =
              DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("entra.duckdb"));
          ResultSet r =
              c.createStatement()
                  .executeQuery(
                      "SELECT count(*) FILTER (WHERE mail IS NOT NULL), count(DISTINCT user_type) FROM users")) {
        r.next();
        assertThat(r.getLong(1)).as("mail was not selected").isZero();
        assertThat(r.getLong(2)).isEqualTo(1);
      }
    }
  }

  @Test
  void togglesNarrowUsersAndDevicesAndCombineWithTheUsersFilter() throws Exception {
    try (LoadHarness h = new LoadHarness(tenant().build(), dir, Map.of())) {
      DemoTenant t = h.simulator.tenant();
      Instant until = LocalDate.now(ZoneOffset.UTC).atStartOfDay(ZoneOffset.UTC).toInstant();
      Instant seen = until.minus(Duration.ofDays(30));
      Set<String> users = new TreeSet<>();
      for (int u = 0; u < t.scale().users(); u++) {
        Map<String, Object> user = t.people().user(u);
        if (Boolean.TRUE.equals(user.get("accountEnabled"))) {
          users.add((String) user.get("id"));
        }
      }
      Set<String> devices = new TreeSet<>();
      for (int d = 0; d < t.scale().devices(); d++) {
        Map<String, Object> device = t.devices().device(d);
        Object last = device.get("approximateLastSignInDateTime");
        if (Boolean.TRUE.equals(device.get("accountEnabled"))
            && "Company".equals(device.get("deviceOwnership"))
            && "Windows".equals(device.get("operatingSystem"))
            && last != null
            && !OffsetDateTime.parse((String) last).toInstant().isBefore(seen)) {
          devices.add((String) device.get("id"));
        }
      }
      assertThat(devices).as("the tenant has such devices").isNotEmpty();

      JobExecution execution =
          h.run(
              Map.of(
                  "entities", "users,devices",
                  "inactive", "exclude",
                  "devices.company_owned", "true",
                  "devices.seen_within_days", "30",
                  "filter.devices", "operatingSystem eq 'Windows'"));

      assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
      assertThat(new TreeSet<>(h.ids(Entities.USERS, false))).isEqualTo(users);
      assertThat(new TreeSet<>(h.ids(Entities.DEVICES, false))).isEqualTo(devices);
      assertThat(new TreeSet<>(h.ids(Entities.DEVICES, true))).isEqualTo(devices);
    }
  }

  @Test
  void aSecretsHintAndACertificatesKeyAreNeverStoredEvenWhenSelected() throws Exception {
    try (LoadHarness h = new LoadHarness(tenant().build(), dir, Map.of())) {
      JobExecution execution =
          h.run(
              Map.of(
                  "entities", "applications,service_principals",
                  "select.applications", "+passwordCredentials,keyCredentials",
                  "select.service_principals", "+keyCredentials",
                  "raw_json", "all"));
      assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
      h.assertMatchesGroundTruth(List.of(Entities.APPLICATIONS, Entities.SERVICE_PRINCIPALS));
      try (Connection c =
              DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("entra.duckdb"));
          ResultSet r =
              c.createStatement()
                  .executeQuery(
                      "SELECT count(*) FILTER (WHERE json_array_length(raw_json->'$.passwordCredentials') > 0),"
                          + " count(*) FILTER (WHERE raw_json LIKE '%\"hint\"%' OR raw_json LIKE '%\"secretText\"%'"
                          + " OR raw_json LIKE '%\"key\"%'),"
                          + " (SELECT count(*) FILTER (WHERE json_array_length(raw_json->'$.keyCredentials') > 0)"
                          + " FROM service_principals)"
                          + " FROM applications")) {
        r.next();
        assertThat(r.getLong(1)).as("secrets' metadata kept").isPositive();
        assertThat(r.getLong(2)).as("hint, secretText or key stored").isZero();
        assertThat(r.getLong(3)).as("certificates' metadata kept").isPositive();
      }
      // Nor in the lake, as Iceberg's reader returns its rows.
      try (var lake = h.launcher.lake()) {
        for (var e : List.of(Entities.APPLICATIONS, Entities.SERVICE_PRINCIPALS)) {
          for (var row : LakeReads.rows(lake, e)) {
            assertThat((String) row.getField("raw_json"))
                .as(e.name())
                .contains("keyCredentials")
                .doesNotContain("\"hint\"")
                .doesNotContain("\"secretText\"")
                .doesNotContain("\"key\"");
          }
        }
      }
    }
  }

  @Test
  void aRestartThatFallsBackToTheFirstPageLeavesNoDuplicateInEitherStore() throws Exception {
    MutableClock clock = new MutableClock(Instant.now());
    // 2,500 users: five pages of 500; the third page fails once, after 960 users were committed
    // (chunks of 120) at a position inside the second page (a skiptoken link).
    SimulatorSettings settings =
        tenant()
            .scale(TenantScale.SMALL.with(2500, -1, -1, -1, -1, -1))
            .clock(clock)
            .tokenLifetime(Duration.ofDays(1))
            .skipTokenLifetime(Duration.ofHours(1))
            .fault("503:users:nth=3")
            .build();
    try (LoadHarness h =
        new LoadHarness(
            settings,
            dir,
            Map.of("entra.warehouse.chunk-size", "120", "entra.graph.max-attempts", "1"))) {
      JobExecution failed = h.run(Map.of("entities", "users"));
      assertThat(failed.getStatus()).isEqualTo(BatchStatus.FAILED);
      assertThat(step(failed, "users").getWriteCount()).isEqualTo(960);

      clock.advance(Duration.ofHours(2)); // the saved skiptoken has expired
      JobExecution resumed = h.run(Map.of("entities", "users"));

      assertThat(resumed.getStatus()).isEqualTo(BatchStatus.COMPLETED);
      assertThat(step(resumed, "users").getReadCount())
          .as("everything again, from the first page")
          .isEqualTo(2500);
      h.assertMatchesGroundTruth(List.of(Entities.USERS));
      try (var lake = h.launcher.lake()) {
        LakeReads.assertDuckDbEqualsLake(dir.resolve("entra.duckdb"), lake, Entities.USERS);
      }
    }
  }

  private static StepExecution step(JobExecution e, String name) {
    return e.getStepExecutions().stream()
        .filter(s -> s.getStepName().equals(name))
        .findFirst()
        .orElseThrow();
  }
}
