package io.entrawarehouse.write.parquet;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.parquet.HadoopReadOptions;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.conf.HadoopParquetConfiguration;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.InputFile;

/**
 * The Hadoop settings every Parquet file is written and read with, loaded once.
 *
 * <p>A {@code new Configuration()} parses Hadoop's default resources (core-default.xml, 100 KB of
 * XML, looked up through the class path) on its first read, and parquet-mr makes one for every
 * {@code ParquetFileReader.open(file)} and {@code AvroParquetReader.builder(file)} given no
 * settings. A first load of the medium demo tenant opened a few thousand files that way: 16% of the
 * job's Java CPU samples were that parsing. Here the defaults are parsed once; each caller gets a
 * copy of the loaded settings (a copy of a loaded Configuration copies its properties and parses
 * nothing).
 */
public final class ParquetFiles {

  private static final Configuration LOADED = load();

  private static final ParquetReadOptions FOOTERS =
      HadoopReadOptions.builder(configuration()).build();

  private ParquetFiles() {}

  private static Configuration load() {
    Configuration conf = new Configuration();
    // Standard three-level LIST groups, as Spark, Trino and DuckDB expect, not Avro's legacy form.
    conf.setBoolean("parquet.avro.write-old-list-structure", false);
    conf.setClass("fs.file.impl", NioLocalFileSystem.class, FileSystem.class);
    conf.size(); // parses the default resources now, once
    return conf;
  }

  /** A copy of the settings, the caller's to change. */
  public static Configuration configuration() {
    return new Configuration(LOADED);
  }

  /** The settings as parquet-mr's builders take them. */
  static ParquetConfiguration parquet(Configuration conf) {
    return new HadoopParquetConfiguration(conf);
  }

  /** A file's footer (row count, row groups, key-value metadata). Close it. */
  public static ParquetFileReader footer(InputFile file) throws IOException {
    return ParquetFileReader.open(file, FOOTERS);
  }
}
