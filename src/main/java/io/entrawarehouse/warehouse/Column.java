package io.entrawarehouse.warehouse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * One warehouse column and where its value sits in Graph's JSON.
 *
 * @param name the snake_case column name
 * @param type its type in Parquet and DuckDB
 * @param path the property path in the item, e.g. {@code status/errorCode}
 * @param field for {@link Type#STRING_LIST} over an array of objects, the field taken from each
 * @param segments the path split at "/", computed once
 * @param dictionary whether Parquet dictionary-encodes it: yes for values that repeat (types,
 *     states, names of apps), no for ids, timestamps and nested JSON, where building a dictionary
 *     costs CPU and saves no space (measured on sign-ins: 10.0 µs per row written with every column
 *     dictionary-encoded, 6.9 µs with high-cardinality columns plain, files 14% larger)
 * @param transform applied to the property's JSON value before it is read as the column's type (a
 *     result of null or JSON null makes the column NULL); null for none
 */
public record Column(
    String name,
    Type type,
    String path,
    String field,
    List<String> segments,
    boolean dictionary,
    UnaryOperator<JsonNode> transform) {

  public Column(String name, Type type, String path, String field) {
    this(
        name,
        type,
        path,
        field,
        List.of(path.split("/")),
        type != Type.TIMESTAMP && type != Type.JSON && type != Type.DOUBLE,
        null);
  }

  /** This column, written without a dictionary: its values rarely repeat (ids, addresses). */
  public Column highCardinality() {
    return new Column(name, type, path, field, segments, false, transform);
  }

  /** This column, its JSON value transformed before it is read. */
  public Column map(UnaryOperator<JsonNode> f) {
    return new Column(name, type, path, field, segments, dictionary, f);
  }

  /** A value renamed by a table, e.g. an array's name to what the column calls it. */
  public static UnaryOperator<JsonNode> rename(Map<String, String> names) {
    return v -> {
      String to = names.get(v.asText());
      return to == null ? v : TextNode.valueOf(to);
    };
  }

  /** An OData type name without its namespace: "#microsoft.graph.user" becomes "user". */
  public static final UnaryOperator<JsonNode> ODATA_TYPE_NAME =
      v -> {
        String type = v.asText();
        return v.isTextual() && type.startsWith("#microsoft.graph.")
            ? TextNode.valueOf(type.substring("#microsoft.graph.".length()))
            : v;
      };

  /**
   * Graph's ways of saying "never" for a time it has no record of (a user's last successful sign-in
   * before December 2023, when Graph began recording it): an empty string, as Microsoft's examples
   * show, or {@code 0001-01-01T00:00:00Z}; read as NULL, as is an empty request id.
   */
  public static final UnaryOperator<JsonNode> NEVER_IS_NULL =
      v ->
          v.isTextual() && (v.asText().isEmpty() || v.asText().startsWith("0001-01-01"))
              ? NullNode.getInstance()
              : v;

  /** The Parquet path of the column's values: the element of a LIST, else the column. */
  public String parquetPath() {
    return type == Type.STRING_LIST ? name + ".list.element" : name;
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
