package io.entrawarehouse.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The register is whole: every row names a source and two tests that exist, and the README's
 * "Conformance register" section has a line for each row.
 */
class ConformanceRegisterTest {

  @Test
  void everyRowHasItsSourceItsTwoTestsAndItsReadmeLine() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    String section = readme.substring(readme.indexOf("### Conformance register"));
    for (Conformance row : Conformance.values()) {
      assertThat(row.source()).as(row.name()).isNotBlank();
      for (String test : new String[] {row.simulatorTest(), row.productTest()}) {
        assertThat(exists(test)).as(row.name() + ": " + test).isTrue();
      }
      assertThat(section).as("README row of " + row.name()).contains("`" + row.name() + "`");
    }
  }

  private static boolean exists(String test) {
    String[] parts = test.split("#");
    try {
      Class<?> type = Class.forName("io.entrawarehouse." + parts[0]);
      return Arrays.stream(type.getDeclaredMethods())
          .map(Method::getName)
          .anyMatch(parts[1]::equals);
    } catch (ClassNotFoundException e) {
      return false;
    }
  }
}
