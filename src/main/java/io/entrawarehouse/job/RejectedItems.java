package io.entrawarehouse.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entrawarehouse.warehouse.Entity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The items a load skipped as malformed, kept for whoever fixes the source: one JSON line each
 * ({@code {"reason": …, "item": …}}, the item without its secrets, as the tables keep it) in {@code
 * <warehouse>/rejected/load-<id>/<table>.jsonl}. A chunk replayed after a crash may append an item
 * again; the skip counts in the job repository stay exact. Thread-safe.
 */
public final class RejectedItems {

  private static final ObjectMapper JSON = new ObjectMapper();

  private RejectedItems() {}

  /** Where a load's skipped items of one table go. */
  public static Path file(Path rejectedDirectory, long loadId, Entity entity) {
    return rejectedDirectory.resolve("load-" + loadId).resolve(entity.name() + ".jsonl");
  }

  /** Appends the item, without what the entity never stores (secrets), and why it was skipped. */
  static synchronized void append(Path file, Entity entity, JsonNode item, String reason) {
    JsonNode kept = item.deepCopy();
    entity.removeSecrets(kept);
    ObjectNode line = JSON.createObjectNode();
    line.put("reason", reason);
    line.set("item", kept);
    try {
      Files.createDirectories(file.getParent());
      Files.write(
          file,
          (line.toString() + "\n").getBytes(StandardCharsets.UTF_8),
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot record a skipped item in " + file + ": " + e.getMessage(), e);
    }
  }
}
