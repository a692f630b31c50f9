package io.entrawarehouse.warehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every table's descriptor, walked: what each kind of source promises holds for it. */
class EntityTest {

  /** Every table the product writes: the loaded ones, their histories, the member-side readers. */
  static Stream<Entity> tables() {
    List<Entity> all = new ArrayList<>(Entities.ALL.values());
    all.addAll(Entities.HISTORY.values());
    Entities.ALL.values().stream()
        .map(Entity::memberSideReader)
        .filter(e -> e != null)
        .forEach(all::add);
    return all.stream();
  }

  @ParameterizedTest
  @MethodSource("tables")
  void eachTableIsOneKindOfSourceAndItsSettingsAgreeWithIt(Entity table) {
    // its builder gives it back unchanged
    assertThat(table.toBuilder(table.name(), table.path()).build()).isEqualTo(table);

    List<String> names = table.columns().stream().map(Column::name).toList();
    assertThat(names).doesNotHaveDuplicates().containsAll(table.idColumns());
    assertThat(table.allColumns())
        .startsWith(Entity.TENANT)
        .endsWith(Entity.LOAD_ID, Entity.LOADED_AT, Entity.RAW_JSON);
    Schema schema = table.avroSchema();
    assertThat(schema.getFields().stream().map(Schema.Field::name).toList())
        .isEqualTo(table.allColumns());
    for (String column : table.allColumns()) {
      assertThat(table.duckdbDdl()).contains("  " + column + " ");
    }

    Source source = table.source();
    if (source instanceof Source.Log log) {
      assertThat(table.isLog()).isTrue();
      assertThat(table.timeColumn().path()).isEqualTo(log.timeProperty());
      assertThat(table.partitionColumn()).isEqualTo("event_date");
      assertThat(table.delta()).isNull();
    } else if (source instanceof Source.PerParent perParent) {
      assertThat(table.path()).contains("{id}");
      assertThat(table.pathFor("a b")).contains("/a+b/").doesNotContain("{id}");
      assertThat(table.parent().path()).startsWith("/").doesNotContain("{id}");
      assertThat(table.readByParentsDelta()).isEqualTo(perParent.delta() != null);
    } else if (source instanceof Source.Elements elements) {
      assertThat(table.paths()).first().isEqualTo(table.path());
      assertThat(table.paths()).containsAll(elements.also());
      assertThat(table.defaultSelect()).startsWith("id");
      assertThat(table.columns().stream().map(Column::path)).contains(Entity.Parent.FIELD);
    } else if (source instanceof Source.Closure closure) {
      assertThat(table.readFromGraph()).isFalse();
      assertThat(closure.of().parent().path()).isEqualTo(closure.parent().path());
      assertThat(table.columns()).isEqualTo(closure.of().columns());
    } else if (source instanceof Source.History history) {
      assertThat(table.name()).isEqualTo(history.of().name() + "_history");
      assertThat(table.rawJson()).isFalse();
      assertThat(table.idColumns()).endsWith(Entity.VALID_FROM);
      assertThat(table.parent()).isEqualTo(history.of().parent());
    } else if (source instanceof Source.Collection collection) {
      assertThat(table.path()).doesNotContain("{id}");
      if (collection.extra() != null) {
        assertThat(table.defaultSelect().split(",")).contains(collection.extra().property());
        assertThat(collection.extra().pageSize()).isBetween(1, table.pageSize());
      }
    }
    if (table.selectable() && table.each() == null && table.readFromGraph()) {
      // every column that reads a Graph property asks for it
      List<String> select = Arrays.asList(table.defaultSelect().split(","));
      table.columns().stream()
          .filter(c -> !c.path().startsWith("@"))
          .forEach(c -> assertThat(select).contains(c.property()));
    }
    for (Entity.Narrowing n : table.narrowing()) {
      assertThat(table.source()).isInstanceOf(Source.Collection.class);
      assertThat(n.toggle()).isNotBlank();
    }
  }

  @Test
  void theBuilderRefusesSettingsThatMixKindsOrContradictThemselvesNamingTheTable() {
    Column id = Column.of("id", Column.Type.STRING, "id");
    Permission p = Permission.allOf("Directory.Read.All");
    assertThatThrownBy(
            () ->
                Entity.builder("odd", "/auditLogs/signIns")
                    .permission(p)
                    .columns(id, Column.of("t", Column.Type.TIMESTAMP, "createdDateTime"))
                    .pageSize(10)
                    .log("createdDateTime")
                    .each("items")
                    .build())
        .hasMessage("Entity odd: it is at once log and elements");
    assertThatThrownBy(
            () -> Entity.builder("odd", "/groups/{id}/members").permission(p).columns(id).build())
        .hasMessage("Entity odd: {id} in the path and a parent collection go together");
    assertThatThrownBy(
            () ->
                Entity.builder("odd", "/auditLogs/signIns")
                    .permission(p)
                    .columns(id)
                    .pageSize(10)
                    .log("createdDateTime")
                    .build())
        .hasMessage("Entity odd: no column reads the time property createdDateTime");
    assertThatThrownBy(
            () -> Entity.builder("odd", "/users").permission(p).columns(id).ids("key").build())
        .hasMessage("Entity odd: the id columns [key] are not columns");
    assertThatThrownBy(() -> Entity.builder("odd", "/users").columns(id).build())
        .hasMessage("Entity odd: no permission");
    assertThatThrownBy(
            () ->
                Entity.builder("odd", "/users")
                    .permission(p)
                    .columns(id)
                    .pageSize(999)
                    .each("items")
                    .delta("/users/delta")
                    .build())
        .hasMessage("Entity odd: a delta function is for a collection or a per-parent table");
  }
}
