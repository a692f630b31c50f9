package io.entrawarehouse.simulator;

import java.util.LinkedHashMap;
import java.util.Map;

/** An error response in Graph's documented shape: an HTTP status plus {@code error.code}. */
final class GraphError extends RuntimeException {
  final int status;
  final String code;
  final Map<String, String> headers = new LinkedHashMap<>();

  GraphError(int status, String code, String message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  GraphError header(String name, String value) {
    headers.put(name, value);
    return this;
  }

  static GraphError badRequest(String message) {
    return new GraphError(400, "BadRequest", message);
  }

  static GraphError unsupportedQuery(String message) {
    return new GraphError(400, "Request_UnsupportedQuery", message);
  }

  static GraphError invalidFilter() {
    return new GraphError(400, "BadRequest", "Invalid filter clause");
  }

  static GraphError advancedQueryRequired(String operator) {
    return unsupportedQuery(
        "Operator '"
            + operator
            + "' is not supported because the required parameters might be missing. Try adding"
            + " $count=true query parameter and ConsistencyLevel:eventual header. Refer to"
            + " https://aka.ms/graph-docs/advanced-queries for more information");
  }

  static GraphError notIndexed(String property, String resource) {
    return unsupportedQuery(
        "Unsupported or invalid query filter clause specified for property '"
            + property
            + "' of resource '"
            + resource
            + "'.");
  }

  static GraphError notFound(String id) {
    return new GraphError(
        404,
        "Request_ResourceNotFound",
        "Resource '"
            + id
            + "' does not exist or one of its queried reference-property objects are not present.");
  }

  static GraphError accessDenied() {
    return new GraphError(
        403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
  }

  static GraphError invalidToken(String message) {
    return new GraphError(401, "InvalidAuthenticationToken", message);
  }
}
