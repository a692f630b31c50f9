package io.entrawarehouse.write.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrawarehouse.warehouse.Entities;
import io.entrawarehouse.warehouse.Entity;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.io.LocalInputFile;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RepeatsTest {

  @TempDir Path dir;

  private Path file(Staging staging, int chunk, String... ids) {
    Entity e = Entities.USERS;
    List<GenericRecord> rows = new ArrayList<>();
    for (String id : ids) {
      GenericRecord r = new GenericData.Record(e.avroSchema());
      r.put("tenant_id", "t1");
      r.put("id", id);
      r.put("load_id", 7L);
      r.put("loaded_at", 1L);
      rows.add(r);
    }
    staging.writePart(e, e.avroSchema(), 7, "2026-12-08", chunk, rows);
    return staging.stagedParts(e, 7).get(chunk);
  }

  @ParameterizedTest(name = "ids compared {0} at a time")
  @ValueSource(longs = {100_000, 1})
  void aRowIsSupersededOnlyByALaterRowOfItsIdInAFileThatSupersedes(long perBucket) {
    // given a lake file that does not supersede (an id twice in it), then two staged parts that do
    Staging staging = new Staging(dir.resolve("staging"), ParquetFiles.configuration());
    Path lake = file(staging, 0, "x", "y", "y", "w");
    Path first = file(staging, 1, "y", "z", "z");
    Path second = file(staging, 2, "z", "v");
    List<Repeats.Source> files =
        List.of(
            new Repeats.Source(new LocalInputFile(lake), false),
            new Repeats.Source(new LocalInputFile(first), true),
            new Repeats.Source(new LocalInputFile(second), true));

    // when the repeats are found
    Map<Integer, BitSet> superseded =
        Repeats.superseded(
            Entities.USERS, files, ParquetFiles.configuration(), perBucket, dir.resolve("ids"));

    // then the lake's two y's go (a later part has y), both z's of the first part go (the second
    // part has z), and every last occurrence stays, as do x and w, which no part repeats
    assertThat(superseded)
        .containsOnlyKeys(0, 1)
        .containsEntry(0, bits(1, 2))
        .containsEntry(1, bits(1, 2));
  }

  private static BitSet bits(int... rows) {
    BitSet b = new BitSet();
    for (int r : rows) {
      b.set(r);
    }
    return b;
  }
}
