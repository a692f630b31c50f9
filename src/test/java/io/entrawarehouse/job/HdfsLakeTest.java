package io.entrawarehouse.job;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lake on an {@code hdfs:} URI, against an in-process HDFS cluster. */
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
      RemoteLakeLoad.assertLoadsExactly(dir, lake, Map.of(), cluster.getFileSystem());
    } finally {
      cluster.shutdown();
    }
  }
}
