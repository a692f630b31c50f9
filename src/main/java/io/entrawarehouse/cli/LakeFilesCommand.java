package io.entrawarehouse.cli;

import io.entrawarehouse.job.DirectoryLoadLauncher;
import io.entrawarehouse.warehouse.Entities;
import io.entrawarehouse.warehouse.Entity;
import io.entrawarehouse.write.iceberg.IcebergLake;
import io.entrawarehouse.write.iceberg.LakeFiles;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.iceberg.Table;
import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code lake-files}: the data files of each table's current snapshot, for reading the lake with no
 * catalog (DuckDB, pandas, Polars), as views or as a list of paths.
 */
@Command(
    name = "lake-files",
    mixinStandardHelpOptions = true,
    description = {
      "Prints the data files of each table's current snapshot in the lake: the catalog-free way to"
          + " read it exactly. Globbing a table's folder (read_parquet('…/data/**/*.parquet'))"
          + " also reads the files of older snapshots, kept for time travel, and counts rows twice.",
      "--format sql (default): a DuckDB script of one view per table over its files, e.g."
          + " lake-files > lake.sql, then duckdb -c '.read lake.sql' -c 'SELECT count(*) FROM"
          + " users'. --format paths: one file per line, for pandas or Polars.",
      "The files stay readable while the snapshot is retained (entra.warehouse.snapshot-retention,"
          + " 30 days by default); print them again after the next load."
    })
public final class LakeFilesCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(
      paramLabel = "TABLE",
      arity = "0..*",
      description = "Tables to print (default: every table the lake holds).")
  List<String> tables = new ArrayList<>();

  @Option(names = "--tenant", description = "Only this tenant's files (its id).")
  String tenant;

  @Option(names = "--format", description = "sql (default) or paths.", defaultValue = "sql")
  String format;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!format.equals("sql") && !format.equals("paths")) {
      err.println("lake-files: --format must be sql or paths, got '" + format + "'.");
      err.flush();
      return LoadCommands.BAD_INPUT;
    }
    Map<String, Entity> known = Entities.tables();
    for (String t : tables) {
      if (!known.containsKey(t)) {
        err.println("lake-files: " + LoadCommands.unknownTable(t));
        err.flush();
        return LoadCommands.BAD_INPUT;
      }
    }
    try (ConfigurableApplicationContext spring = SpringBootstrap.spring(err);
        IcebergLake lake = spring.getBean(DirectoryLoadLauncher.class).lake()) {
      // Every table the lake holds, or the ones named (a named one it lacks says so).
      Collection<Entity> chosen =
          tables.isEmpty() ? known.values() : tables.stream().map(known::get).toList();
      if (format.equals("sql")) {
        out.println(
            "-- The current snapshot of each table of "
                + lake.location()
                + (tenant == null ? "" : ", tenant " + tenant)
                + ": run it in DuckDB (.read), then query the views.");
      }
      for (Entity entity : chosen) {
        boolean exists = lake.exists(entity);
        if (!exists && tables.isEmpty()) {
          continue;
        }
        List<String> files = List.of();
        if (exists) {
          Table table = lake.table(entity);
          files = LakeFiles.forDuckDb(IcebergLake.files(table, entity, tenant, null, null, false));
        }
        if (format.equals("paths")) {
          files.forEach(out::println);
          continue;
        }
        String select = LakeFiles.readParquet(entity, files);
        out.println(
            select == null
                ? "-- " + entity.name() + ": no rows in the lake yet"
                : "CREATE OR REPLACE VIEW " + entity.name() + " AS " + select + ";");
      }
      out.flush();
    }
    return LoadCommands.OK;
  }
}
