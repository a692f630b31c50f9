package io.entrawarehouse.warehouse;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The application permissions an entity's endpoint needs, as Microsoft's Graph reference lists them
 * (least privileged first). Explains a 403 and fills {@code check}'s "needs" column.
 *
 * @param display how to name it to an admin
 * @param anyOf one of these is enough (empty: no such condition)
 * @param allOf and every one of these is needed
 */
public record Permission(String display, Set<String> anyOf, Set<String> allOf) {

  /** Directory.Read.All reads every directory object; its write sibling includes it. */
  static final Set<String> DIRECTORY = Set.of("Directory.Read.All", "Directory.ReadWrite.All");

  /**
   * One of these permissions, or Directory.Read.All.
   *
   * @param display how an admin would name what to grant, e.g. "GroupMember.Read.All or
   *     Group.Read.All"
   */
  static Permission anyOf(String display, String... permissions) {
    Set<String> any = new HashSet<>(DIRECTORY);
    any.addAll(List.of(permissions));
    return new Permission(display, Set.copyOf(any), Set.of());
  }

  /** Every one of these. */
  static Permission allOf(String... permissions) {
    return new Permission(String.join(" + ", permissions), Set.of(), Set.of(permissions));
  }

  public boolean grantedBy(Set<String> roles) {
    return missing(roles) == null;
  }

  /** What to add for these roles to be enough, as an admin would name it; null if nothing. */
  public String missing(Set<String> roles) {
    List<String> absent = new ArrayList<>();
    if (!anyOf.isEmpty() && anyOf.stream().noneMatch(roles::contains)) {
      absent.add(display);
    }
    allOf.stream().filter(p -> !roles.contains(p)).sorted().forEach(absent::add);
    return absent.isEmpty() ? null : String.join(" + ", absent);
  }
}
