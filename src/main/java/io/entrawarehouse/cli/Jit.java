package io.entrawarehouse.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The JIT of a short-lived command. HotSpot's C2 compiler spends about a second of CPU, on two
 * cores, optimising the class loading of a command that is over in another second; C1's code is
 * fast enough for it. A process cannot change {@code -XX:TieredStopAtLevel} once started, but a
 * compiler directive, added as {@code jcmd Compiler.directives_add} would add it, excludes every
 * method from C2 from then on.
 */
public final class Jit {

  private static final String C1_ONLY = "[{ match: \"*.*\", c2: { Exclude: true } }]";

  private Jit() {}

  /**
   * Excludes every method from C2 for the rest of this JVM's life. Call it only from {@code main}
   * of a process that ends soon; does nothing where the JVM does not offer the directive.
   */
  public static void interpretAndC1Only() {
    try {
      Path directives = Files.createTempFile("entra-warehouse-jit", ".json");
      try {
        Files.writeString(directives, C1_ONLY, StandardCharsets.UTF_8);
        // Through reflection and the platform loader: a javax.* class named in this class's code
        // would be looked up by the executable jar's loader, which opens every nested jar for it.
        ClassLoader platform = ClassLoader.getPlatformClassLoader();
        Class<?> objectName = Class.forName("javax.management.ObjectName", true, platform);
        Object server = ManagementFactory.class.getMethod("getPlatformMBeanServer").invoke(null);
        Method invoke =
            Class.forName("javax.management.MBeanServerConnection", true, platform)
                .getMethod("invoke", objectName, String.class, Object[].class, String[].class);
        invoke.invoke(
            server,
            objectName
                .getConstructor(String.class)
                .newInstance("com.sun.management:type=DiagnosticCommand"),
            "compilerDirectivesAdd",
            new Object[] {new String[] {directives.toString()}},
            new String[] {String[].class.getName()});
      } finally {
        Files.deleteIfExists(directives);
      }
    } catch (IOException | ReflectiveOperationException | RuntimeException e) {
      // Another JVM, or no temporary directory: the command runs as fast as the default JIT lets
      // it.
    }
  }
}
