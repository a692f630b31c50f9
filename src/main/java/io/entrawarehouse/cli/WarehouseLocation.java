package io.entrawarehouse.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where the warehouse is, read without Spring: for the lock a command takes before its context
 * starts, and for {@code query}, which needs nothing else. No Spring type appears here, so loading
 * this class loads none (in the executable jar, one Spring class costs {@code query} the opening of
 * every nested jar before Spring's).
 */
final class WarehouseLocation {

  private WarehouseLocation() {}

  /** The warehouse's directory: the run's setting, else the system property, else ENTRA_… . */
  static Path directory() {
    String configured = RunSettings.get("entra.warehouse.directory", "ENTRA_WAREHOUSE_DIRECTORY");
    return Path.of(configured == null || configured.isBlank() ? "warehouse" : configured)
        .toAbsolutePath();
  }

  /**
   * The warehouse's DuckDB file, for {@code query}, when no configuration file can set the
   * warehouse's directory (see {@link #configurationFiles}) and a load has built it: then the run's
   * settings, the system properties and the environment say where it is, as Spring would bind them,
   * for none of the second Spring's binding costs. Null otherwise: {@link
   * SpringBootstrap#builtWarehouse} says.
   */
  static Path duckDbWithoutConfigurationFiles() {
    if (!configurationFiles().isEmpty()) {
      return null;
    }
    Path file = directory().resolve("entra.duckdb");
    return Files.exists(file) ? file : null;
  }

  /** Where Spring Boot reads a configuration file by default, relative to the working directory. */
  private static final List<String> CONFIG_FILES =
      List.of(
          "application.properties",
          "application.yml",
          "application.yaml",
          "config/application.properties",
          "config/application.yml",
          "config/application.yaml");

  /**
   * What could give a setting beyond the run's settings, the system properties, the environment and
   * the product's own application.yml: a configuration file where Spring Boot looks by default, a
   * directory of them, or a setting that names more (spring.config.*, a profile, JSON,
   * loader.path). Empty when there is none, and {@link #directory} is then what Spring would bind.
   */
  static List<String> configurationFiles() {
    List<String> found = new ArrayList<>();
    for (String file : CONFIG_FILES) {
      if (Files.exists(Path.of(file))) {
        found.add(file);
      }
    }
    if (Files.isDirectory(Path.of("config"))) {
      found.add("config/");
    }
    List<String> keys = new ArrayList<>(RunSettings.current().keySet());
    keys.addAll(System.getProperties().stringPropertyNames());
    keys.addAll(System.getenv().keySet());
    for (String key : keys) {
      String k = key.toLowerCase(Locale.ROOT).replace('_', '.');
      if (k.startsWith("spring.config.")
          || k.startsWith("spring.profiles.")
          || k.equals("spring.application.json")
          || k.equals("loader.path")) {
        found.add(key);
      }
    }
    return found;
  }
}
