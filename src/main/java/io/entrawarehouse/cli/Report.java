package io.entrawarehouse.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entrawarehouse.write.duckdb.AnalystSql;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The warehouse's report: one HTML file with Chart.js inlined (nothing fetched, it opens offline)
 * and the numbers of each chart taken from the analysts' views when it is written. Chart.js was
 * chosen for being small (200 KB, against ECharts' 1 MB), canvas-drawn, MIT-licensed, kept up, and
 * on Maven Central as a WebJar, so the build needs no npm.
 */
public final class Report {

  /** The report's file name, in the warehouse directory. */
  public static final String FILE = "report.html";

  private static final String CHARTJS_VERSION = "4.5.1";
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One chart: its SQL answers (label, series, value), with the second column named {@code series},
   * or (label, value, value…), a series per value column.
   */
  record Chart(
      String id,
      String title,
      String about,
      String type,
      boolean stacked,
      boolean horizontal,
      String empty,
      String sql) {}

  /** The charts, in page order; each SQL reads views or tables the loads create. */
  static final List<Chart> CHARTS =
      List.of(
          new Chart(
              "table-rows",
              "Objects per table across loads",
              "Rows each table held for the tenant after each load (_loads), on a log scale.",
              "line",
              false,
              false,
              "No load recorded yet.",
              "SELECT 'load ' || load_id, table_name AS series, sum(table_rows)::BIGINT FROM _loads"
                  + " WHERE load_id IN (SELECT DISTINCT load_id FROM _loads ORDER BY load_id DESC"
                  + " LIMIT 30) AND table_name NOT LIKE '%\\_history' ESCAPE '\\'"
                  + " GROUP BY load_id, table_name ORDER BY load_id, table_name"),
          new Chart(
              "sign-in-failures",
              "Sign-in failures per day by reason",
              "Failed sign-ins per day (UTC), by Graph's failure reason (sign_in_failures_daily).",
              "bar",
              true,
              false,
              "No failed sign-ins loaded.",
              "SELECT CAST(day AS VARCHAR), coalesce(failure_reason, 'error ' || error_code) AS series,"
                  + " sum(failures)::BIGINT FROM sign_in_failures_daily GROUP BY ALL ORDER BY 1, 2"),
          new Chart(
              "failing-apps",
              "Top failing applications",
              "The ten applications with the most failed sign-ins (sign_in_failures_daily).",
              "bar",
              false,
              true,
              "No failed sign-ins loaded.",
              "SELECT app, sum(failures)::BIGINT AS failures FROM sign_in_failures_daily"
                  + " GROUP BY app ORDER BY failures DESC, app LIMIT 10"),
          new Chart(
              "stale-devices",
              "Stale devices by platform",
              "Devices with no sign-in for 90 days, by platform (stale_devices).",
              "bar",
              false,
              false,
              "No stale devices.",
              "SELECT os, count(*) AS devices FROM stale_devices GROUP BY os"
                  + " ORDER BY devices DESC, os"),
          new Chart(
              "licences",
              "Licence usage per SKU",
              "Units bought against units assigned to users (licences_bought_vs_assigned).",
              "bar",
              false,
              false,
              "No subscriptions loaded.",
              "SELECT sku_part_number, sum(bought)::BIGINT AS bought,"
                  + " sum(assigned)::BIGINT AS assigned"
                  + " FROM licences_bought_vs_assigned GROUP BY ALL ORDER BY sku_part_number"),
          new Chart(
              "mfa",
              "MFA coverage",
              "Enabled users with and without an MFA method registered (users_without_mfa).",
              "doughnut",
              false,
              false,
              "No users loaded.",
              "SELECT 'MFA registered', count(*) - (SELECT count(*) FROM users_without_mfa) AS users"
                  + " FROM users WHERE account_enabled"
                  + " UNION ALL SELECT 'no MFA', count(*) FROM users_without_mfa"),
          new Chart(
              "credentials",
              "Application credentials expiring",
              "Certificates and secrets expired or expiring within 30 days (credentials_expiring).",
              "bar",
              true,
              false,
              "No credentials expire within 30 days.",
              "SELECT CASE WHEN expired THEN 'expired'"
                  + " WHEN end_date_time < now() + INTERVAL 7 DAY THEN 'within 7 days'"
                  + " ELSE 'within 30 days' END AS due, credential_type AS series, count(*)"
                  + " FROM credentials_expiring GROUP BY due, credential_type"
                  + " ORDER BY CASE due WHEN 'expired' THEN 0 WHEN 'within 7 days' THEN 1"
                  + " ELSE 2 END, credential_type"));

  private Report() {}

  /**
   * Writes the report of {@code duckdb} beside it (whole, then renamed); returns its path. DuckDB
   * reads with one thread and at most {@code memoryLimit}, as a load's updates do.
   */
  public static Path write(Path duckdb, String memoryLimit) throws IOException, SQLException {
    ObjectNode data = JSON.createObjectNode();
    try (Connection c =
        AnalystSql.openReadOnly(duckdb, Map.of("memory_limit", memoryLimit, "threads", "1"))) {
      ArrayNode tenants = data.putArray("tenants");
      try (ResultSet r =
          c.createStatement().executeQuery("SELECT DISTINCT tenant_id FROM _loads ORDER BY 1")) {
        while (r.next()) {
          tenants.add(r.getString(1));
        }
      }
      data.put("written", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
      data.put("warehouse", duckdb.toString());
      ArrayNode charts = data.putArray("charts");
      for (Chart chart : CHARTS) {
        charts.add(chart(c, chart));
      }
    }
    String html = template("/report/report.html");
    // Neither may end the script element they sit in.
    String chartjs = chartjs().replace("</script", "<\\/script");
    String json = JSON.writeValueAsString(data).replace("</", "<\\/");
    html =
        html.replace("__CHARTJS_VERSION__", CHARTJS_VERSION)
            .replace("__DATA__", json)
            .replace("__CHARTJS__", chartjs);
    Path out = duckdb.resolveSibling(FILE);
    Path tmp = duckdb.resolveSibling("." + FILE + ".tmp");
    Files.writeString(tmp, html, StandardCharsets.UTF_8);
    Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    return out;
  }

  /**
   * A chart's labels and series from its SQL: (label, series, value) rows pivot to a series per
   * distinct second column; (label, value…) rows give a series per value column. A view not created
   * (its tables never loaded) leaves the chart empty.
   */
  private static ObjectNode chart(Connection c, Chart chart) throws SQLException {
    ObjectNode node = JSON.valueToTree(chart);
    node.remove("sql");
    List<String> labels = new ArrayList<>();
    Map<String, Map<String, Number>> series = new LinkedHashMap<>();
    try (ResultSet r = c.createStatement().executeQuery(chart.sql())) {
      int n = r.getMetaData().getColumnCount();
      boolean pivot = n == 3 && r.getMetaData().getColumnLabel(2).equals("series");
      while (r.next()) {
        String label = r.getString(1);
        if (!labels.contains(label)) {
          labels.add(label);
        }
        if (pivot) {
          series
              .computeIfAbsent(r.getString(2), k -> new LinkedHashMap<>())
              .put(label, (Number) r.getObject(3));
        } else {
          for (int i = 2; i <= n; i++) {
            series
                .computeIfAbsent(r.getMetaData().getColumnLabel(i), k -> new LinkedHashMap<>())
                .put(label, (Number) r.getObject(i));
          }
        }
      }
    } catch (SQLException e) {
      if (!e.getMessage().contains("does not exist")) {
        throw e;
      }
    }
    ArrayNode labelNode = node.putArray("labels");
    labels.forEach(labelNode::add);
    ArrayNode seriesNode = node.putArray("series");
    series.forEach(
        (name, values) -> {
          ObjectNode s = seriesNode.addObject();
          s.put("label", name);
          ArrayNode d = s.putArray("data");
          for (String label : labels) {
            Number v = values.get(label);
            d.add(v == null ? 0 : v.longValue());
          }
        });
    return node;
  }

  private static String chartjs() throws IOException {
    return template(
        "/META-INF/resources/webjars/chart.js/" + CHARTJS_VERSION + "/dist/chart.umd.min.js");
  }

  private static String template(String resource) throws IOException {
    try (InputStream in = Report.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("missing " + resource + " in the build");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
