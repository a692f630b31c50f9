package io.entrawarehouse.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrawarehouse.cli.TableTruth;
import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.GroundTruth;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.TenantScale;
import io.entrawarehouse.warehouse.Entities;
import io.entrawarehouse.warehouse.Entity;
import io.entrawarehouse.write.iceberg.IcebergLake;
import java.net.URI;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.springframework.batch.core.BatchStatus;

/**
 * The load test every lake file system passes: one tenant loaded into a lake at a remote URI
 * ({@code hdfs:}, {@code s3a:}) and into a local {@code file:} lake. The remote lake, read back
 * through Iceberg from that file system, holds exactly the tenant's ids and the same rows, every
 * column, as the local lake; its DuckDB file (filled from copies fetched from the lake) equals the
 * local one; and no hidden or temporary file is left on the remote file system.
 */
final class RemoteLakeLoad {

  private static final List<Entity> ENTITIES =
      List.of(Entities.USERS, Entities.GROUP_MEMBERS, Entities.SIGN_INS);

  private RemoteLakeLoad() {}

  /**
   * @param hadoop the {@code entra.warehouse.hadoop} settings the remote file system needs
   * @param fs that file system, to list what the load left on it
   */
  static void assertLoadsExactly(Path dir, URI lake, Map<String, String> hadoop, FileSystem fs)
      throws Exception {
    Map<String, String> remote = new HashMap<>();
    remote.put("entra.warehouse.lake-uri", lake.toString());
    hadoop.forEach((k, v) -> remote.put("entra.warehouse.hadoop.[" + k + "]", v));
    Map<String, String> launch = Map.of("entities", "users,group_members,sign_ins");
    try (GraphSimulator simulator =
        GraphSimulator.start(
            SimulatorSettings.builder().scale(TenantScale.TINY).throttling(false).build())) {
      Map<String, GroundTruth.Entity> truth = TableTruth.of(simulator.tenant());
      try (LoadHarness r = LoadHarness.over(simulator, dir.resolve("remote"), remote);
          LoadHarness l = LoadHarness.over(simulator, dir.resolve("local"), Map.of())) {
        for (LoadHarness h : List.of(r, l)) {
          var execution = h.run(launch);
          assertThat(execution.getStatus())
              .as(
                  "%s %s",
                  execution.getExecutionContext().get("failure"),
                  execution.getAllFailureExceptions())
              .isEqualTo(BatchStatus.COMPLETED);
        }
        try (IcebergLake remoteLake = r.launcher.lake();
            IcebergLake localLake = l.launcher.lake()) {
          assertThat(remoteLake.location()).startsWith(lake.getScheme() + ":");
          for (Entity e : ENTITIES) {
            List<String> ids = r.ids(e, true);
            assertThat(ids).as(e.name() + " ids in the remote lake").doesNotHaveDuplicates();
            assertThat(GroundTruth.checksum(ids))
                .as(e.name() + " ids in the remote lake")
                .isEqualTo(truth.get(e.name()).checksum());
            assertThat(LakeReads.digest(e, LakeReads.rows(remoteLake, e)))
                .as(e.name() + ": every column, remote lake against a local one")
                .isEqualTo(LakeReads.digest(e, LakeReads.rows(localLake, e)));
            LakeReads.assertDuckDbEqualsLake(l.warehouse.resolve("entra.duckdb"), localLake, e);
            try (var remoteDb =
                    DriverManager.getConnection(
                        "jdbc:duckdb:" + r.warehouse.resolve("entra.duckdb"));
                var localDb =
                    DriverManager.getConnection(
                        "jdbc:duckdb:" + l.warehouse.resolve("entra.duckdb"))) {
              assertThat(LakeReads.digest(remoteDb, e.name()))
                  .as(e.name() + ": DuckDB filled from the remote lake against the local one")
                  .isEqualTo(LakeReads.digest(localDb, e.name()));
            }
          }
        }
      }
    }
    int files = 0;
    RemoteIterator<LocatedFileStatus> listing =
        fs.listFiles(new org.apache.hadoop.fs.Path(lake.toString()), true);
    while (listing.hasNext()) {
      String name = listing.next().getPath().getName();
      assertThat(name).as("a file the load left in the lake").doesNotStartWith(".");
      assertThat(name).doesNotEndWith(".tmp").doesNotEndWith(".crc");
      files++;
    }
    assertThat(files).as("files in the remote lake").isPositive();
  }
}
