package io.entrawarehouse.simulator;

import java.util.Arrays;
import java.util.Locale;

/**
 * One injected fault: a kind, the endpoint it hits ("*" for all), and when: on the n-th page
 * request of that endpoint (once), or at a rate. Parsed from {@code KIND:ENDPOINT:nth=N} or {@code
 * KIND:ENDPOINT:rate=R}, for example {@code 503:users:nth=7}.
 */
public record FaultRule(Kind kind, String endpoint, long nth, double rate) {

  /** How the values {@link Kind#SECRETS_MALFORMED} puts in credentials begin. */
  public static final String SECRET_CANARY = "leak-canary-credential-";

  /** What the fault does to the response. */
  public enum Kind {
    SERVICE_UNAVAILABLE("503"),
    SERVICE_UNAVAILABLE_RETRY_AFTER("503+retry-after"),
    GATEWAY_TIMEOUT("504"),
    GATEWAY_TIMEOUT_RETRY_AFTER("504+retry-after"),
    THROTTLED("429"),
    THROTTLED_NO_RETRY_AFTER("429-no-retry-after"),
    CONNECTION_RESET("reset"),
    TRUNCATED_BODY("truncate"),
    MALFORMED_ITEM("malformed"),
    /**
     * Every credential on the page carries a value where Graph sends null or a hint ({@code
     * secretText}, {@code hint}, a certificate's {@code key}: {@link #SECRET_CANARY} and its
     * keyId), and the first item is malformed: for tests that no secret reaches any file.
     */
    SECRETS_MALFORMED("malformed+secrets"),
    /** The page's nextLink is the page's own link: a paging cycle (Conformance.NEXTLINK_CYCLE). */
    CYCLE("cycle"),
    /**
     * A page after the first answers 400 DirectoryPageTokenNotFoundException (Conformance
     * .PAGE_TOKEN_ERRORS).
     */
    PAGE_TOKEN("page-token"),
    /**
     * 404 Request_ResourceNotFound: the object the request names was deleted meanwhile (a group
     * whose members are being read).
     */
    NOT_FOUND("404"),
    /**
     * 403 Authentication_RequestFromNonPremiumTenantOrB2CTenant although the tenant is licensed
     * (Conformance.INTERMITTENT_LICENCE_REFUSAL).
     */
    LICENCE_REFUSED("403-licence"),
    /**
     * A page asking for more than {@link GraphSimulator#SLOW_ABOVE} items answers only after {@link
     * GraphSimulator#SLOW_PAGE}: sign-in pages of 1,000 on a tenant with many conditional access
     * policies (Conformance.SLOW_REPORT_PAGES). Smaller pages answer at once.
     */
    SLOW_PAGE("slow");

    private final String label;

    Kind(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }

    static Kind of(String label) {
      for (Kind k : values()) {
        if (k.label.equalsIgnoreCase(label)) {
          return k;
        }
      }
      throw new IllegalArgumentException(
          "unknown fault kind '"
              + label
              + "': use one of "
              + Arrays.stream(values()).map(Kind::label).toList());
    }
  }

  public FaultRule {
    if ((nth > 0) == (rate > 0)) {
      throw new IllegalArgumentException("a fault needs exactly one of nth >= 1 or 0 < rate <= 1");
    }
    if (rate > 1) {
      throw new IllegalArgumentException("fault rate must be at most 1, got " + rate);
    }
  }

  public static FaultRule parse(String spec) {
    String[] parts = spec.split(":");
    if (parts.length != 3) {
      throw new IllegalArgumentException(
          "fault '" + spec + "' must look like KIND:ENDPOINT:nth=N or KIND:ENDPOINT:rate=R");
    }
    Kind kind = Kind.of(parts[0]);
    String when = parts[2].toLowerCase(Locale.ROOT);
    try {
      if (when.startsWith("nth=")) {
        return new FaultRule(kind, parts[1], Long.parseLong(when.substring(4)), 0);
      }
      if (when.startsWith("rate=")) {
        return new FaultRule(kind, parts[1], 0, Double.parseDouble(when.substring(5)));
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "fault '" + spec + "': '" + parts[2] + "' is not a number");
    }
    throw new IllegalArgumentException(
        "fault '" + spec + "': the last part must be nth=N or rate=R");
  }

  boolean appliesTo(String endpointName) {
    return endpoint.equals("*") || endpoint.equalsIgnoreCase(endpointName);
  }
}
