package io.entrawarehouse.cli;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Runs a load in a JVM whose footprint the product chooses, so that {@code java -jar
 * entra-warehouse.jar run}, typed as the README shows it, stays within 512 MB of resident memory at
 * any scale.
 *
 * <p>A JVM started without a heap bound takes a quarter of the machine's memory as its heap (6 GB
 * on a 24 GB machine) and lets a first load of the medium demo tenant grow to 1.5 GB of RSS, 5 GB
 * at large, though the load works within a 128 MB heap. A jar cannot carry JVM options and a
 * running JVM cannot bound its heap, so a load command started with no heap or collector option
 * ({@code -Xmx}, {@code -Xms}, {@code -XX:MaxRAMPercentage}, {@code -XX:+UseG1GC} and the like, on
 * the command line or in {@code JAVA_TOOL_OPTIONS}/{@code JDK_JAVA_OPTIONS}) replaces its own
 * process image ({@code execve}) with {@code java} run with {@link #OPTIONS}, then the JVM options
 * it was given (a {@code -D} there wins), then the same jar or class path and arguments. It stays
 * the same process: the same id, the same signals, the same exit code, nothing left behind to
 * forward or watch. The container launcher's defaults are the same options.
 *
 * <p>Any heap or collector option keeps the command in the JVM the user started: that is how the
 * container launcher, the tests and an operator who wants other settings opt out. Where {@code
 * execve} is not available (Windows, or no native access) the command runs here and says that its
 * heap is not bounded.
 */
public final class BoundedJvm {

  /**
   * The load's JVM options: a 128 MB heap with the serial collector (what a load holds is bounded
   * by design: chunks, buckets of ids, DuckDB batches); compilation thresholds four times the
   * default (the JIT took 40% of a medium load's CPU compiling code that runs briefly: with them,
   * 8% less CPU at medium, 12% less wall time and 27 MB less RSS at large); DuckDB within 64 MB.
   */
  public static final List<String> OPTIONS =
      List.of(
          "-Xmx128m",
          "-XX:+UseSerialGC",
          "-XX:CompileThresholdScaling=4",
          "-Dentra.warehouse.duckdb-memory=64MB");

  /** The commands that load, and so get the bounded JVM. */
  static final List<String> LOAD_COMMANDS = List.of("run", "restart", "refresh");

  /**
   * Options that choose the heap or the collector: given any, the user chose, and the JVM they
   * started runs the command (with {@link #OPTIONS} before them, some would not start at all:
   * "Initial heap size set to a larger value than the maximum heap size", "Multiple garbage
   * collectors selected").
   */
  private static final List<String> HEAP_OPTIONS =
      List.of(
          "-Xmx",
          "-Xms",
          "-XX:MaxHeapSize=",
          "-XX:InitialHeapSize=",
          "-XX:MinHeapSize=",
          "-XX:MaxRAMPercentage=",
          "-XX:InitialRAMPercentage=",
          "-XX:MinRAMPercentage=",
          "-XX:MaxRAM=");

  private static boolean choosesMemory(String option) {
    return HEAP_OPTIONS.stream().anyMatch(option::startsWith)
        || (option.startsWith("-XX:+Use") && option.endsWith("GC"));
  }

  private BoundedJvm() {}

  /** The C library's execve(2). */
  private interface LibC extends Library {
    int execve(String path, String[] argv, String[] envp);
  }

  /**
   * For a load with no heap bound, replaces this process with the bounded JVM, and returns only if
   * that failed (after saying so). Otherwise returns at once.
   */
  public static void replaceIfUnbounded(String[] args) {
    if (args.length == 0 || !LOAD_COMMANDS.contains(args[0])) {
      return; // before the management beans load: they cost other commands a tenth of a second
    }
    Optional<List<String>> command =
        command(
            args,
            ManagementFactory.getRuntimeMXBean().getInputArguments(),
            System.getenv("JAVA_TOOL_OPTIONS"),
            System.getenv("JDK_JAVA_OPTIONS"),
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            System.getProperty("sun.java.command", ""),
            System.getProperty("java.class.path", ""));
    if (command.isEmpty()) {
      return;
    }
    String why;
    if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows")) {
      why = "Windows has no execve";
    } else {
      String[] envp =
          environment(System.getenv()).entrySet().stream()
              .map(e -> e.getKey() + "=" + e.getValue())
              .toArray(String[]::new);
      System.out.flush();
      System.err.flush();
      try {
        LibC libc = Native.load("c", LibC.class);
        List<String> argv = command.get();
        libc.execve(argv.get(0), argv.toArray(String[]::new), envp);
        why = "execve failed, errno " + Native.getLastError(); // it returns only on failure
      } catch (LinkageError e) {
        why = "no native access: " + e.getMessage();
      }
    }
    System.err.println(
        "warning: this load runs with the JVM's default heap, not a bounded one ("
            + why
            + "); give a heap bound, e.g. java -Xmx128m -XX:+UseSerialGC -jar …, to keep its"
            + " memory low.");
  }

  /**
   * The bounded JVM's environment: this one's, less {@code JAVA_TOOL_OPTIONS} and {@code
   * JDK_JAVA_OPTIONS}, whose options this JVM's input arguments already carry into the command line
   * (twice, a {@code -javaagent} would load twice), and with one malloc arena unless one is set
   * (glibc's per-thread arenas keep freed native memory: DuckDB's, Parquet's buffers).
   */
  static Map<String, String> environment(Map<String, String> current) {
    Map<String, String> env = new TreeMap<>(current);
    env.remove("JAVA_TOOL_OPTIONS");
    env.remove("JDK_JAVA_OPTIONS");
    env.putIfAbsent("MALLOC_ARENA_MAX", "1");
    return env;
  }

  /**
   * The bounded JVM's command line, or empty when the command runs here: not a load, or a heap
   * bound given.
   *
   * @param javaCommand what the JVM was asked to run ({@code sun.java.command}): the jar or main
   *     class, then the arguments
   */
  static Optional<List<String>> command(
      String[] args,
      List<String> jvm,
      String toolOptions,
      String jdkOptions,
      String java,
      String javaCommand,
      String classPath) {
    if (args.length == 0 || !LOAD_COMMANDS.contains(args[0])) {
      return Optional.empty();
    }
    if (bounded(jvm) || bounded(words(toolOptions)) || bounded(words(jdkOptions))) {
      return Optional.empty();
    }
    String main = javaCommand.isBlank() ? "" : javaCommand.strip().split("\\s+", 2)[0];
    if (main.isEmpty()) {
      return Optional.empty(); // started in a way this cannot repeat: run here
    }
    List<String> command = new ArrayList<>();
    command.add(java);
    command.addAll(OPTIONS);
    command.addAll(jvm);
    if (main.endsWith(".jar") && main.equals(classPath)) {
      command.add("-jar");
      command.add(main);
    } else {
      command.add("-cp");
      command.add(classPath);
      command.add(main);
    }
    command.addAll(List.of(args));
    return Optional.of(command);
  }

  private static boolean bounded(List<String> options) {
    return options.stream().anyMatch(BoundedJvm::choosesMemory);
  }

  private static List<String> words(String options) {
    return options == null || options.isBlank()
        ? List.of()
        : List.of(options.strip().split("\\s+"));
  }
}
