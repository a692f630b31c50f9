package io.entrawarehouse.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrawarehouse.simulator.GroundTruth;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.TenantScale;
import io.entrawarehouse.warehouse.Entities;
import io.entrawarehouse.warehouse.Entity;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.batch.core.BatchStatus;

/**
 * The lake on an {@code hdfs:} URI: a load against an in-process HDFS cluster commits exactly the
 * tenant, read back through Iceberg from HDFS, with no hidden temporary file left; DuckDB, which
 * cannot read HDFS, gets the same rows from fetched copies.
 */
class HdfsLakeTest {

  @TempDir Path dir;

  @Test
  void theLakeCanBeAnHdfsUri() throws Exception {
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.resolve("hdfs").toString());
    MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    try {
      cluster.waitActive();
      URI lake = URI.create("hdfs://localhost:" + cluster.getNameNodePort() + "/warehouse/lake");
      try (LoadHarness h =
          new LoadHarness(
              SimulatorSettings.builder().scale(TenantScale.TINY).throttling(false).build(),
              dir.resolve("warehouse"),
              Map.of("entra.warehouse.lake-uri", lake.toString()))) {
        assertThat(h.run(Map.of("entities", "users,group_members,sign_ins")).getStatus())
            .isEqualTo(BatchStatus.COMPLETED);
        Map<String, GroundTruth.Entity> truth = GroundTruth.of(h.simulator.tenant());
        FileSystem hdfs = cluster.getFileSystem();
        for (Entity e : List.of(Entities.USERS, Entities.GROUP_MEMBERS, Entities.SIGN_INS)) {
          // Read back through Iceberg's own reader, from the table's files on HDFS.
          List<String> ids = h.ids(e, true);
          RemoteIterator<LocatedFileStatus> files =
              hdfs.listFiles(
                  new org.apache.hadoop.fs.Path(lake.getPath(), "entra/" + e.name() + "/data"),
                  true);
          int dataFiles = 0;
          while (files.hasNext()) {
            assertThat(files.next().getPath().getName()).endsWith(".parquet").doesNotStartWith(".");
            dataFiles++;
          }
          assertThat(dataFiles).as(e.name() + " data files on HDFS").isPositive();
          assertThat(ids).as(e.name()).doesNotHaveDuplicates();
          assertThat(GroundTruth.checksum(h.ids(e, false)))
              .as(e.name() + " in DuckDB")
              .isEqualTo(truth.get(e.name()).checksum());
          assertThat(GroundTruth.checksum(ids))
              .as(e.name())
              .isEqualTo(truth.get(e.name()).checksum());
        }
      }
    } finally {
      cluster.shutdown();
    }
  }
}
