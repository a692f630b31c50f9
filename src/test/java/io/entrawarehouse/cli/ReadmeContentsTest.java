package io.entrawarehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrawarehouse.warehouse.Entities;
import io.entrawarehouse.warehouse.Entity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The README's table of contents matches its headings; describe prints every table's columns. */
class ReadmeContentsTest {

  @Test
  void theTableOfContentsListsEveryHeadingWithItsAnchor() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    StringBuilder toc = new StringBuilder();
    boolean code = false;
    for (String line : readme.split("\n")) {
      code ^= line.startsWith("```");
      if (code || !(line.startsWith("## ") || line.startsWith("### "))) {
        continue;
      }
      boolean sub = line.startsWith("### ");
      String title = line.substring(sub ? 4 : 3).strip();
      toc.append(sub ? "  - " : "- ")
          .append('[')
          .append(title)
          .append("](#")
          .append(anchor(title))
          .append(")\n");
    }
    assertThat(readme)
        .as("the README's contents (regenerate them from its headings)")
        .contains("<!-- contents -->\n" + toc + "<!-- end -->");
  }

  /** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
  static String anchor(String title) {
    return title.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
  }

  @Test
  void describePrintsEachTablesColumnsInTheirOrder() {
    Cli cli = new Cli();
    for (Entity e : Entities.tables().values()) {
      Cli.Run r = cli.run("describe", e.name());
      assertThat(r.exit()).as(r.all()).isZero();
      List<String> printed =
          r.out()
              .lines()
              .dropWhile(l -> !l.strip().startsWith("column "))
              .skip(1)
              .map(l -> l.strip().split("\\s+")[0])
              .toList();
      assertThat(printed).as(e.name()).isEqualTo(e.allColumns());
    }
    Cli.Run list = cli.run("describe");
    assertThat(list.out().lines().skip(1).map(l -> l.split("\\s+")[0]).toList())
        .containsExactlyInAnyOrderElementsOf(
            Entities.tables().values().stream().map(Entity::name).toList());
    assertThat(cli.run("describe", "userz").exit()).isEqualTo(2);
  }
}
