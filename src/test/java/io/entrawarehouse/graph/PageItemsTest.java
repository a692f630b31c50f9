package io.entrawarehouse.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PageItemsTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void eachItemIsTheTreeGraphSentWhateverItsBytes() throws IOException {
    // given a page whose items hold multi-byte characters, escapes, nesting and arrays, between
    // the links Graph puts before and after the values
    String[] items = {
      "{\"id\":\"1\",\"displayName\":\"Zoë Øster 東京\",\"tags\":[\"a\",{\"b\":[1,2.5,null]}]}",
      "{\"id\":\"2\",\"displayName\":\"quote \\\" and \\\\ and \\u00e9\",\"x\":{}}",
      "{\"id\":\"3\",\"emoji\":\"\uD83D\uDE00\",\"ok\":true,\"n\":-12}"
    };
    String body =
        "{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#users\","
            + "\"@odata.count\":3,\"value\":[ "
            + String.join(" ,\n", items)
            + " ],\"@odata.nextLink\":\"https://graph.microsoft.com/v1.0/users?$skiptoken=X\"}";

    // when it is parsed
    GraphPage page = GraphClient.parse(body.getBytes(StandardCharsets.UTF_8));

    // then each item equals what a whole-page parse gives, and the links and count are read
    List<JsonNode> expected = new ArrayList<>();
    JSON.readTree(body).path("value").forEach(expected::add);
    assertThat(page.items()).containsExactlyElementsOf(expected);
    assertThat(page.items().get(0).path("displayName").asText()).isEqualTo("Zoë Øster 東京");
    assertThat(page.nextLink()).isEqualTo("https://graph.microsoft.com/v1.0/users?$skiptoken=X");
    assertThat(page.count()).isEqualTo(3L);
  }

  @Test
  void aTruncatedOrMalformedPageFailsWhereItIsFetchedNotItemByItemLater() {
    String whole = "{\"value\":[{\"id\":\"1\"},{\"id\":\"2\",\"a\":[1,2]}]}";
    for (String broken :
        List.of(
            whole.substring(0, whole.length() - 9),
            whole.replace("[1,2]", "[1,}"),
            "[{\"id\":\"1\"}]")) {
      assertThatThrownBy(() -> GraphClient.parse(broken.getBytes(StandardCharsets.UTF_8)))
          .as(broken)
          .isInstanceOf(IOException.class);
    }
  }
}
