package io.entrawarehouse.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The simulator's items against Microsoft's documented examples (src/test/resources/graph-samples,
 * whose README says where each came from), field for field: the same property names and, where both
 * sides are not null, the same JSON types, recursively.
 */
class PayloadShapeTest {

  static GraphSimulator simulator;
  static SimHttp http;

  @BeforeAll
  static void start() {
    simulator =
        GraphSimulator.start(
            SimulatorSettings.builder().scale(TenantScale.SMALL).throttling(false).build());
    http = new SimHttp(simulator);
  }

  @AfterAll
  static void stop() {
    simulator.close();
  }

  static JsonNode sample(String name) throws IOException {
    try (InputStream in = PayloadShapeTest.class.getResourceAsStream("/graph-samples/" + name)) {
      if (in == null) {
        throw new IOException("missing test resource graph-samples/" + name);
      }
      return SimHttp.JSON.readTree(in);
    }
  }

  @Test
  void usersWithoutSelectHaveExactlyTheElevenDefaultProperties() throws Exception {
    JsonNode sample = sample("user.json");
    List<JsonNode> users = http.get("/users?$top=999").value();
    assertThat(users).hasSize(999);
    for (JsonNode user : users) {
      assertThat(names(user)).containsExactlyElementsOf(namesWithoutContext(sample));
      assertSameShape(sample, user, "user", true);
    }
  }

  @Test
  void usersWithSignInActivityMatchTheDocumentedExample() throws Exception {
    JsonNode sample = sample("user-with-signinactivity.json");
    SimHttp.Reply reply =
        http.get("/users?$select=displayName,userPrincipalName,signInActivity&$top=500");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.json().get("@odata.context").asText())
        .endsWith("$metadata#users(displayName,userPrincipalName,signInActivity)");
    for (JsonNode user : reply.value()) {
      assertThat(names(user)).containsExactlyElementsOf(namesWithoutContext(sample));
      assertSameShape(sample, user, "user", true);
    }
  }

  @Test
  void groupsMatchTheDocumentedExample() throws Exception {
    assertAllMatch("group.json", http.all("/groups?$top=999"), true, 200);
  }

  @Test
  void devicesCarryEveryDocumentedExampleField() throws Exception {
    // The sample is a create response; GET /devices returns more properties, so it is a subset.
    assertAllMatch("device.json", http.all("/devices?$top=999"), false, 800);
  }

  @Test
  void signInsMatchTheDocumentedExample() throws Exception {
    List<JsonNode> signIns = http.get("/auditLogs/signIns").value();
    assertAllMatch("signIn.json", signIns, true, 1000);
  }

  @Test
  void directoryAuditsMatchTheDocumentedExample() throws Exception {
    List<JsonNode> audits = http.all("/auditLogs/directoryAudits?$top=999");
    assertAllMatch("directoryAudit.json", audits, true, 1000);
  }

  @Test
  void errorsHaveGraphsDocumentedShape() throws Exception {
    JsonNode sample = sample("error-samples.json").get("403_Authorization_RequestDenied");
    SimHttp.Reply reply = http.get("/users?$filter=" + SimHttp.q("nosuch eq 1"));
    assertThat(reply.status()).isEqualTo(400);
    assertSameShape(sample, reply.json(), "error", true);
    assertThat(reply.json().at("/error/innerError/request-id").asText())
        .isEqualTo(reply.header("request-id"));
  }

  private static void assertAllMatch(
      String sampleName, List<JsonNode> items, boolean exactKeys, int expected) throws IOException {
    JsonNode sample = sample(sampleName);
    assertThat(items).hasSize(expected);
    Set<String> seenNonEmptyArrays = new HashSet<>();
    for (JsonNode item : items) {
      assertSameShape(sample, item, sampleName, exactKeys);
      collectNonEmptyArrays(item, "", seenNonEmptyArrays);
    }
    // Every array that is non-empty in the sample is non-empty in some item, so its element shape
    // was really compared above.
    Set<String> sampleArrays = new HashSet<>();
    collectNonEmptyArrays(sample, "", sampleArrays);
    assertThat(seenNonEmptyArrays).containsAll(sampleArrays);
  }

  static void assertSameShape(JsonNode sample, JsonNode actual, String path, boolean exactKeys) {
    if (sample.isObject()) {
      assertThat(actual.isObject()).as(path + " is an object").isTrue();
      List<String> expected = namesWithoutContext(sample);
      if (exactKeys) {
        assertThat(new HashSet<>(names(actual)))
            .as(path + " properties")
            .isEqualTo(new HashSet<>(expected));
      } else {
        assertThat(names(actual)).as(path + " properties").containsAll(expected);
      }
      for (String name : expected) {
        JsonNode s = sample.get(name);
        JsonNode a = actual.get(name);
        if (s.isNull() || a.isNull()) {
          continue;
        }
        assertThat(a.getNodeType()).as(path + "." + name + " type").isEqualTo(s.getNodeType());
        if (s.isObject()) {
          assertSameShape(s, a, path + "." + name, true);
        } else if (s.isArray() && s.size() > 0) {
          for (JsonNode element : a) {
            assertSameShape(s.get(0), element, path + "." + name + "[]", true);
          }
        }
      }
    } else if (!sample.isNull() && !actual.isNull()) {
      assertThat(actual.getNodeType()).as(path + " type").isEqualTo(sample.getNodeType());
    }
  }

  private static void collectNonEmptyArrays(JsonNode node, String path, Set<String> out) {
    if (node.isObject()) {
      node.fields()
          .forEachRemaining(e -> collectNonEmptyArrays(e.getValue(), path + "/" + e.getKey(), out));
    } else if (node.isArray() && node.size() > 0) {
      out.add(path);
      node.forEach(element -> collectNonEmptyArrays(element, path + "[]", out));
    }
  }

  static List<String> names(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  static List<String> namesWithoutContext(JsonNode node) {
    List<String> names = new ArrayList<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!name.equals("@odata.context")) {
        names.add(name);
      }
    }
    return names;
  }
}
