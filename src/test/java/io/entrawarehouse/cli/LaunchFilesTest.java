package io.entrawarehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code @file} launches: where they are looked up, and how their lines are split. */
class LaunchFilesTest {

  @TempDir Path elsewhere;
  @TempDir Path home;

  @Test
  void aShippedLaunchIsFoundFromAnyDirectoryWithItsQuotedFilterWhole() {
    // Neither the working directory nor the application's folder has jobs/: the jar's copy.
    List<String> args =
        LaunchFiles.expand(List.of("@jobs/failed-sign-ins.args", "tenant=a"), elsewhere, home);

    assertThat(args)
        .containsExactly(
            "entities=sign_ins", "since=-P7D", "filter.sign_ins=status/errorCode ne 0", "tenant=a");
  }

  @Test
  void theWorkingDirectoryComesFirstThenTheApplicationsFolder() throws Exception {
    Files.createDirectories(home.resolve("jobs"));
    Files.writeString(home.resolve("jobs/nightly.args"), "entities=users # beside the jar\n");
    assertThat(LaunchFiles.expand(List.of("@jobs/nightly.args"), elsewhere, home))
        .containsExactly("entities=users");

    Files.createDirectories(elsewhere.resolve("jobs"));
    Files.writeString(
        elsewhere.resolve("jobs/nightly.args"), "# mine\nentities=devices 'since=-P1D'\n");
    assertThat(LaunchFiles.expand(List.of("@jobs/nightly.args"), elsewhere, home))
        .containsExactly("entities=devices", "since=-P1D");
  }

  @Test
  void aMissingFileSaysFileNotFoundWithEveryPathTried() {
    assertThatThrownBy(() -> LaunchFiles.expand(List.of("@jobs/nighty.args"), elsewhere, home))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Launch file not found: @jobs/nighty.args")
        .hasMessageContaining(elsewhere.resolve("jobs/nighty.args").toString())
        .hasMessageContaining(home.resolve("jobs/nighty.args").toString())
        .hasMessageContaining("shipped in the jar");
  }

  @Test
  void anUnclosedQuoteIsNamed() {
    assertThatThrownBy(() -> LaunchFiles.tokens("filter.users=\"a b\n", "@x"))
        .hasMessageContaining("never closed");
  }
}
