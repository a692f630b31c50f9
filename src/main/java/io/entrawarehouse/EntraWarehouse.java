package io.entrawarehouse;

import io.entrawarehouse.cli.SimulatorCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The command line: {@code java -jar entra-warehouse.jar <command> [options]}. */
@Command(
    name = "entra-warehouse",
    mixinStandardHelpOptions = true,
    subcommands = {SimulatorCommand.class},
    description = "Loads a Microsoft Entra ID tenant into Parquet files and DuckDB tables.")
public final class EntraWarehouse implements Runnable {

  public static void main(String[] args) {
    CommandLine cli = new CommandLine(new EntraWarehouse());
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          commandLine.getErr().println("error: " + e.getMessage());
          return 2;
        });
    int code = cli.execute(args);
    System.exit(code);
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
