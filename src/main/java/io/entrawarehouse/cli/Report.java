package io.entrawarehouse.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entrawarehouse.write.duckdb.AnalystSql;
import io.entrawarehouse.write.duckdb.Views;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
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
   * or (label, value, value…), a series per value column. At most {@link #MAX_SERIES} series, so
   * that an eye tells them apart: a chart over many tables or reasons names its largest and folds
   * the rest.
   */
  record Chart(
      String id,
      String title,
      String about,
      String type,
      boolean stacked,
      boolean horizontal,
      String empty,
      String sql)
      implements Item {}

  /**
   * The rows to act on: the first {@link #LISTED} rows of a view, in its own order (most urgent
   * first), with how many it holds, the view's own one-line description and the command that lists
   * them all.
   */
  record Listing(String id, String title, String view, String empty) implements Item {}

  /** A chart or a listing. */
  sealed interface Item permits Chart, Listing {
    String id();
  }

  /**
   * A family of views: its charts and listings, and the views it reads that take a variable (a
   * group, a user), named with the command that asks them.
   */
  record Section(String id, String title, List<Item> items, List<String> lookups) {}

  /** The most series a chart draws. */
  static final int MAX_SERIES = 8;

  /** The rows a listing shows. */
  static final int LISTED = 20;

  /** The core tables the loads chart follows, no more than {@link #MAX_SERIES}. */
  private static final String CORE_TABLES =
      "('users', 'groups', 'devices', 'group_members', 'applications', 'service_principals',"
          + " 'sign_ins', 'directory_audits')";

  /** The sections, in page order; each SQL reads views or tables the loads create. */
  static final List<Section> SECTIONS =
      List.of(
          new Section(
              "loads",
              "Loads",
              List.of(
                  new Chart(
                      "table-rows",
                      "Core objects across loads",
                      "Rows the core tables held for the tenant after each of the last 30 loads"
                          + " (_loads), on a log scale.",
                      "line",
                      false,
                      false,
                      "No load recorded yet.",
                      "SELECT 'load ' || load_id, table_name AS series, sum(table_rows)::BIGINT"
                          + " FROM _loads WHERE load_id IN (SELECT DISTINCT load_id FROM _loads"
                          + " ORDER BY load_id DESC LIMIT 30) AND table_name IN "
                          + CORE_TABLES
                          + " GROUP BY load_id, table_name ORDER BY load_id, table_name"),
                  new Chart(
                      "table-sizes",
                      "Rows per table",
                      "Rows each table holds after its last load, every tenant (_loads).",
                      "bar",
                      false,
                      true,
                      "No load recorded yet.",
                      "SELECT table_name, sum(table_rows)::BIGINT AS rows FROM (SELECT *,"
                          + " row_number() OVER (PARTITION BY tenant_id, table_name"
                          + " ORDER BY load_id DESC) AS newest FROM _loads) WHERE newest = 1"
                          + " GROUP BY table_name ORDER BY rows DESC, table_name")),
              List.of()),
          new Section(
              "sign-ins",
              "Sign-ins",
              List.of(
                  new Chart(
                      "sign-in-failures",
                      "Sign-in failures per day by reason",
                      "Failed sign-ins per day (UTC), by Graph's failure reason: the 7 most"
                          + " frequent, the rest together (sign_in_failures_daily).",
                      "bar",
                      true,
                      false,
                      "No failed sign-ins loaded.",
                      "WITH f AS (SELECT CAST(day AS VARCHAR) AS day, coalesce(failure_reason,"
                          + " 'error ' || error_code) AS reason, failures"
                          + " FROM sign_in_failures_daily),"
                          + " top AS (SELECT reason FROM f GROUP BY reason"
                          + " ORDER BY sum(failures) DESC, reason LIMIT "
                          + (MAX_SERIES - 1)
                          + ") SELECT day, CASE WHEN reason IN (SELECT reason FROM top)"
                          + " THEN reason ELSE 'other reasons' END AS series,"
                          + " sum(failures)::BIGINT FROM f GROUP BY ALL ORDER BY 1, 2"),
                  new Chart(
                      "failing-apps",
                      "Top failing applications",
                      "The ten applications with the most failed sign-ins"
                          + " (sign_in_failures_daily).",
                      "bar",
                      false,
                      true,
                      "No failed sign-ins loaded.",
                      "SELECT app, sum(failures)::BIGINT AS failures FROM sign_in_failures_daily"
                          + " GROUP BY app ORDER BY failures DESC, app LIMIT 10"),
                  new Listing(
                      "risky-sign-ins",
                      "Risky sign-ins",
                      "risky_sign_ins",
                      "No risky sign-in loaded."),
                  new Listing(
                      "conditional-access-failures",
                      "Conditional access failures",
                      "conditional_access_failures",
                      "No sign-in failed conditional access.")),
              List.of()),
          new Section(
              "accounts",
              "Accounts and MFA",
              List.of(
                  new Chart(
                      "mfa",
                      "MFA coverage",
                      "Enabled users with and without an MFA method registered"
                          + " (users_without_mfa).",
                      "doughnut",
                      false,
                      false,
                      "No users loaded.",
                      "SELECT 'MFA registered', count(*) - (SELECT count(*) FROM"
                          + " users_without_mfa) AS users FROM users WHERE account_enabled"
                          + " UNION ALL SELECT 'no MFA', count(*) FROM users_without_mfa"),
                  new Listing(
                      "admins-without-mfa",
                      "Admins without MFA",
                      "admins_without_mfa",
                      "Every admin has MFA registered."),
                  new Listing(
                      "users-without-mfa",
                      "Users without MFA",
                      "users_without_mfa",
                      "Every enabled user has MFA registered."),
                  new Listing(
                      "inactive-users", "Inactive users", "inactive_users", "No inactive user."),
                  new Listing(
                      "inactive-guests",
                      "Inactive guests",
                      "inactive_guests",
                      "No inactive guest."),
                  new Listing(
                      "accounts-disabled",
                      "Accounts disabled",
                      "accounts_disabled",
                      "No account was disabled between loads."),
                  new Listing(
                      "privileged-role-changes",
                      "Privileged role changes",
                      "privileged_role_changes",
                      "No privileged role change loaded.")),
              List.of(
                  "query effective_members --set \"group_name='…'\"",
                  "query group_members_on --set \"group_ref='…'\"")),
          new Section(
              "devices",
              "Devices",
              List.of(
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
                      "device-compliance",
                      "Compliance by platform",
                      "Compliant, non-compliant (managed) and unmanaged devices per platform"
                          + " (device_compliance_by_os).",
                      "bar",
                      true,
                      false,
                      "No devices loaded.",
                      "SELECT os, sum(compliant)::BIGINT AS compliant,"
                          + " sum(non_compliant)::BIGINT AS \"non-compliant\","
                          + " sum(unmanaged)::BIGINT AS unmanaged FROM device_compliance_by_os"
                          + " GROUP BY os ORDER BY os"),
                  new Listing(
                      "stale-devices-list", "Stale devices", "stale_devices", "No stale devices."),
                  new Listing(
                      "personal-devices",
                      "Personal devices",
                      "personal_devices",
                      "No personal device."),
                  new Listing(
                      "devices-per-owner",
                      "Devices per owner",
                      "devices_per_owner",
                      "No device has an owner."),
                  new Listing(
                      "devices-appeared",
                      "Devices that appeared",
                      "devices_appeared",
                      "No device appeared since the first load.")),
              List.of()),
          new Section(
              "licences",
              "Licences",
              List.of(
                  new Chart(
                      "licences",
                      "Licence usage per SKU",
                      "Units bought against units assigned to users"
                          + " (licences_bought_vs_assigned).",
                      "bar",
                      false,
                      false,
                      "No subscriptions loaded.",
                      "SELECT sku_part_number, sum(bought)::BIGINT AS bought,"
                          + " sum(assigned)::BIGINT AS assigned"
                          + " FROM licences_bought_vs_assigned GROUP BY ALL"
                          + " ORDER BY sku_part_number"),
                  new Listing(
                      "disabled-users-still-licensed",
                      "Disabled users still licensed",
                      "disabled_users_still_licensed",
                      "No disabled user holds a licence.")),
              List.of()),
          new Section(
              "applications",
              "Applications",
              List.of(
                  new Chart(
                      "credentials",
                      "Application credentials expiring",
                      "Certificates and secrets expired or expiring within 30 days"
                          + " (credentials_expiring).",
                      "bar",
                      true,
                      false,
                      "No credentials expire within 30 days.",
                      "SELECT CASE WHEN expired THEN 'expired'"
                          + " WHEN end_date_time < now() + INTERVAL 7 DAY THEN 'within 7 days'"
                          + " ELSE 'within 30 days' END AS due, credential_type AS series,"
                          + " count(*) FROM credentials_expiring GROUP BY due, credential_type"
                          + " ORDER BY CASE due WHEN 'expired' THEN 0 WHEN 'within 7 days'"
                          + " THEN 1 ELSE 2 END, credential_type"),
                  new Listing(
                      "credentials-expiring",
                      "Credentials to renew",
                      "credentials_expiring",
                      "No credentials expire within 30 days.")),
              List.of()));

  /** Every chart of the report, in page order. */
  static final List<Chart> CHARTS = items(Chart.class);

  /** Every listing of the report, in page order. */
  static final List<Listing> LISTINGS = items(Listing.class);

  private static <T> List<T> items(Class<T> kind) {
    return SECTIONS.stream()
        .flatMap(s -> s.items().stream())
        .filter(kind::isInstance)
        .map(kind::cast)
        .toList();
  }

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
      try (Statement st = c.createStatement();
          ResultSet r = st.executeQuery("SELECT DISTINCT tenant_id FROM _loads ORDER BY 1")) {
        while (r.next()) {
          tenants.add(r.getString(1));
        }
      }
      data.put("written", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
      data.put("warehouse", duckdb.toString());
      ArrayNode sections = data.putArray("sections");
      Map<String, Views.View> views = Views.all();
      for (Section section : SECTIONS) {
        ObjectNode node = sections.addObject();
        node.put("id", section.id());
        node.put("title", section.title());
        ArrayNode lookups = node.putArray("lookups");
        section.lookups().forEach(lookups::add);
        ArrayNode items = node.putArray("items");
        for (Item item : section.items()) {
          if (item instanceof Chart chart) {
            items.add(chart(c, chart));
          } else if (item instanceof Listing listing) {
            items.add(listing(c, listing, views.get(listing.view()), tenants.size() > 1));
          }
        }
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
    node.put("kind", "chart");
    List<String> labels = new ArrayList<>();
    Map<String, Map<String, Number>> series = new LinkedHashMap<>();
    try (Statement st = c.createStatement();
        ResultSet r = st.executeQuery(chart.sql())) {
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

  /**
   * A listing's first rows and its count, every value as text; a view not created (its tables never
   * loaded) lists nothing. The tenant's column is left out of a one-tenant warehouse's.
   */
  private static ObjectNode listing(
      Connection c, Listing listing, Views.View view, boolean tenantColumn) throws SQLException {
    ObjectNode node = JSON.valueToTree(listing);
    node.put("kind", "listing");
    node.put("about", view == null ? "" : view.summary());
    ArrayNode columns = node.putArray("columns");
    ArrayNode rows = node.putArray("rows");
    long total = 0;
    // Each statement closed as soon as it is read: an open DuckDB statement keeps its query's hash
    // tables, and a report's two dozen of them outgrew a load's memory limit (64 MB).
    try (Statement st = c.createStatement();
        ResultSet r = st.executeQuery("SELECT * FROM " + listing.view() + " LIMIT " + LISTED)) {
      int n = r.getMetaData().getColumnCount();
      List<Integer> shown = new ArrayList<>();
      for (int i = 1; i <= n; i++) {
        String label = r.getMetaData().getColumnLabel(i);
        if (tenantColumn || !label.equals("tenant_id")) {
          shown.add(i);
          columns.add(label);
        }
      }
      while (r.next()) {
        ArrayNode row = rows.addArray();
        for (int i : shown) {
          row.add(text(r, i));
        }
      }
      try (Statement counting = c.createStatement();
          ResultSet count = counting.executeQuery("SELECT count(*) FROM " + listing.view())) {
        count.next();
        total = count.getLong(1);
      }
    } catch (SQLException e) {
      if (!e.getMessage().contains("does not exist")) {
        throw e;
      }
    }
    node.put("total", total);
    return node;
  }

  /**
   * A listed value as text: an instant in UTC (ISO 8601), whatever the time zone of the machine
   * that writes the report; anything else as DuckDB renders it; NULL as null.
   */
  static String text(ResultSet r, int column) throws SQLException {
    Object v = r.getObject(column);
    if (v instanceof OffsetDateTime t) {
      return t.toInstant().toString();
    }
    if (v instanceof Timestamp t) {
      return t.toInstant().toString();
    }
    return v == null ? null : r.getString(column);
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
