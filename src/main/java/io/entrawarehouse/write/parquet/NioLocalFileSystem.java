package io.entrawarehouse.write.parquet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Hadoop's local file system, setting permissions through java.nio instead of a {@code chmod} child
 * process. Without Hadoop's native library, {@link RawLocalFileSystem} forks {@code chmod} for
 * every file and directory it creates; a load creates hundreds of parts, and the profile showed
 * those forks on the job's main thread. Writes no {@code .crc} files. Used for {@code file:} lakes
 * only.
 */
public final class NioLocalFileSystem extends LocalFileSystem {

  public NioLocalFileSystem() {
    super(new Raw());
    // No .crc sidecar beside every file: Iceberg's file IO opens its own instances, which the
    // lake's setWriteChecksum(false) does not reach.
    setWriteChecksum(false);
    setVerifyChecksum(false);
  }

  static final class Raw extends RawLocalFileSystem {
    @Override
    public void setPermission(Path p, FsPermission permission) throws IOException {
      String posix =
          permission.getUserAction().SYMBOL
              + permission.getGroupAction().SYMBOL
              + permission.getOtherAction().SYMBOL;
      try {
        Files.setPosixFilePermissions(
            pathToFile(p).toPath(), PosixFilePermissions.fromString(posix));
      } catch (UnsupportedOperationException notPosix) {
        // A file system without POSIX permissions keeps its defaults.
      }
    }
  }
}
