package io.entrawarehouse.simulator;

/** How Graph lets a property be filtered on. */
enum FilterSupport {
  /** Works in a plain request. */
  BASIC,
  /** Needs an advanced query: {@code ConsistencyLevel: eventual} and {@code $count=true}. */
  ADVANCED
}
