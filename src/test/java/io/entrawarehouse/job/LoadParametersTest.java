package io.entrawarehouse.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.entrawarehouse.warehouse.Entities;
import io.entrawarehouse.warehouse.Entity;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoadParametersTest {

  private static final LocalDate TODAY = LocalDate.parse("2026-11-30");

  @Test
  void togglesOnlyNarrowTheUsersFilterAndABadValueNamesWhatIsAllowed() {
    LoadParameters launch =
        LoadParameters.parse(
            "t",
            Map.of(
                "inactive", "exclude",
                "devices.seen_within_days", "7",
                "filter.devices", "operatingSystem eq 'Windows' or isManaged eq true"),
            TODAY);
    String devices =
        URLDecoder.decode(launch.plan(Entities.DEVICES).query(), StandardCharsets.UTF_8);
    // The user's filter stays whole, in parentheses, and'ed with each toggle's clause.
    assertThat(devices)
        .contains(
            "$filter=((operatingSystem eq 'Windows' or isManaged eq true) and accountEnabled eq"
                + " true) and approximateLastSignInDateTime ge 2026-11-23T00:00:00Z");
    assertThat(URLDecoder.decode(launch.plan(Entities.USERS).query(), StandardCharsets.UTF_8))
        .contains("$filter=accountEnabled eq true");
    assertThat(launch.plan(Entities.GROUPS).query()).doesNotContain("$filter");
    assertThat(launch.toJobParameters().getString("inactive")).isEqualTo("exclude");

    assertThatThrownBy(() -> LoadParameters.parse("t", Map.of("inactive", "maybe"), TODAY))
        .hasMessage("inactive must be include or exclude, got 'maybe'.");
    assertThatThrownBy(
            () -> LoadParameters.parse("t", Map.of("devices.seen_within_days", "0"), TODAY))
        .hasMessageContaining("a number of days from 1 to 99999");
  }

  @Test
  void aPlusSelectAddsToTheDefaultAndRawJsonNamesTables() {
    LoadParameters launch =
        LoadParameters.parse(
            "t", Map.of("select.users", "+employeeHireDate,id", "raw_json", "users"), TODAY);
    assertThat(launch.plan(Entities.USERS).withExtra().select())
        .startsWith(Entities.USERS.defaultSelect())
        .endsWith(",employeeHireDate");
    assertThat(launch.plan(Entities.USERS).rawJson()).isTrue();
    assertThat(launch.plan(Entities.GROUPS).rawJson()).isFalse();
    assertThatThrownBy(() -> LoadParameters.parse("t", Map.of("raw_json", "userz"), TODAY))
        .hasMessageContaining("Unknown entity 'userz'");
  }

  @Test
  void signInActivityCapsTheUsersPageAt500AndItsToggleLeavesItOut() {
    String byDefault = decoded(LoadParameters.parse("t", Map.of(), TODAY), true);
    assertThat(byDefault).contains(",signInActivity").contains("$top=500");
    assertThat(decoded(LoadParameters.parse("t", Map.of(), TODAY), false))
        .doesNotContain("signInActivity")
        .contains("$top=999");

    LoadParameters off =
        LoadParameters.parse("t", Map.of("users.sign_in_activity", "false"), TODAY);
    assertThat(decoded(off, true)).doesNotContain("signInActivity").contains("$top=999");
    assertThat(off.plan(Entities.USERS).extraWanted()).isFalse();

    // A user's own $select naming signInActivity gets the page size Graph allows with it (the
    // "Must be between 1 and 500" refusal the issue reported), and a plus-select keeps it.
    LoadParameters own =
        LoadParameters.parse("t", Map.of("select.users", "id,signInActivity"), TODAY);
    assertThat(decoded(own, true)).contains("$select=id,signInActivity&$top=500");
    assertThat(decoded(own, false)).contains("$select=id&$top=999");
    LoadParameters plus =
        LoadParameters.parse("t", Map.of("select.users", "+employeeHireDate"), TODAY);
    assertThat(decoded(plus, true)).contains("signInActivity,employeeHireDate&$top=500");

    assertThat(decoded(LoadParameters.parse("t", Map.of(), TODAY), Entities.GROUPS))
        .contains("$top=999");
    assertThatThrownBy(
            () -> LoadParameters.parse("t", Map.of("users.sign_in_activity", "no"), TODAY))
        .hasMessage("users.sign_in_activity must be true or false, got 'no'.");
  }

  private static String decoded(LoadParameters launch, boolean withExtra) {
    return URLDecoder.decode(launch.plan(Entities.USERS).query(withExtra), StandardCharsets.UTF_8);
  }

  private static String decoded(LoadParameters launch, Entity e) {
    return URLDecoder.decode(launch.plan(e).query(), StandardCharsets.UTF_8);
  }

  @Test
  void withoutSinceEachLogIsReadFromItsMarkAndTheJobParameterSaysCursor() {
    LoadParameters nightly = LoadParameters.parse("t", Map.of(), TODAY);
    assertThat(nightly.window().cursor()).isTrue();
    assertThat(nightly.toJobParameters().getString("since")).isEqualTo("cursor");
    assertThat(LoadParameters.of(nightly.toJobParameters())).isEqualTo(nightly);
    assertThat(nightly.describe()).contains("window=[each log's mark less 2 h, else 2026-11-23");
    assertThat(LoadParameters.parse("t", Map.of("since", "cursor"), TODAY)).isEqualTo(nightly);

    LoadParameters backfill = LoadParameters.parse("t", Map.of("since", "-P29D"), TODAY);
    assertThat(backfill.window().cursor()).isFalse();
    assertThat(backfill.toJobParameters().getString("since")).isEqualTo("2026-11-01T00:00:00Z");
    assertThatThrownBy(() -> LoadParameters.parse("t", Map.of("since", "mark"), TODAY))
        .hasMessage(
            "since must be cursor, a duration like -P30D, a date (2026-11-24) or an instant"
                + " (2026-11-24T00:00:00Z), got 'mark'.");
  }
}
