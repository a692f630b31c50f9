package io.entrawarehouse.cli;

import java.util.Map;
import java.util.function.Supplier;

/**
 * Settings given to one run of the command line in-process ({@link
 * io.entrawarehouse.EntraWarehouse#commandLine(Map)}), as {@code -D} gives them to a process:
 * property names to values, above every other source of configuration, for that run only. Two runs
 * in one JVM (tests, an embedding scheduler) each see their own; a thread the run starts sees the
 * run's.
 */
public final class RunSettings {

  private static final InheritableThreadLocal<Map<String, String>> CURRENT =
      new InheritableThreadLocal<>() {
        @Override
        protected Map<String, String> initialValue() {
          return Map.of();
        }
      };

  private RunSettings() {}

  /** Runs {@code run} with {@code settings} as the current run's. */
  public static <T> T with(Map<String, String> settings, Supplier<T> run) {
    Map<String, String> before = CURRENT.get();
    CURRENT.set(Map.copyOf(settings));
    try {
      return run.get();
    } finally {
      CURRENT.set(before);
    }
  }

  /** The current run's settings. */
  static Map<String, String> current() {
    return CURRENT.get();
  }

  /** A setting: the run's, else the JVM's system property, else the environment variable. */
  static String get(String property, String variable) {
    String value = CURRENT.get().get(property);
    if (value == null) {
      value = System.getProperty(property);
    }
    return value != null || variable == null ? value : System.getenv(variable);
  }
}
