package io.entrawarehouse.warehouse;

import io.entrawarehouse.warehouse.Entity.Delta;
import io.entrawarehouse.warehouse.Entity.Extra;
import io.entrawarehouse.warehouse.Entity.Lookup;
import io.entrawarehouse.warehouse.Entity.Parent;
import java.util.List;

/**
 * Where a table's rows come from: one of six kinds, each with what only it needs. An {@link Entity}
 * has exactly one; its builder refuses settings that mix them.
 */
public sealed interface Source {

  /**
   * A plain collection, each item a row.
   *
   * @param delta the entity's delta function: later loads read only what changed since the
   *     deltaLink the lake holds; null when Graph has none for it
   * @param extra a property the default $select asks for that needs more than the endpoint does (a
   *     user's signInActivity); null when there is none
   */
  record Collection(Delta delta, Extra extra) implements Source {}

  /**
   * A collection under each item of another (a group's members).
   *
   * @param parent the collection whose ids fill {@code {id}}
   * @param delta the parents' delta function that carries the children, or null
   */
  record PerParent(Parent parent, Delta delta) implements Source {}

  /**
   * The elements of array properties of each item (a user's assigned licences; an app's key and
   * password credentials); each element is a row, with its item's id as {@link Parent#FIELD}, the
   * array's name as {@link #ARRAY} and the collection's as {@link #SOURCE}.
   *
   * @param each those properties, comma-separated
   * @param expand when the array is a relationship ({@code registeredOwners} of devices), the
   *     {@code $expand} that brings it with each item; null otherwise
   * @param also more collections whose items have the same arrays (service principals' credentials
   *     beside applications'), read after the path
   * @param lookup another collection whose values the elements are joined with (a licence's SKU
   *     part number); null otherwise
   */
  record Elements(String each, String expand, List<String> also, Lookup lookup) implements Source {
    public Elements {
      also = List.copyOf(also);
    }
  }

  /**
   * A log, read in time windows.
   *
   * @param timeProperty the event-time property windows filter on
   */
  record Log(String timeProperty) implements Source {}

  /**
   * A table computed without a request: the transitive closure of a per-parent membership table
   * (group members at any depth, from the direct ones); its path names the Graph endpoint whose
   * answer it equals.
   */
  record Closure(Entity of, Parent parent) implements Source {}

  /** A history table ({@code users_history}): the versions of another table's rows. */
  record History(Entity of) implements Source {}
}
