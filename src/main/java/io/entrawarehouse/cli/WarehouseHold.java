package io.entrawarehouse.cli;

import io.entrawarehouse.job.DirectoryLoadLauncher;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One run at a time per warehouse: the lock a command that changes the warehouse holds, and what it
 * says when another process holds it or the disk refuses it.
 */
final class WarehouseHold {

  private WarehouseHold() {}

  /** What a command that changes the warehouse does with the launcher; returns an exit code. */
  interface WarehouseAction {
    int apply(DirectoryLoadLauncher launcher) throws Exception;
  }

  /**
   * Runs a command that changes the warehouse: holds the warehouse's lock (exit 3 when another run
   * holds it), starts the Spring context, and releases both afterwards.
   */
  static int holdingWarehouse(PrintWriter err, RunMetrics.Labels labels, WarehouseAction action)
      throws Exception {
    WarehouseLock lock = lock(WarehouseLocation.directory());
    if (lock == null) {
      return busy(err);
    }
    try (lock;
        ConfigurableApplicationContext spring =
            SpringBootstrap.spring(err, true, labels.settings())) {
      int exit = LoadCommands.FAILED;
      try {
        exit = action.apply(spring.getBean(DirectoryLoadLauncher.class));
        return exit;
      } finally {
        // Also after a failure: its meters say what it did before it stopped. Spring Boot pushes
        // them to the Pushgateway, when one is set, as the context closes.
        RunMetrics.finish(spring, labels, exit, err);
      }
    }
  }

  /** The warehouse held by this process; closing it releases the lock and its file. */
  static final class WarehouseLock implements AutoCloseable {
    private final FileChannel channel;

    private WarehouseLock(FileChannel channel) {
      this.channel = channel;
    }

    @Override
    public void close() throws IOException {
      channel.close(); // releases the lock too
    }
  }

  /** Holds the warehouse for one run; null when another process holds it. */
  static WarehouseLock lock(Path dir) {
    FileChannel channel;
    try {
      Files.createDirectories(dir);
      channel =
          FileChannel.open(
              dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw unwritable(dir, e);
    }
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException heldByThisProcess) {
      lock = null;
    } catch (IOException e) {
      throw new CommandException(
          LoadCommands.FAILED, "Cannot lock the warehouse " + dir + ": " + e.getMessage(), e);
    }
    if (lock == null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // Only a descriptor of ours to release.
      }
      return null;
    }
    return new WarehouseLock(channel);
  }

  /**
   * A failure's message, with the free space of the warehouse's disk when the failure is an I/O
   * error and that disk is nearly full: SQLite, for one, says only "disk I/O error".
   */
  static String withDiskSpace(String message, Path dir) {
    if (message.contains("No space left on device")
        || !(message.contains("I/O error")
            || message.contains("IOERR")
            || message.contains("SQLITE_FULL"))) {
      return message;
    }
    try {
      Path existing = dir;
      while (existing != null && !Files.exists(existing)) {
        existing = existing.getParent();
      }
      long free = existing == null ? -1 : Files.getFileStore(existing).getUsableSpace();
      if (free >= 0 && free < 16L * 1024 * 1024) {
        return message
            + " No space left on device: the file system of "
            + dir
            + " has "
            + free / 1024
            + " KB free.";
      }
    } catch (IOException cannotTell) {
      // The message stands as it is.
    }
    return message;
  }

  static CommandException unwritable(Path dir, IOException e) {
    return new CommandException(
        LoadCommands.FAILED,
        "Cannot write to the warehouse directory "
            + dir
            + " ("
            + (e.getMessage() == null ? e.toString() : e.getMessage())
            + "): give this user write access, free space there, or set"
            + " entra.warehouse.directory to another folder. Nothing was loaded or changed.",
        e);
  }

  /** Says the warehouse is held by another run; returns {@link LoadCommands#BUSY}. */
  static int busy(PrintWriter err) {
    err.println(
        "Another run holds the warehouse "
            + WarehouseLocation.directory()
            + " (lock file .lock). Wait for it to finish, then try again.");
    err.flush();
    return LoadCommands.BUSY;
  }
}
