package io.entrawarehouse.job;

import io.entrawarehouse.graph.AdvancedQueries;
import io.entrawarehouse.graph.ODataQuery;
import io.entrawarehouse.warehouse.Entities;
import io.entrawarehouse.warehouse.Entity;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;

/**
 * A launch of {@code directory-load}: the entities, per-entity $filter and $select, the log window
 * and the run date. All of them identify the job instance, so the same launch after a failure is a
 * restart of the same instance. Immutable.
 *
 * <p>Keys: {@code entities} (comma list or "all"), {@code run.date} (default: today, UTC), {@code
 * since}/{@code until} (instants or dates; {@code since} by default, or {@code since=cursor}: each
 * log from where the lake's last load of it ended, less {@link #LOG_OVERLAP}, and the 7 days before
 * the run date for a log the lake has no mark of), {@code filter.<entity>}, {@code
 * select.<entity>}.
 *
 * <p>{@code attempt} tells apart loads of the same parameters: the first is attempt 1 (no job
 * parameter, so repositories written before it existed still match); a reload after a completed
 * load, or a new load after an abandoned one, is the next attempt ({@code run.attempt}).
 */
public record LoadParameters(
    String tenantId,
    List<Entity> entities,
    LocalDate runDate,
    LogWindow window,
    Map<String, String> filters,
    Map<String, String> selects,
    String rawJson,
    Map<String, String> toggles,
    int attempt,
    boolean fullDirectory) {

  /**
   * The toggles asset tools offer, as launch parameters: those that add {@code $filter} clauses to
   * a table ({@link Entity#narrowing()}: and'ed with the user's own filter, so they only ever
   * narrow it), then those that leave an {@link Entity.Extra} out ({@code <toggle>=false}).
   */
  public static final List<String> TOGGLES = allToggles();

  private static List<String> allToggles() {
    Set<String> all = new LinkedHashSet<>();
    Entities.ALL.values().forEach(e -> e.narrowing().forEach(n -> all.add(n.toggle())));
    Entities.ALL.values().stream()
        .filter(e -> e.extra() != null)
        .forEach(e -> all.add(e.extra().toggle()));
    return List.copyOf(all);
  }

  /** The values a toggle takes. */
  private static Entity.Values values(String toggle) {
    return Entities.ALL.values().stream()
        .flatMap(e -> e.narrowing().stream())
        .filter(n -> n.toggle().equals(toggle))
        .map(Entity.Narrowing::values)
        .findFirst()
        .orElse(Entity.Values.TRUE_OR_FALSE);
  }

  /** The job parameter that numbers the attempts of one launch after the first. */
  public static final String ATTEMPT = "run.attempt";

  public static LoadParameters parse(String tenantId, Map<String, String> args, LocalDate today) {
    Map<String, String> filters = new LinkedHashMap<>();
    Map<String, String> selects = new LinkedHashMap<>();
    Map<String, String> toggles = new TreeMap<>();
    for (Map.Entry<String, String> e : args.entrySet()) {
      String key = e.getKey();
      if ((key.startsWith("filter.") || key.startsWith("select."))
          && !Entities.ALL.get(entity(key.substring(7))).readFromGraph()) {
        Entity computed = Entities.ALL.get(key.substring(7));
        throw new IllegalArgumentException(
            key
                + ": "
                + computed.name()
                + " is computed from "
                + computed.closureOf().name()
                + " with no request to Graph; give filter."
                + computed.closureOf().name()
                + "= instead.");
      }
      if (key.startsWith("filter.")) {
        filters.put(entity(key.substring(7)), e.getValue());
      } else if (key.startsWith("select.")) {
        String name = entity(key.substring(7));
        if (!Entities.ALL.get(name).selectable()) {
          throw new IllegalArgumentException(
              key + ": " + name + " takes no $select (Graph returns every property of it).");
        }
        selects.put(name, ODataQuery.checkedSelect(key, e.getValue()));
      } else if (key.startsWith("eventual.")) {
        String name = entity(key.substring("eventual.".length()));
        String v = e.getValue().trim().toLowerCase(Locale.ROOT);
        if (!v.equals("true") && !v.equals("false")) {
          throw new IllegalArgumentException(
              key
                  + " must be true (send ConsistencyLevel: eventual and $count=true) or false,"
                  + " got '"
                  + e.getValue()
                  + "'.");
        }
        toggles.put("eventual." + name, v);
      } else if (TOGGLES.contains(key)) {
        toggles.put(key, toggle(key, e.getValue()));
      } else if (key.equals("directory")) {
        if (!List.of("delta", "full").contains(e.getValue())) {
          throw new IllegalArgumentException(
              "directory must be delta (read what changed since the lake's deltaLink, the"
                  + " default) or full (read every object), got '"
                  + e.getValue()
                  + "'.");
        }
      } else if (!List.of("entities", "run.date", "since", "until", "raw_json").contains(key)) {
        throw new IllegalArgumentException(
            "Unknown parameter '"
                + key
                + "': use entities, run.date, since, until, raw_json, directory, "
                + String.join(", ", TOGGLES)
                + ", filter.<entity>, select.<entity> or eventual.<entity>.");
      }
    }
    LocalDate runDate =
        args.containsKey("run.date") ? date("run.date", args.get("run.date")) : today;
    Instant until =
        args.containsKey("until")
            ? graphTime("until", args.get("until"), instant("until", args.get("until")))
            : runDate.atStartOfDay(ZoneOffset.UTC).toInstant();
    if (runDate.isAfter(today)) {
      throw new IllegalArgumentException(
          "run.date="
              + runDate
              + " is after today ("
              + today
              + ", UTC): a load reads what has happened, up to the run date's midnight. Give"
              + " today or an earlier date, or leave run.date out.");
    }
    Instant endOfToday = today.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    if (until.isAfter(endOfToday)) {
      throw new IllegalArgumentException(
          "until="
              + until
              + " is after today ("
              + today
              + ", UTC): a load reads what has happened. Give a time up to "
              + endOfToday
              + ", or leave until out for the run date's midnight.");
    }
    String sinceArg = args.get("since");
    boolean cursor = sinceArg == null || sinceArg.equals("cursor");
    Instant since;
    if (cursor) {
      since = until.minus(Duration.ofDays(7)); // for a log the lake has no mark of
    } else if (sinceArg.startsWith("-P")) {
      // A duration before until, e.g. -P30D: lets a scheduled backfill stay relative.
      try {
        since = until.minus(Duration.parse(sinceArg.substring(1)));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(
            "since must be cursor, a date, an instant or a duration like -P30D, got '"
                + sinceArg
                + "'.");
      }
    } else {
      try {
        since = instant("since", sinceArg);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "since must be cursor, a duration like -P30D, a date (2026-11-24) or an instant"
                + " (2026-11-24T00:00:00Z), got '"
                + sinceArg
                + "'.");
      }
      graphTime("since", sinceArg, since);
    }
    if (!since.isBefore(until)) {
      throw new IllegalArgumentException(
          "since (" + since + ") must be before until (" + until + ").");
    }
    String rawJson = args.get("raw_json");
    if (rawJson != null && !rawJson.equals("none")) {
      Entities.parse(rawJson); // names every table, or says which are unknown
    }
    return new LoadParameters(
        tenantId,
        Entities.parse(args.get("entities")),
        runDate,
        new LogWindow(since, until, cursor),
        Map.copyOf(filters),
        Map.copyOf(selects),
        rawJson,
        Collections.unmodifiableMap(toggles),
        1,
        "full".equals(args.get("directory")));
  }

  private static String toggle(String key, String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    Entity.Values values = values(key);
    if (!v.matches(values.pattern())) {
      throw new IllegalArgumentException(
          key + " must be " + values.described() + ", got '" + value + "'.");
    }
    return v;
  }

  /** The $filter clauses the toggles add for an entity, in the entity's order. */
  private List<String> toggleClauses(Entity entity) {
    List<String> clauses = new ArrayList<>();
    for (Entity.Narrowing n : entity.narrowing()) {
      String value = toggles.get(n.toggle());
      String clause = value == null ? null : n.clause().of(value, window.until());
      if (clause != null) {
        clauses.add(clause);
      }
    }
    return clauses;
  }

  /** The same launch for a tenant (a launch is parsed once, then given each tenant it loads). */
  public LoadParameters withTenant(String tenant) {
    return new LoadParameters(
        tenant,
        entities,
        runDate,
        window,
        filters,
        selects,
        rawJson,
        toggles,
        attempt,
        fullDirectory);
  }

  /** The same launch as another attempt. */
  public LoadParameters withAttempt(int number) {
    return new LoadParameters(
        tenantId,
        entities,
        runDate,
        window,
        filters,
        selects,
        rawJson,
        toggles,
        number,
        fullDirectory);
  }

  /**
   * The {@code $select} a delta round of the entity tracks, or null when this launch reads it in
   * full: it has no delta function, {@code directory=full}, or a filter (the user's or a toggle's)
   * narrows it, which delta queries cannot. The entity's extra is left out: Graph's delta does not
   * track it, so it keeps the value the last full read gave.
   */
  private String deltaSelect(Entity entity) {
    if (entity.delta() == null
        || fullDirectory
        || filters.containsKey(entity.name())
        || !toggleClauses(entity).isEmpty()) {
      return null;
    }
    return entity.delta().select() != null ? entity.delta().select() : select(entity, false);
  }

  /**
   * Whether this launch keeps the entity's items as Graph sent them in {@code raw_json}: as {@code
   * raw_json=} says (a list of tables, {@code all} or {@code none}), else the table's default.
   */
  private boolean keepsRawJson(Entity entity) {
    if (!entity.readFromGraph()) {
      return false; // computed rows: Graph sent no item for them
    }
    if (rawJson == null) {
      return entity.rawJson();
    }
    return !rawJson.equals("none") && Entities.parse(rawJson).contains(entity);
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

  /** A time for a $filter: written out, nanoseconds take 9 digits; Graph's DateTimeOffset 7. */
  private static Instant graphTime(String key, String value, Instant t) {
    if (t.getNano() % 1_000 != 0) {
      throw new IllegalArgumentException(
          key
              + " has more than 6 fractional digits of a second, which Graph refuses in a $filter:"
              + " give at most microseconds (2026-11-24T05:00:00.123456Z), got '"
              + value
              + "'.");
    }
    return t;
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
    b.addString("since", window.cursor() ? "cursor" : window.since().toString());
    b.addString("until", window.until().toString());
    filters.forEach((k, v) -> b.addString("filter." + k, v));
    selects.forEach((k, v) -> b.addString("select." + k, v));
    if (rawJson != null) {
      b.addString("raw_json", rawJson);
    }
    toggles.forEach(b::addString);
    if (fullDirectory) {
      b.addString("directory", "full");
    }
    if (attempt > 1) {
      b.addString(ATTEMPT, Integer.toString(attempt));
    }
    return b.toJobParameters();
  }

  /** Reads a launch back from its job parameters (for restart). */
  public static LoadParameters of(JobParameters parameters) {
    Map<String, String> args = new LinkedHashMap<>();
    parameters
        .parameters()
        .forEach(
            p -> {
              if (!p.name().equals("tenant") && !p.name().equals(ATTEMPT)) {
                args.put(p.name(), String.valueOf(p.value()));
              }
            });
    String attempt = parameters.getString(ATTEMPT);
    // run.date is among the args; today only bounds it (a launch was checked on its own day).
    return parse(parameters.getString("tenant"), args, LocalDate.now(ZoneOffset.UTC))
        .withAttempt(attempt == null ? 1 : Integer.parseInt(attempt));
  }

  /** Each table's plan, in the launch's order. */
  public List<TablePlan> plans() {
    return entities.stream().map(this::plan).toList();
  }

  /**
   * The table's plan: its query ($select, $top, $expand, the user's $filter and the toggles'
   * clauses), with and without its {@link Entity.Extra}, and what the load does with the answer.
   */
  public TablePlan plan(Entity entity) {
    boolean eventual = needsEventual(entity);
    ODataQuery with = query(entity, true, eventual);
    ODataQuery without = entity.extra() == null ? with : query(entity, false, eventual);
    return new TablePlan(
        entity,
        with,
        without.equals(with) ? null : without,
        eventual,
        given(entity),
        deltaSelect(entity),
        keepsRawJson(entity),
        extraWanted(entity),
        filters.containsKey(entity.name()),
        window);
  }

  /**
   * The query without a log's window, with or without the entity's {@link Entity.Extra} (left out
   * after Graph refused it): a selected extra caps $top at the page size Graph allows with it.
   */
  private ODataQuery query(Entity entity, boolean withExtra, boolean eventual) {
    String select = entity.selectable() ? select(entity, withExtra) : null;
    int top = entity.pageSize();
    if (top > 0
        && select != null
        && entity.extra() != null
        && List.of(select.split(",")).contains(entity.extra().property())) {
      top = Math.min(top, entity.extra().pageSize());
    }
    ODataQuery query =
        ODataQuery.of(select, top).expand(entity.expand()).filter(filters.get(entity.name()));
    for (String clause : toggleClauses(entity)) {
      query = query.and(clause);
    }
    return query.advanced(eventual);
  }

  /**
   * The $select for an entity: the product's default, the user's {@code select.<entity>=} in its
   * place, or the default plus the properties of a {@code select.<entity>=+a,b} (which land in
   * raw_json); the entity's {@link Entity.Extra} left out of the default when the launch turns it
   * off or {@code withExtra} is false (a user's own full $select is kept as given, unless Graph
   * refused the extra).
   */
  private String select(Entity entity, boolean withExtra) {
    Entity.Extra extra = entity.extra();
    String select =
        ODataQuery.select(
            entity.defaultSelect(),
            selects.get(entity.name()),
            extra != null && !extraWanted(entity) ? extra.property() : null);
    if (withExtra || extra == null) {
      return select;
    }
    List<String> without = new ArrayList<>(List.of(select.split(",")));
    without.remove(extra.property());
    return String.join(",", without);
  }

  /**
   * Whether the launch keeps the entity's {@link Entity.Extra} (yes unless its toggle is false).
   */
  private boolean extraWanted(Entity entity) {
    return entity.extra() != null && !"false".equals(toggles.get(entity.extra().toggle()));
  }

  /** The parameters of the launch that shaped the entity's query, as the user gave them. */
  private List<String> given(Entity entity) {
    List<String> given = new ArrayList<>();
    if (filters.containsKey(entity.name())) {
      given.add("filter." + entity.name() + "=" + filters.get(entity.name()));
    }
    if (selects.containsKey(entity.name())) {
      given.add("select." + entity.name() + "=" + selects.get(entity.name()));
    }
    if (!toggleClauses(entity).isEmpty()) {
      Set<String> keys = new HashSet<>();
      entity.narrowing().forEach(n -> keys.add(n.toggle()));
      if (entity.extra() != null) {
        keys.add(entity.extra().toggle());
      }
      toggles.forEach(
          (k, v) -> {
            if (keys.contains(k)) {
              given.add(k + "=" + v);
            }
          });
    }
    return given;
  }

  /**
   * Whether the entity's query is an advanced one ({@code ConsistencyLevel: eventual} and {@code
   * $count=true}): as {@code eventual.<entity>=} says, else as Microsoft's table of properties and
   * operators has it for the user's filter and the toggles' clauses ({@link AdvancedQueries}).
   */
  private boolean needsEventual(Entity entity) {
    String override = toggles.get("eventual." + entity.name());
    if (override != null) {
      return override.equals("true");
    }
    if (entity.isLog()) {
      return false;
    }
    List<String> clauses = new ArrayList<>(toggleClauses(entity));
    if (filters.containsKey(entity.name())) {
      clauses.add(filters.get(entity.name()));
    }
    return AdvancedQueries.needed(entity.path(), String.join(" and ", clauses));
  }

  public String describe() {
    return "entities="
        + String.join(",", entities.stream().map(Entity::name).toList())
        + " run.date="
        + runDate
        + " window="
        + window.describe()
        + (filters.isEmpty() ? "" : " filters=" + filters.keySet())
        + (selects.isEmpty() ? "" : " selects=" + selects.keySet()).toLowerCase(Locale.ROOT)
        + (toggles.isEmpty() ? "" : " " + toggles)
        + (attempt > 1 ? " attempt=" + attempt : "");
  }
}
