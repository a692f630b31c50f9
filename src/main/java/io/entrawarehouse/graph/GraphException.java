package io.entrawarehouse.graph;

/**
 * A Graph or Entra ID failure, mapped from an HTTP status and Graph's {@code error.code} by {@link
 * GraphErrors}. The subclasses tell the job how to react: auth and query errors fail at once,
 * unavailability only after the retries are spent, an expired link falls back to the first page.
 * Messages name what to fix and never contain a secret or a token.
 */
public class GraphException extends RuntimeException {
  private final int status;
  private final String code;

  public GraphException(String message, int status, String code) {
    super(message);
    this.status = status;
    this.code = code;
  }

  public GraphException(String message, Throwable cause) {
    super(message, cause);
    this.status = 0;
    this.code = null;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  /** Wrong or expired credentials, unknown app or tenant, a missing permission: not retried. */
  public static class Auth extends GraphException {
    private final boolean denied;

    public Auth(String message, int status, String code) {
      this(message, status, code, status == 403);
    }

    /**
     * @param denied whether Graph refuses this one resource to an app it knows (a permission not
     *     granted, a licence the tenant lacks, whatever the status), not the app itself: the table
     *     is left as it was and the rest of the load goes on
     */
    public Auth(String message, int status, String code, boolean denied) {
      super(message, status, code);
      this.denied = denied;
    }

    public boolean denied() {
      return denied;
    }
  }

  /** Graph refused the query ($filter, $select, $top): not retried. */
  public static class Query extends GraphException {
    public Query(String message, int status, String code) {
      super(message, status, code);
    }

    /** The same refusal, with what the caller knows of the query's origin and how to fix it. */
    public Query withHint(String hint) {
      Query hinted = new Query(getMessage() + " " + hint, status(), code());
      hinted.setStackTrace(getStackTrace());
      return hinted;
    }
  }

  /** A saved nextLink Graph no longer accepts (Directory_ExpiredPageToken). */
  public static class ExpiredLink extends GraphException {
    public ExpiredLink(String message, int status, String code) {
      super(message, status, code);
    }
  }

  /**
   * A delta token Graph no longer honours (410 Gone, {@code syncStateNotFound}, {@code
   * resyncRequired}): the entity must be read again in full.
   */
  public static class Resync extends GraphException {
    public Resync(String message, int status, String code) {
      super(message, status, code);
    }
  }

  /** Throttling, 5xx or network failures that outlasted every retry. */
  public static class Unavailable extends GraphException {
    public Unavailable(String message, Throwable cause) {
      super(message, cause);
    }

    public Unavailable(String message, int status, String code) {
      super(message, status, code);
    }
  }

  /**
   * A report page Graph did not answer within {@code entra.graph.reports-timeout}: asked again as
   * it was, it would most likely time out again, so the reader asks for smaller pages.
   */
  public static class SlowPage extends Unavailable {
    public SlowPage(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
