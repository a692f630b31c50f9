package io.entrawarehouse.write.iceberg;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.ReachableFileUtil;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FileIO;

/**
 * Finds and deletes the files under a table's location that no retained snapshot reaches: what a
 * process killed mid-commit left (data files copied but never committed, a metadata file half
 * written, a manifest of a commit that lost its race). Iceberg's own {@code DeleteOrphanFiles}
 * action does this on Spark; this is the same rule without it: a file is an orphan when no metadata
 * file in the table's log, no manifest list, no manifest and no live manifest entry of any snapshot
 * names it, and it is older than {@link #MIN_AGE}, so the files of another worker's commit in
 * flight are never taken. Stateless and thread-safe.
 */
final class OrphanFiles {

  /**
   * How old a file must be before it may be an orphan: far longer than any commit takes to go from
   * its first file to the catalog (seconds), and less than a day, so a nightly sweeps the night
   * before's leftovers.
   */
  static final Duration MIN_AGE = Duration.ofHours(6);

  private OrphanFiles() {}

  /**
   * Deletes the table's orphans last modified before {@code olderThan}; returns the paths deleted.
   */
  static List<String> sweep(Table table, FileSystem fs, Instant olderThan) {
    Path root = new Path(table.location());
    try {
      if (!fs.exists(root)) {
        return List.of();
      }
      Set<String> reachable = reachable(table, fs);
      List<String> deleted = new ArrayList<>();
      RemoteIterator<LocatedFileStatus> files = fs.listFiles(root, true);
      while (files.hasNext()) {
        LocatedFileStatus f = files.next();
        String path = fs.makeQualified(f.getPath()).toString();
        if (!reachable.contains(path)
            && !f.getPath().getName().equals("version-hint.text")
            && f.getModificationTime() < olderThan.toEpochMilli()) {
          fs.delete(f.getPath(), false);
          deleted.add(path);
        }
      }
      return deleted;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot sweep the orphan files of " + table.name() + ": " + e.getMessage(), e);
    }
  }

  /** Every file a retained snapshot or the metadata log names, qualified as {@code fs} lists. */
  private static Set<String> reachable(Table table, FileSystem fs) {
    Set<String> names = new HashSet<>();
    FileIO io = table.io();
    names.addAll(ReachableFileUtil.metadataFileLocations(table, false));
    names.addAll(ReachableFileUtil.statisticsFilesLocations(table));
    Set<String> manifests = new HashSet<>();
    for (Snapshot s : table.snapshots()) {
      if (s.manifestListLocation() != null) {
        names.add(s.manifestListLocation());
      }
      for (ManifestFile m : s.allManifests(io)) {
        if (manifests.add(m.path())) {
          try (CloseableIterable<String> paths = ManifestFiles.readPaths(m, io, table.specs())) {
            paths.forEach(names::add);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      }
    }
    names.addAll(manifests);
    Set<String> qualified = new HashSet<>();
    for (String n : names) {
      qualified.add(fs.makeQualified(new Path(n)).toString());
    }
    return qualified;
  }
}
