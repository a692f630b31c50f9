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

  /**
   * What a command that failed with {@code e} prints and exits with: its own line and code for a
   * CommandException; busy (3) when another process holds the job repository; bad input (2) for an
   * argument refused; else failed (1).
   */
  public static CommandException of(Exception e) {
    if (e instanceof CommandException c) {
      return c;
    }
    String busy = SpringBootstrap.repositoryBusy(e);
    if (busy != null) {
      return new CommandException(LoadCommands.BUSY, busy, e);
    }
    return new CommandException(
        e instanceof IllegalArgumentException ? LoadCommands.BAD_INPUT : LoadCommands.FAILED,
        String.valueOf(e.getMessage()),
        e);
  }
}
