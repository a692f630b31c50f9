package io.entrawarehouse.warehouse;

import java.util.List;

/**
 * One warehouse column and where its value sits in Graph's JSON.
 *
 * @param name the snake_case column name
 * @param type its type in Parquet and DuckDB
 * @param path the property path in the item, e.g. {@code status/errorCode}
 * @param field for {@link Type#STRING_LIST} over an array of objects, the field taken from each
 * @param segments the path split at "/", computed once
 */
public record Column(String name, Type type, String path, String field, List<String> segments) {

  public Column(String name, Type type, String path, String field) {
    this(name, type, path, field, List.of(path.split("/")));
  }

  /** Column types and their Parquet (Avro) and DuckDB spellings. */
  public enum Type {
    STRING("VARCHAR"),
    BOOLEAN("BOOLEAN"),
    INT("INTEGER"),
    LONG("BIGINT"),
    DOUBLE("DOUBLE"),
    /** A UTC instant: Avro timestamp-micros, DuckDB TIMESTAMPTZ. */
    TIMESTAMP("TIMESTAMPTZ"),
    /** A Parquet LIST of strings. */
    STRING_LIST("VARCHAR[]"),
    /** Nested Graph JSON kept whole, as text DuckDB's json functions read. */
    JSON("VARCHAR");

    private final String duckdb;

    Type(String duckdb) {
      this.duckdb = duckdb;
    }

    public String duckdb() {
      return duckdb;
    }
  }

  public static Column of(String name, Type type, String path) {
    return new Column(name, type, path, null);
  }

  public static Column listOf(String name, String path, String field) {
    return new Column(name, Type.STRING_LIST, path, field);
  }

  /** The top-level Graph property this column reads, for $select. */
  public String property() {
    return path.split("/")[0];
  }
}
