package io.entrawarehouse.write.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrawarehouse.job.JobRepositoryConfiguration;
import io.entrawarehouse.process.WarehouseRowProcessor;
import io.entrawarehouse.warehouse.Entities;
import io.entrawarehouse.warehouse.Entity;
import io.entrawarehouse.write.parquet.ParquetFiles;
import io.entrawarehouse.write.parquet.Staging;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Versions} on its own, against a lake on local disk: a delta round merged into the rows the
 * lake holds, and the history each load adds, row for row.
 */
class VersionsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Entity USERS = Entities.USERS;
  private static final String TENANT = "t1";
  private static final Instant DAY1 = Instant.parse("2026-11-24T03:00:00Z");
  private static final Instant DAY2 = Instant.parse("2026-11-25T03:00:00Z");

  @TempDir Path dir;
  IcebergLake lake;
  Staging staging;
  Versions versions;

  @BeforeEach
  void open() throws Exception {
    Files.createDirectories(dir.resolve("warehouse"));
    lake =
        new IcebergLake(
            dir.resolve("lake").toUri(),
            JobRepositoryConfiguration.defaultUrl(dir.resolve("warehouse")),
            null,
            null,
            Duration.ofDays(30),
            Map.of());
    staging =
        new Staging(
            dir.resolve("staging"), ParquetFiles.configuration(), e -> lake.parquetSchema(e));
    versions = new Versions(lake, staging);
  }

  @AfterEach
  void close() {
    lake.close();
  }

  /** Graph's items made rows by the product's processor and staged as one part of a load. */
  private List<Path> stage(long load, Instant at, boolean rawJson, String... items)
      throws Exception {
    WarehouseRowProcessor processor = new WarehouseRowProcessor(USERS, TENANT, load, at, rawJson);
    List<GenericRecord> rows = new ArrayList<>();
    for (String item : items) {
      rows.add(processor.process(JSON.readTree(item)));
    }
    staging.writePart(USERS, USERS.avroSchema(), load, "2026-11-25", 0, rows);
    return staging.stagedParts(USERS, load);
  }

  private static IcebergLake.Load load(long id) {
    return new IcebergLake.Load(id, "uid-" + id, TENANT, LocalDate.parse("2026-11-25"), null, null);
  }

  /** Per id: display name and user principal name, as the part holds them. */
  private static Map<String, String> users(List<Path> parts) {
    Map<String, String> out = new TreeMap<>();
    Versions.forEachLocal(
        USERS,
        parts,
        r ->
            out.put(
                r.get("id").toString(),
                r.get("display_name") + "|" + r.get("user_principal_name")));
    return out;
  }

  /** Each version in a history part: id, display name, change, from, to, reason. */
  private static TreeSet<String> history(Path part) {
    TreeSet<String> out = new TreeSet<>();
    Versions.forEachLocal(
        USERS.history(),
        List.of(part),
        r ->
            out.add(
                String.join(
                    " ",
                    r.get("id").toString(),
                    String.valueOf(r.get("display_name")),
                    r.get(Entity.CHANGE_KIND).toString(),
                    instant(r.get(Entity.VALID_FROM)).toString(),
                    r.get(Entity.VALID_TO) == null
                        ? "-"
                        : instant(r.get(Entity.VALID_TO)).toString(),
                    String.valueOf(r.get(Entity.REMOVED_REASON)))));
    return out;
  }

  private static Instant instant(Object micros) {
    return Instant.EPOCH.plusNanos((Long) micros * 1_000);
  }

  @Test
  void aDeltaRoundPatchesWhatItSentKeepsTheRestAddsTheNewAndRemovesTheGone() throws Exception {
    lake.commit(
        USERS,
        load(1),
        stage(
            1,
            DAY1,
            false,
            "{\"id\":\"a\",\"displayName\":\"Adele\",\"userPrincipalName\":\"adele@x\"}",
            "{\"id\":\"b\",\"displayName\":\"Bob\",\"userPrincipalName\":\"bob@x\"}",
            "{\"id\":\"c\",\"displayName\":\"Cleo\",\"userPrincipalName\":\"cleo@x\"}"));

    Versions.Merged merged =
        versions.merge(
            USERS,
            TENANT,
            2,
            stage(
                2,
                DAY2,
                true,
                // a changed name only (Prefer: return=minimal): its other columns stay
                "{\"id\":\"a\",\"displayName\":\"Adele V.\"}",
                "{\"id\":\"c\",\"@removed\":{\"reason\":\"changed\"}}",
                "{\"id\":\"d\",\"displayName\":\"Dina\",\"userPrincipalName\":\"dina@x\"}"),
            false);

    assertThat(users(List.of(merged.part())))
        .isEqualTo(
            Map.of(
                "a", "Adele V.|adele@x",
                "b", "Bob|bob@x",
                "d", "Dina|dina@x"));
    assertThat(merged.changed()).isEqualTo(3);
    assertThat(merged.removed()).isEqualTo(Map.of("c", "changed"));
  }

  @Test
  void eachLoadClosesTheVersionsItChangedAndAddsOnePerCreatedUpdatedOrDeletedObject()
      throws Exception {
    List<Path> first =
        stage(
            1,
            DAY1,
            false,
            "{\"id\":\"a\",\"displayName\":\"Adele\"}",
            "{\"id\":\"b\",\"displayName\":\"Bob\"}",
            "{\"id\":\"c\",\"displayName\":\"Cleo\"}");
    Versions.History h1 = versions.history(USERS, TENANT, 1, DAY1, first, Map.of());
    assertThat(List.of(h1.created(), h1.updated(), h1.deleted())).containsExactly(3, 0, 0);
    lake.commit(USERS.history(), load(1), List.of(h1.part()));
    lake.commit(USERS, load(1), first);

    List<Path> second =
        stage(
            2,
            DAY2,
            false,
            "{\"id\":\"a\",\"displayName\":\"Adele V.\"}",
            "{\"id\":\"b\",\"displayName\":\"Bob\"}",
            "{\"id\":\"d\",\"displayName\":\"Dina\"}");
    Versions.History h2 = versions.history(USERS, TENANT, 2, DAY2, second, Map.of("c", "deleted"));

    assertThat(List.of(h2.created(), h2.updated(), h2.deleted())).containsExactly(1, 1, 1);
    assertThat(history(h2.part()))
        .containsExactlyInAnyOrder(
            "a Adele created " + DAY1 + " " + DAY2 + " null",
            "a Adele V. updated " + DAY2 + " - null",
            "b Bob created " + DAY1 + " - null",
            "c Cleo created " + DAY1 + " " + DAY2 + " null",
            "c Cleo deleted " + DAY2 + " - deleted",
            "d Dina created " + DAY2 + " - null");

    // A load that changed nothing adds nothing: the history stays as it is.
    lake.commit(USERS.history(), load(2), List.of(h2.part()));
    lake.commit(USERS, load(2), second);
    List<Path> third =
        stage(
            3,
            DAY2.plus(Duration.ofDays(1)),
            false,
            "{\"id\":\"a\",\"displayName\":\"Adele V.\"}",
            "{\"id\":\"b\",\"displayName\":\"Bob\"}",
            "{\"id\":\"d\",\"displayName\":\"Dina\"}");
    assertThat(versions.history(USERS, TENANT, 3, DAY2.plus(Duration.ofDays(1)), third, Map.of()))
        .isNull();
  }
}
