package io.entrawarehouse.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Set;

/**
 * The one place where an HTTP status plus Graph's error code becomes a typed, actionable {@link
 * GraphException}. Branches on {@code error.code}, never on the message text.
 */
public final class GraphErrors {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Graph's codes for a feature the tenant's licence does not include, on a 400 or a 403. An
   * immutable set, so {@code contains(null)} throws: ask {@link #isLicence}.
   */
  private static final Set<String> LICENCE_CODES =
      Set.of("Authentication_RequestFromNonPremiumTenantOrB2CTenant", "AadPremiumLicenseRequired");

  /**
   * Graph's codes for a page link it will not follow: expired, or made by a retried request
   * (paging.md, "DirectoryPageTokenNotFoundException"). The collection is read again from its first
   * page.
   */
  private static final Set<String> PAGE_TOKEN_CODES =
      Set.of("Directory_ExpiredPageToken", "DirectoryPageTokenNotFoundException");

  private GraphErrors() {}

  /** Whether Graph's error code (null when the body was not Graph's JSON) names a licence. */
  public static boolean isLicence(String code) {
    return code != null && LICENCE_CODES.contains(code);
  }

  /**
   * @param reading what was being read, with the permission and licence that reading needs
   * @param status the HTTP status
   * @param body the response body, Graph's error JSON when it is one
   */
  public static GraphException map(Reading reading, int status, String body) {
    String what = reading.what();
    String code = null;
    String message = body;
    try {
      JsonNode error = JSON.readTree(body).path("error");
      code = error.path("code").asText(null);
      message = error.path("message").asText(body);
    } catch (Exception notJson) {
      // keep the raw body as the message
    }
    String graphSays =
        "Graph answered " + status + (code == null ? "" : " " + code) + ": " + message;
    if (status == 401) {
      return new GraphException.Auth(
          "Reading "
              + what
              + " was refused: the access token was rejected ("
              + graphSays
              + "). Check the tenant id and that the app registration belongs to that tenant.",
          status,
          code);
    }
    if (isLicence(code)) {
      // Any status: PIM answers 400 AadPremiumLicenseRequired, sign-ins 403 (the register).
      return new GraphException.Auth(
          "Reading "
              + what
              + " needs Entra ID "
              + licence(reading)
              + " in the tenant ("
              + graphSays
              + "). Leave "
              + what
              + " out of the entities or license the tenant.",
          status,
          code,
          true);
    }
    if (status == 403) {
      return new GraphException.Auth(
          "Reading "
              + what
              + " was denied: the app lacks an application permission ("
              + graphSays
              + "). Grant "
              + reading.permission()
              + " to the app and grant admin consent.",
          status,
          code);
    }
    if (status == 410 || "syncStateNotFound".equals(code) || "resyncRequired".equals(code)) {
      return new GraphException.Resync(
          "Graph no longer honours the stored delta token for " + what + " (" + graphSays + ").",
          status,
          code);
    }
    if (code != null && PAGE_TOKEN_CODES.contains(code)) {
      return new GraphException.ExpiredLink(
          "Graph will not follow the page link for " + what + " (" + graphSays + ").",
          status,
          code);
    }
    if (status == 400 || status == 404 || status == 501) {
      return new GraphException.Query(
          "Graph rejected the query for "
              + what
              + ": "
              + message
              + " ("
              + status
              + (code == null ? "" : " " + code)
              + ").",
          status,
          code);
    }
    return new GraphException.Unavailable(
        "Reading " + what + " failed: " + graphSays, status, code);
  }

  /** The licence a reading needs, as Microsoft sells it. */
  private static String licence(Reading reading) {
    String licence = reading.licence();
    return licence == null || licence.equals("P1") ? "P1 or P2" : licence;
  }
}
