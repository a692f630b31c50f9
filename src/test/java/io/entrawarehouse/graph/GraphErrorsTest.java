package io.entrawarehouse.graph;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrawarehouse.warehouse.Entities;
import org.junit.jupiter.api.Test;

/** Status plus Graph's error code to a typed exception whose message names the fix. */
class GraphErrorsTest {

  private static String error(String code, String message) {
    return "{\"error\":{\"code\":\""
        + code
        + "\",\"message\":\""
        + message
        + "\",\"innerError\":{\"date\":\"2026-11-25T00:00:00\",\"request-id\":\"r\"}}}";
  }

  @Test
  void authErrorsNameWhatToFix() {
    GraphException unauthorized =
        GraphErrors.map(
            Reading.of("users"),
            401,
            error("InvalidAuthenticationToken", "Access token validation failure."));
    assertThat(unauthorized)
        .isInstanceOf(GraphException.Auth.class)
        .hasMessageContaining("access token was rejected")
        .hasMessageContaining("Check the tenant id");

    GraphException denied =
        GraphErrors.map(
            Entities.GROUP_MEMBERS.reading(),
            403,
            error(
                "Authorization_RequestDenied",
                "Insufficient privileges to complete the operation."));
    assertThat(denied)
        .isInstanceOf(GraphException.Auth.class)
        .hasMessageContaining("Grant GroupMember.Read.All or Group.Read.All")
        .hasMessageContaining("admin consent");

    GraphException free =
        GraphErrors.map(
            Entities.SIGN_INS.reading(),
            403,
            error(
                "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
                "Neither tenant is B2C or tenant doesn't have premium license"));
    assertThat(free).isInstanceOf(GraphException.Auth.class).hasMessageContaining("P1 or P2");
    assertThat(free.code()).isEqualTo("Authentication_RequestFromNonPremiumTenantOrB2CTenant");
  }

  @Test
  void queryAndServerErrorsAreOtherTypes() {
    assertThat(
            GraphErrors.map(
                Reading.of("users"), 400, error("Request_UnsupportedQuery", "Unsupported")))
        .isInstanceOf(GraphException.Query.class)
        .hasMessage(
            "Graph rejected the query for users: Unsupported (400 Request_UnsupportedQuery).");
    assertThat(
            GraphErrors.map(
                Reading.of("users"), 400, error("Directory_ExpiredPageToken", "expired")))
        .isInstanceOf(GraphException.ExpiredLink.class);
    assertThat(GraphErrors.map(Reading.of("users"), 503, "<html>busy</html>"))
        .isInstanceOf(GraphException.Unavailable.class);
  }

  @Test
  void aBodyThatIsNotGraphsJsonStillMapsByStatus() {
    // A proxy or gateway answers in HTML: no code at all, which no code set may be asked about.
    GraphException denied = GraphErrors.map(Reading.of("users"), 403, "<html>Forbidden</html>");
    assertThat(denied).isInstanceOf(GraphException.Auth.class).hasMessageContaining("Grant ");
    assertThat(denied.code()).isNull();
    assertThat(GraphErrors.isLicence(denied.code())).isFalse();
    assertThat(GraphErrors.map(Reading.of("users"), 400, "bad request"))
        .isInstanceOf(GraphException.Query.class)
        .hasMessage("Graph rejected the query for users: bad request (400).");
  }
}
