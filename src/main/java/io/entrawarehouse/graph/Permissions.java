package io.entrawarehouse.graph;

import java.util.Map;
import java.util.Set;

/**
 * The application permissions each entity needs, as Entra's connector documentation lists them
 * (NOTES.md). Used to explain a 403 and by {@code check}.
 */
public final class Permissions {

  /**
   * @param display how to name it to an admin
   * @param anyOf one of these is enough (empty: no such condition)
   * @param allOf and every one of these is needed
   */
  public record Requirement(String display, Set<String> anyOf, Set<String> allOf) {
    public boolean grantedBy(Set<String> roles) {
      return missing(roles) == null;
    }

    /** What to add for these roles to be enough, as an admin would name it; null if nothing. */
    public String missing(Set<String> roles) {
      java.util.List<String> absent = new java.util.ArrayList<>();
      if (!anyOf.isEmpty() && anyOf.stream().noneMatch(roles::contains)) {
        absent.add(display);
      }
      allOf.stream().filter(p -> !roles.contains(p)).sorted().forEach(absent::add);
      return absent.isEmpty() ? null : String.join(" + ", absent);
    }
  }

  private static final Set<String> DIRECTORY =
      Set.of("Directory.Read.All", "Directory.ReadWrite.All");

  private static final Requirement USERS =
      new Requirement(
          "User.Read.All",
          union(Set.of("User.Read.All", "User.ReadWrite.All"), DIRECTORY),
          Set.of());
  private static final Requirement GROUPS =
      new Requirement(
          "GroupMember.Read.All or Group.Read.All",
          union(Set.of("GroupMember.Read.All", "Group.Read.All", "Group.ReadWrite.All"), DIRECTORY),
          Set.of());
  private static final Requirement DEVICES =
      new Requirement(
          "Device.Read.All",
          union(Set.of("Device.Read.All", "Device.ReadWrite.All"), DIRECTORY),
          Set.of());
  private static final Requirement LOGS =
      new Requirement(
          "AuditLog.Read.All + Directory.Read.All",
          Set.of(),
          Set.of("AuditLog.Read.All", "Directory.Read.All"));

  private static final Map<String, Requirement> BY_NAME =
      Map.ofEntries(
          Map.entry("users", USERS),
          Map.entry("groups", GROUPS),
          Map.entry("group_members", GROUPS),
          Map.entry("group members", GROUPS),
          Map.entry("devices", DEVICES),
          Map.entry("directory_audits", LOGS),
          Map.entry("directory audits", LOGS),
          Map.entry("sign_ins", LOGS),
          Map.entry("sign-ins", LOGS));

  private Permissions() {}

  /** The requirement for an entity, by its table name or the way messages name it. */
  public static Requirement of(String entity) {
    Requirement r = BY_NAME.get(entity);
    return r != null
        ? r
        : new Requirement("the permission its endpoint documents", Set.of(), Set.of());
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    java.util.Set<String> all = new java.util.HashSet<>(a);
    all.addAll(b);
    return Set.copyOf(all);
  }
}
