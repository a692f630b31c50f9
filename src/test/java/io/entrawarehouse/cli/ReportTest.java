package io.entrawarehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.TenantScale;
import io.entrawarehouse.write.duckdb.Views;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report a load writes, opened in headless Chromium (Debian's, installed by .ci/run): no
 * console message, every chart drawn, and each chart's numbers equal to SQL over the base tables.
 * The screenshot is kept as target/report.png.
 */
class ReportTest {

  static GraphSimulator simulator;
  @TempDir static Path dir;
  static final Cli cli = new Cli();
  static Path report;

  @BeforeAll
  static void load() throws Exception {
    simulator =
        GraphSimulator.start(
            SimulatorSettings.builder().scale(TenantScale.TINY).throttling(false).build());
    cli.against(simulator, dir);
    Cli.Run run = cli.run("run");
    assertThat(run.exit()).as(run.all()).isZero();
    report = dir.resolve("warehouse").resolve(Report.FILE);
    assertThat(run.out()).contains("Report:  " + report);
  }

  @AfterAll
  static void stop() {
    simulator.close();
    cli.clear();
  }

  /** Chromium's stderr and the DOM once the page's scripts have run. */
  record Page(String dom, List<String> console) {}

  private static Path chromium() {
    for (String name : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser")) {
      if (Files.isExecutable(Path.of(name))) {
        return Path.of(name);
      }
    }
    if (System.getenv("ENTRA_REQUIRE_CHROMIUM") != null) {
      throw new AssertionError("Chromium is required (ENTRA_REQUIRE_CHROMIUM) and not installed");
    }
    Assumptions.abort("no Chromium here: .ci/run installs Debian's chromium");
    return null;
  }

  private static Page open(Path html, String... more) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                chromium().toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                "--user-data-dir=" + Files.createTempDirectory(dir, "chromium"),
                "--enable-logging=stderr",
                "--v=0",
                "--virtual-time-budget=5000"));
    command.addAll(List.of(more));
    command.add(html.toUri().toString());
    Path out = Files.createTempFile(dir, "dom", ".html");
    Path err = Files.createTempFile(dir, "chromium", ".log");
    Process p =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    assertThat(Processes.ended(p)).as("chromium ended").isTrue();
    List<String> console =
        Files.readAllLines(err).stream().filter(l -> l.contains(":CONSOLE")).toList();
    return new Page(Files.readString(out), console);
  }

  @Test
  void theReportOpensInChromiumWithEveryChartDrawnAndTheNumbersOfTheSql() throws Exception {
    Page page = open(report, "--dump-dom");
    assertThat(page.console()).as("console messages").isEmpty();
    Map<String, Chart> charts = charts(page.dom());
    assertThat(charts.keySet())
        .containsExactlyInAnyOrder(
            Report.CHARTS.stream().map(Report.Chart::id).toArray(String[]::new));

    Path duckdb = dir.resolve("warehouse/entra.duckdb");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + duckdb)) {
      c.createStatement().execute("SET TimeZone = 'UTC'");
      assertThat(charts.get("stale-devices").series("devices"))
          .isEqualTo(
              pairs(
                  c,
                  "SELECT CASE lower(operating_system) WHEN 'macmdm' THEN 'macOS'"
                      + " WHEN 'linux' THEN 'Linux' ELSE operating_system END, count(*) FROM devices"
                      + " WHERE approximate_last_sign_in_date_time IS NULL"
                      + " OR approximate_last_sign_in_date_time < now() - INTERVAL 90 DAY"
                      + " GROUP BY 1"));
      assertThat(charts.get("failing-apps").series("failures"))
          .isEqualTo(
              pairs(
                  c,
                  "SELECT app_display_name, count(*) FROM sign_ins WHERE status_error_code <> 0"
                      + " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10"));
      assertThat(charts.get("licences").series("bought"))
          .isEqualTo(pairs(c, "SELECT sku_part_number, prepaid_enabled FROM subscribed_skus"));
      assertThat(charts.get("licences").series("assigned"))
          .isEqualTo(
              pairs(
                  c,
                  "SELECT s.sku_part_number, count(l.user_id) FROM subscribed_skus s"
                      + " LEFT JOIN user_licenses l ON l.sku_id = s.sku_id GROUP BY 1"));
      Map<String, Long> mfa =
          pairs(
              c,
              "SELECT CASE WHEN r.is_mfa_registered THEN 'MFA registered' ELSE 'no MFA' END,"
                  + " count(*) FROM users u LEFT JOIN auth_method_registrations r"
                  + " ON r.user_id = u.id WHERE u.account_enabled GROUP BY 1");
      assertThat(charts.get("mfa").series("users")).isEqualTo(mfa);
      // Failures per day and reason, the 7 most frequent reasons and the rest folded.
      assertThat(charts.get("sign-in-failures").cells())
          .isEqualTo(
              pairs(
                  c,
                  "WITH f AS (SELECT CAST(CAST(created_date_time AS DATE) AS VARCHAR) AS day,"
                      + " status_failure_reason AS reason FROM sign_ins"
                      + " WHERE status_error_code <> 0), top AS (SELECT reason FROM f"
                      + " GROUP BY reason ORDER BY count(*) DESC, reason LIMIT 7)"
                      + " SELECT day || '/' || CASE WHEN reason IN (SELECT reason FROM top)"
                      + " THEN reason ELSE 'other reasons' END, count(*) FROM f GROUP BY 1"));
      charts.values().forEach(chart -> assertThat(chart.data()).hasSizeLessThanOrEqualTo(8));
      // Credentials by when they are due, as (label/series).
      assertThat(charts.get("credentials").cells())
          .isEqualTo(
              pairs(
                  c,
                  "SELECT CASE WHEN end_date_time < now() THEN 'expired'"
                      + " WHEN end_date_time < now() + INTERVAL 7 DAY THEN 'within 7 days'"
                      + " ELSE 'within 30 days' END || '/' || credential_type, count(*)"
                      + " FROM app_credentials WHERE end_date_time < now() + INTERVAL 30 DAY"
                      + " GROUP BY 1"));
      assertThat(charts.get("table-rows").cells())
          .isEqualTo(
              pairs(
                  c,
                  "SELECT 'load ' || load_id || '/' || table_name, table_rows FROM _loads"
                      + " WHERE table_name IN ('users', 'groups', 'devices', 'group_members',"
                      + " 'applications', 'service_principals', 'sign_ins', 'directory_audits')"));
      assertThat(charts.get("table-sizes").series("rows"))
          .isEqualTo(
              pairs(
                  c,
                  "SELECT table_name, table_rows FROM _loads"
                      + " WHERE load_id = (SELECT max(load_id) FROM _loads)"));
      // Each listing: the view's first rows, whole, and its count; an empty one says so.
      Map<String, Listing> listings = listings(page.dom());
      for (Report.Listing listing : Report.LISTINGS) {
        long total = pairs(c, "SELECT 'n', count(*) FROM " + listing.view()).get("n");
        if (total == 0) {
          assertThat(listings).doesNotContainKey(listing.id());
          assertThat(page.dom()).contains(listing.empty());
          continue;
        }
        assertThat(listings).containsKey(listing.id());
        assertThat(listings.get(listing.id()).total()).as(listing.id()).isEqualTo(total);
        assertThat(listings.get(listing.id()).rows())
            .as(listing.id())
            .isEqualTo(rows(c, "SELECT * FROM " + listing.view() + " LIMIT " + Report.LISTED));
      }
      assertThat(listings.keySet())
          .as("listings the tenant fills")
          .contains("stale-devices-list", "credentials-expiring", "users-without-mfa");
    }
    // A section per family of views, and a place in the report for every view.
    for (Report.Section section : Report.SECTIONS) {
      assertThat(page.dom()).contains("<div class=\"family\" id=\"" + section.id() + "\">");
    }
    String placed =
        String.join(" ", Report.CHARTS.stream().map(Report.Chart::sql).toList())
            + " "
            + String.join(" ", Report.LISTINGS.stream().map(Report.Listing::view).toList())
            + " "
            + String.join(
                " ", Report.SECTIONS.stream().flatMap(x -> x.lookups().stream()).toList());
    for (String view : Views.all().keySet()) {
      assertThat(placed).as("the report's place for " + view).containsPattern("\\b" + view + "\\b");
    }
    Path png = Path.of("target", "report.png").toAbsolutePath();
    Files.deleteIfExists(png);
    open(report, "--window-size=1280,2200", "--screenshot=" + png);
    assertThat(png).isNotEmptyFile();
  }

  @Test
  void aScriptErrorInThePageIsSeenOnTheConsole() throws Exception {
    // The check above would see a broken page: the same report with a call that throws.
    Path broken = dir.resolve("broken.html");
    Files.writeString(
        broken,
        Files.readString(report).replace("</body>", "<script>noSuchFunction();</script></body>"));
    Page page = open(broken, "--dump-dom");
    assertThat(page.console()).anyMatch(l -> l.contains("noSuchFunction is not defined"));
  }

  /** One drawn chart's labels and series, as its canvas records them. */
  record Chart(List<String> labels, Map<String, List<Long>> data) {
    Map<String, Long> series(String name) {
      assertThat(data).containsKey(name);
      Map<String, Long> out = new TreeMap<>();
      for (int i = 0; i < labels.size(); i++) {
        out.put(labels.get(i), data.get(name).get(i));
      }
      return out;
    }

    /** Every non-zero cell as "label/series". */
    Map<String, Long> cells() {
      Map<String, Long> out = new TreeMap<>();
      data.forEach(
          (name, values) -> {
            for (int i = 0; i < labels.size(); i++) {
              if (values.get(i) != 0) {
                out.put(labels.get(i) + "/" + name, values.get(i));
              }
            }
          });
      return out;
    }
  }

  private static final Pattern CANVAS = Pattern.compile("<canvas([^>]*)>");

  private static Map<String, Chart> charts(String dom) throws Exception {
    Map<String, Chart> charts = new LinkedHashMap<>();
    Matcher m = CANVAS.matcher(dom);
    ObjectMapper json = new ObjectMapper();
    while (m.find()) {
      String tag = m.group(1);
      assertThat(attribute(tag, "data-rendered")).as(tag).isEqualTo("true");
      List<String> labels = new ArrayList<>();
      json.readTree(attribute(tag, "data-labels")).forEach(l -> labels.add(l.asText()));
      Map<String, List<Long>> data = new LinkedHashMap<>();
      for (JsonNode s : json.readTree(attribute(tag, "data-values"))) {
        List<Long> values = new ArrayList<>();
        s.get("data").forEach(v -> values.add(v.asLong()));
        data.put(s.get("label").asText(), values);
      }
      charts.put(attribute(tag, "data-chart"), new Chart(labels, data));
    }
    return charts;
  }

  private static String attribute(String tag, String name) {
    Matcher m = Pattern.compile(name + "=\"([^\"]*)\"").matcher(tag);
    assertThat(m.find()).as(name + " in " + tag).isTrue();
    return m.group(1)
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
  }

  /** One listing as the page shows it: its rows' cells and its count. */
  record Listing(long total, List<List<String>> rows) {}

  private static final Pattern LISTING =
      Pattern.compile(
          "<table data-listing=\"([^\"]+)\" data-total=\"(\\d+)\">(.*?)</table>", Pattern.DOTALL);
  private static final Pattern ROW = Pattern.compile("<tr>(.*?)</tr>", Pattern.DOTALL);
  private static final Pattern CELL = Pattern.compile("<td[^>]*>(.*?)</td>", Pattern.DOTALL);

  private static Map<String, Listing> listings(String dom) {
    Map<String, Listing> listings = new LinkedHashMap<>();
    Matcher m = LISTING.matcher(dom);
    while (m.find()) {
      List<List<String>> rows = new ArrayList<>();
      Matcher r = ROW.matcher(m.group(3));
      while (r.find()) {
        List<String> cells = new ArrayList<>();
        Matcher cell = CELL.matcher(r.group(1));
        while (cell.find()) {
          cells.add(unescape(cell.group(1)));
        }
        if (!cells.isEmpty()) {
          rows.add(cells);
        }
      }
      listings.put(m.group(1), new Listing(Long.parseLong(m.group(2)), rows));
    }
    return listings;
  }

  private static String unescape(String html) {
    return html.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u00a0")
        .replace("&amp;", "&");
  }

  /**
   * Every row of {@code sql}, each value as the report renders it, NULL as empty, without the
   * tenant's column (the warehouse holds one tenant).
   */
  private static List<List<String>> rows(Connection c, String sql) throws Exception {
    List<List<String>> rows = new ArrayList<>();
    try (ResultSet r = c.createStatement().executeQuery(sql)) {
      int n = r.getMetaData().getColumnCount();
      while (r.next()) {
        List<String> row = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          if (!r.getMetaData().getColumnLabel(i).equals("tenant_id")) {
            String v = Report.text(r, i);
            row.add(v == null ? "" : v);
          }
        }
        rows.add(row);
      }
    }
    return rows;
  }

  private static Map<String, Long> pairs(Connection c, String sql) throws Exception {
    Map<String, Long> out = new TreeMap<>();
    try (ResultSet r = c.createStatement().executeQuery(sql)) {
      while (r.next()) {
        out.put(r.getString(1), r.getLong(2));
      }
    }
    return out;
  }
}
