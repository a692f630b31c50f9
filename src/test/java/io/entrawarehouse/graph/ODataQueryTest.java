package io.entrawarehouse.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The query string Graph receives, from the options the job resolved. */
class ODataQueryTest {

  @Test
  void optionsComeInGraphsOrderEncodedAndCountOnlyWithAFilter() {
    ODataQuery q = ODataQuery.of("id,displayName", 999).expand("registeredOwners($select=id)");
    assertThat(q.advanced(true))
        .hasToString("$select=id,displayName&$top=999&$expand=registeredOwners%28$select%3Did%29");
    assertThat(q.filter("startswith(displayName,'A')").advanced(true).toString())
        .endsWith("&$filter=startswith%28displayName,%27A%27%29&$count=true");
    assertThat(ODataQuery.of(null, 0)).hasToString("");
  }

  @Test
  void aWindowComesFirstAndEachAddedClauseBindsWhatCameBefore() {
    ODataQuery q =
        ODataQuery.of(null, 0).filter("a eq 1 or b eq 2").within("t ge 1 and t lt 2").and("c eq 3");
    assertThat(q.filter()).isEqualTo("(t ge 1 and t lt 2 and (a eq 1 or b eq 2)) and c eq 3");
    assertThat(ODataQuery.of(null, 0).within("w").filter()).isEqualTo("w");
    assertThat(ODataQuery.of(null, 0).and("c").and("d").filter()).isEqualTo("(c) and d");
  }

  @Test
  void aUsersSelectReplacesOrAddsToTheDefaultsAndOneDefaultMayBeLeftOut() {
    assertThat(ODataQuery.select("id,a,b", null, "b")).isEqualTo("id,a");
    assertThat(ODataQuery.select("id,a,b", "+c, a", "b")).isEqualTo("id,a,c");
    assertThat(ODataQuery.select("id,a,b", "x, y", "b")).isEqualTo("x,y");
    assertThatThrownBy(() -> ODataQuery.checkedSelect("select.users", "+"))
        .hasMessageContaining("names no property");
    assertThatThrownBy(() -> ODataQuery.checkedSelect("select.users", "id&$top=1"))
        .hasMessageContaining("'id&$top=1' is not a property name");
  }
}
