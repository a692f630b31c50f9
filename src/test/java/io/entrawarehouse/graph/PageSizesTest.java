package io.entrawarehouse.graph;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How a report collection's page size shrinks after slow pages and grows back after fast ones. */
class PageSizesTest {

  private static final String FIRST = "https://graph/v1.0/auditLogs/signIns?$filter=x&$top=1000";

  @Test
  void halvesDownToTheFloorThenRefuses() {
    PageSizes sizes = new PageSizes();
    assertThat(sizes.shrink("sign-ins", FIRST)).isEqualTo(500);
    assertThat(sizes.shrink("sign-ins", PageSizes.withTop(FIRST, 500))).isEqualTo(250);
    assertThat(sizes.shrink("sign-ins", PageSizes.withTop(FIRST, 100))).isEqualTo(50);
    assertThat(sizes.shrink("sign-ins", PageSizes.withTop(FIRST, 50))).isEqualTo(-1);
    assertThat(sizes.shrink("sign-ins", "https://graph/v1.0/auditLogs/signIns")).isEqualTo(-1);
    assertThat(sizes.apply("sign-ins", FIRST)).endsWith("$top=50");
    assertThat(sizes.apply("audits", FIRST)).isEqualTo(FIRST);
  }

  @Test
  void growsBackAfterPagesInTimeButNotToASizeThatJustTimedOut() {
    long[] now = {0};
    PageSizes sizes = new PageSizes(() -> now[0]);
    sizes.shrink("sign-ins", FIRST);
    sizes.shrink("sign-ins", PageSizes.withTop(FIRST, 500));
    answer(sizes, PageSizes.GROW_AFTER * 3);
    assertThat(sizes.current("sign-ins")).as("500 timed out a moment ago").isEqualTo(250);

    now[0] += PageSizes.RETRY_SLOW_AFTER.toNanos();
    answer(sizes, PageSizes.GROW_AFTER - 1);
    assertThat(sizes.current("sign-ins")).isEqualTo(250);
    answer(sizes, 1);
    assertThat(sizes.current("sign-ins")).isEqualTo(500);
    answer(sizes, PageSizes.GROW_AFTER);
    assertThat(sizes.current("sign-ins")).as("back to the size asked for").isEqualTo(-1);
    assertThat(sizes.apply("sign-ins", FIRST)).isEqualTo(FIRST);
  }

  private static void answer(PageSizes sizes, int pages) {
    for (int i = 0; i < pages; i++) {
      sizes.answered("sign-ins");
    }
  }

  @Test
  void anEncodedTopIsFoundAndKeptEncoded() {
    String encoded = "https://graph/v1.0/auditLogs/signIns?%24top=1000&%24skiptoken=a";
    assertThat(PageSizes.top(encoded)).isEqualTo(1000);
    assertThat(PageSizes.withTop(encoded, 500))
        .isEqualTo("https://graph/v1.0/auditLogs/signIns?%24top=500&%24skiptoken=a");
  }
}
