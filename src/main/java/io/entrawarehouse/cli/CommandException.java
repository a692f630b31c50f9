package io.entrawarehouse.cli;

/**
 * A command that cannot go on, with the one line to print and its exit code ({@link
 * LoadCommands#BAD_INPUT} for a setting to fix, {@link LoadCommands#FAILED} for a store that
 * failed).
 */
public final class CommandException extends RuntimeException {

  private final int exitCode;

  CommandException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
