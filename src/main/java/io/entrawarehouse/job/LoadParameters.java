package io.entrawarehouse.job;

import io.entrawarehouse.warehouse.Entities;
import io.entrawarehouse.warehouse.Entity;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;

/**
 * A launch of {@code directory-load}: the entities, per-entity $filter and $select, the log window
 * and the run date. All of them identify the job instance, so the same launch after a failure is a
 * restart of the same instance. Immutable.
 *
 * <p>Keys: {@code entities} (comma list or "all"), {@code run.date} (default: today, UTC), {@code
 * since}/{@code until} (instants or dates; default: the 7 days before the run date), {@code
 * filter.<entity>}, {@code select.<entity>}.
 */
public record LoadParameters(
    String tenantId,
    List<Entity> entities,
    LocalDate runDate,
    Instant since,
    Instant until,
    Map<String, String> filters,
    Map<String, String> selects) {

  private static final Pattern ADVANCED =
      Pattern.compile("(?i)(\\bne\\b|\\bnot\\b|endswith\\s*\\()");

  public static LoadParameters parse(String tenantId, Map<String, String> args, LocalDate today) {
    Map<String, String> filters = new LinkedHashMap<>();
    Map<String, String> selects = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : args.entrySet()) {
      String key = e.getKey();
      if (key.startsWith("filter.")) {
        filters.put(entity(key.substring(7)), e.getValue());
      } else if (key.startsWith("select.")) {
        selects.put(entity(key.substring(7)), e.getValue());
      } else if (!List.of("entities", "run.date", "since", "until").contains(key)) {
        throw new IllegalArgumentException(
            "Unknown parameter '"
                + key
                + "': use entities, run.date, since, until, filter.<entity> or select.<entity>.");
      }
    }
    LocalDate runDate =
        args.containsKey("run.date") ? date("run.date", args.get("run.date")) : today;
    Instant until =
        args.containsKey("until")
            ? instant("until", args.get("until"))
            : runDate.atStartOfDay(ZoneOffset.UTC).toInstant();
    String sinceArg = args.get("since");
    Instant since;
    if (sinceArg == null) {
      since = until.minus(java.time.Duration.ofDays(7));
    } else if (sinceArg.startsWith("-P")) {
      // A duration before until, e.g. -P30D: lets a scheduled backfill stay relative.
      try {
        since = until.minus(java.time.Duration.parse(sinceArg.substring(1)));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(
            "since must be a date, an instant or a duration like -P30D, got '" + sinceArg + "'.");
      }
    } else {
      since = instant("since", sinceArg);
    }
    if (!since.isBefore(until)) {
      throw new IllegalArgumentException(
          "since (" + since + ") must be before until (" + until + ").");
    }
    return new LoadParameters(
        tenantId,
        Entities.parse(args.get("entities")),
        runDate,
        since,
        until,
        Map.copyOf(filters),
        Map.copyOf(selects));
  }

  private static String entity(String name) {
    if (!Entities.ALL.containsKey(name)) {
      throw new IllegalArgumentException(
          "Unknown entity '"
              + name
              + "' in a filter or select parameter: choose from "
              + String.join(", ", Entities.ALL.keySet())
              + ".");
    }
    return name;
  }

  private static LocalDate date(String key, String value) {
    try {
      return LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          key + " must be a date like 2026-11-24, got '" + value + "'.");
    }
  }

  private static Instant instant(String key, String value) {
    try {
      return value.length() == 10
          ? LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant()
          : OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          key
              + " must be a date (2026-11-24) or an instant (2026-11-24T00:00:00Z), got '"
              + value
              + "'.");
    }
  }

  /** The job parameters: every one identifying. */
  public JobParameters toJobParameters() {
    JobParametersBuilder b = new JobParametersBuilder();
    b.addString("tenant", tenantId);
    b.addString("entities", String.join(",", entities.stream().map(Entity::name).toList()));
    b.addString("run.date", runDate.toString());
    b.addString("since", since.toString());
    b.addString("until", until.toString());
    filters.forEach((k, v) -> b.addString("filter." + k, v));
    selects.forEach((k, v) -> b.addString("select." + k, v));
    return b.toJobParameters();
  }

  /** Reads a launch back from its job parameters (for restart). */
  public static LoadParameters of(JobParameters parameters) {
    Map<String, String> args = new LinkedHashMap<>();
    parameters
        .parameters()
        .forEach(
            p -> {
              if (!p.name().equals("tenant")) {
                args.put(p.name(), String.valueOf(p.value()));
              }
            });
    return parse(
        parameters.getString("tenant"), args, LocalDate.parse(parameters.getString("run.date")));
  }

  /** The first-page query for an entity: $select, $top, $filter (with the log window for logs). */
  public String query(Entity entity) {
    StringBuilder q =
        new StringBuilder("$select=")
            .append(enc(selects.getOrDefault(entity.name(), entity.defaultSelect())));
    q.append("&$top=").append(entity.pageSize());
    String filter = filters.get(entity.name());
    if (entity.isLog()) {
      String window =
          entity.timeProperty() + " ge " + since + " and " + entity.timeProperty() + " lt " + until;
      filter = filter == null ? window : window + " and (" + filter + ")";
    }
    if (filter != null) {
      q.append("&$filter=").append(enc(filter));
      if (needsEventual(entity)) {
        q.append("&$count=true");
      }
    }
    return q.toString();
  }

  /** Whether the entity's filter is an advanced query (ne, not, endswith). */
  public boolean needsEventual(Entity entity) {
    String filter = filters.get(entity.name());
    return filter != null && !entity.isLog() && ADVANCED.matcher(filter).find();
  }

  private static String enc(String s) {
    return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8)
        .replace("+", "%20")
        .replace("%24", "$")
        .replace("%2C", ",");
  }

  public String describe() {
    return "entities="
        + String.join(",", entities.stream().map(Entity::name).toList())
        + " run.date="
        + runDate
        + " window=["
        + since
        + ", "
        + until
        + ")"
        + (filters.isEmpty() ? "" : " filters=" + filters.keySet())
        + (selects.isEmpty() ? "" : " selects=" + selects.keySet()).toLowerCase(Locale.ROOT);
  }
}
