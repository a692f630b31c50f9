package io.entrawarehouse.cli;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Named launches: an argument {@code @file} stands for the parameters in that file, one or more per
 * line, separated by white space; quotes group a value with spaces and {@code #} starts a comment.
 * A relative name is looked up in the working directory, then beside the application (the folder of
 * its jar, or the image's extracted folder), then among the launches shipped in the jar ({@code
 * jobs/}), so {@code @jobs/nightly.args} works from any directory.
 */
final class LaunchFiles {

  private LaunchFiles() {}

  /** The arguments with each {@code @file} replaced by its parameters. */
  static List<String> expand(List<String> args) {
    return expand(args, Path.of("").toAbsolutePath(), applicationHome());
  }

  /**
   * The same, with relative names looked up in {@code workingDirectory}, then {@code home} (when
   * not null), then the jar.
   */
  static List<String> expand(List<String> args, Path workingDirectory, Path home) {
    List<String> expanded = new ArrayList<>();
    for (String arg : args) {
      if (arg.startsWith("@") && arg.length() > 1) {
        expanded.addAll(tokens(read(arg.substring(1), workingDirectory, home), arg));
      } else {
        expanded.add(arg);
      }
    }
    return expanded;
  }

  private static String read(String name, Path workingDirectory, Path home) {
    Path given = Path.of(name);
    List<Path> tried = new ArrayList<>();
    tried.add(workingDirectory.resolve(given));
    if (!given.isAbsolute() && home != null) {
      tried.add(home.resolve(given));
    }
    for (Path candidate : tried) {
      if (Files.isRegularFile(candidate)) {
        try {
          return Files.readString(candidate, StandardCharsets.UTF_8);
        } catch (IOException e) {
          throw new UncheckedIOException(
              "Cannot read the launch file " + candidate + ": " + e.getMessage(), e);
        }
      }
    }
    String shipped = given.isAbsolute() ? null : given.normalize().toString().replace('\\', '/');
    if (shipped != null && shipped.startsWith("jobs/")) {
      try (InputStream in = LaunchFiles.class.getResourceAsStream("/" + shipped)) {
        if (in != null) {
          return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    throw new IllegalArgumentException(
        "Launch file not found: @"
            + name
            + " (looked for "
            + String.join(", ", tried.stream().map(Path::toString).toList())
            + (shipped != null && shipped.startsWith("jobs/")
                ? " and among the launches shipped in the jar"
                : "")
            + ").");
  }

  /**
   * The folder of the application: the jar's folder, or the folder on the class path when it runs
   * extracted (the container image). Null when it cannot be told.
   */
  static Path applicationHome() {
    String classPath = System.getProperty("java.class.path", "");
    String first = classPath.split(File.pathSeparator, 2)[0];
    if (first.isBlank()) {
      return null;
    }
    Path path = Path.of(first).toAbsolutePath();
    return Files.isDirectory(path) ? path : path.getParent();
  }

  /** Splits a launch file like a shell would: white space, quotes, comments. */
  static List<String> tokens(String text, String source) {
    List<String> tokens = new ArrayList<>();
    StringBuilder token = null;
    char quote = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else {
          token.append(c);
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
        token = token == null ? new StringBuilder() : token;
      } else if (Character.isWhitespace(c)) {
        if (token != null) {
          tokens.add(token.toString());
          token = null;
        }
      } else if (c == '#' && token == null) {
        while (i < text.length() && text.charAt(i) != '\n') {
          i++;
        }
      } else {
        token = token == null ? new StringBuilder() : token;
        token.append(c);
      }
    }
    if (quote != 0) {
      throw new IllegalArgumentException(
          "The launch file " + source + " has a quote (" + quote + ") that is never closed.");
    }
    if (token != null) {
      tokens.add(token.toString());
    }
    return tokens;
  }
}
