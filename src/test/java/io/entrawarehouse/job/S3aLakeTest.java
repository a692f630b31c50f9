package io.entrawarehouse.job;

import java.net.URI;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lake on an {@code s3a:} URI, against a local S3-compatible server, configured only through
 * {@code entra.warehouse.hadoop} settings, as a user would point it at S3, MinIO or Ceph.
 */
class S3aLakeTest {

  @TempDir Path dir;

  @Test
  void theLakeCanBeAnS3aUri() throws Exception {
    try (TestS3 s3 = new TestS3(dir.resolve("s3"), "lake")) {
      URI lake = URI.create("s3a://lake/warehouse/lake");
      Configuration conf = new Configuration();
      s3.hadoop().forEach(conf::set);
      try (FileSystem fs = FileSystem.newInstance(lake, conf)) {
        RemoteLakeLoad.assertLoadsExactly(dir, lake, s3.hadoop(), fs);
      }
    }
  }
}
