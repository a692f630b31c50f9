package io.entrawarehouse.simulator;

import java.text.Normalizer;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The synthetic directory behind the simulator: a pure function of (seed, scale, reference time).
 *
 * <p>Nothing is stored per object: item {@code i} of each collection is generated on demand from a
 * hash of (seed, kind, i), so the {@code large} scale costs a few megabytes (group sizes and the
 * group id index) whatever the number of users or sign-ins. Logs are ordered newest first by index:
 * the timestamp of log item {@code i} decreases strictly with {@code i}, which lets time-window
 * filters be answered by binary search.
 *
 * <p>Items are JSON-ready maps whose keys and value types follow Microsoft's documented v1.0
 * examples. Instances are immutable and thread-safe.
 */
public final class DemoTenant {

  static final int USER = 1;
  public static final int DEVICE = 2;
  static final int GROUP = 3;
  static final int AUDIT = 4;
  static final int SIGN_IN = 5;
  static final int SERVICE_PRINCIPAL = 6;
  static final int MEMBERS = 7;
  static final int DEVICE_ID = 8;
  static final int REQUEST = 9;
  static final int TENANT = 10;
  static final int APP = 11;
  static final int APPLICATION = 12;
  static final int CREDENTIAL = 13;
  static final int ROLE = 14;
  static final int REGISTRATION = 15;
  static final int DORMANT = 16;
  static final int DEVICE_OWNER = 17;

  /** The kinds of directory object a group can hold, in the order members are listed. */
  public enum MemberKind {
    USER,
    GROUP,
    DEVICE,
    SERVICE_PRINCIPAL
  }

  enum GroupType {
    SECURITY,
    SYNCED_SECURITY,
    UNIFIED,
    DYNAMIC_USERS,
    DYNAMIC_DEVICES
  }

  private static final List<String> GIVEN_NAMES =
      List.of(
          "Adele",
          "Alex",
          "Allan",
          "Bianca",
          "Brian",
          "Christie",
          "Debra",
          "Diego",
          "Emily",
          "Enrico",
          "Grady",
          "Henrietta",
          "Isaiah",
          "Johanna",
          "Joni",
          "Lee",
          "Lidia",
          "Lynne",
          "Megan",
          "Miriam",
          "Nestor",
          "Patti",
          "Pradeep",
          "José",
          "Zoë",
          "Søren",
          "Łukasz",
          "François",
          "Björn",
          "Chloé",
          "美咲",
          "Анна",
          "محمد",
          "Ngọc",
          "Ayşe",
          "Siobhán");
  private static final List<String> SURNAMES =
      List.of(
          "Vance",
          "Wilber",
          "Brown",
          "Stark",
          "Lindqvist",
          "García",
          "Müller",
          "Østergaard",
          "Nowak",
          "Dubois",
          "O'Brien",
          "佐藤",
          "Иванова",
          "Al-Farsi",
          "Nguyễn",
          "Yılmaz",
          "Ní Bhriain",
          "Smith",
          "Johnson",
          "Patel",
          "Kim",
          "Rossi",
          "Schmidt",
          "Kowalski");
  private static final List<String> DEPARTMENTS =
      List.of(
          "Sales",
          "Marketing",
          "Engineering",
          "Finance",
          "Human Resources",
          "Legal",
          "IT",
          "Operations",
          "Research & Development",
          "Customer Support");
  private static final List<String> JOB_TITLES =
      List.of(
          "Account Manager",
          "Software Engineer",
          "Director",
          "Analyst",
          "Consultant",
          "Designer",
          "Product Manager",
          "Technician",
          "Marketing Assistant",
          "CFO",
          "Administrator");
  private static final List<String[]> PLACES =
      List.of(
          new String[] {"Redmond", "Washington", "US", "47.6740", "-122.1215"},
          new String[] {"New York", "New York", "US", "40.7128", "-74.0060"},
          new String[] {"London", "England", "GB", "51.5072", "-0.1276"},
          new String[] {"Paris", "Île-de-France", "FR", "48.8566", "2.3522"},
          new String[] {"München", "Bayern", "DE", "48.1351", "11.5820"},
          new String[] {"Tokyo", "Tokyo", "JP", "35.6762", "139.6503"},
          new String[] {"São Paulo", "São Paulo", "BR", "-23.5558", "-46.6396"},
          new String[] {"Sydney", "New South Wales", "AU", "-33.8688", "151.2093"},
          new String[] {"Bengaluru", "Karnataka", "IN", "12.9716", "77.5946"},
          new String[] {"Lagos", "Lagos", "NG", "6.5244", "3.3792"});
  private static final List<String> SKUS =
      List.of(
          "05e9a617-0261-4cee-bb44-138d3ef5d965", // Microsoft 365 E3
          "06ebc4ee-1bb5-47dd-8120-11324bc54e06", // Microsoft 365 E5
          "6fd2c87f-b296-42f0-b197-1e91e994b900", // Office 365 E3
          "efccb6f7-5641-4e0e-bd10-b4976e1bf68e", // Enterprise Mobility + Security E3
          "f8a1db68-be16-40ed-86d5-cb42ce701560"); // Power BI Pro
  private static final List<String[]> APPS =
      List.of(
          new String[] {"de8bc8b5-d9f9-48b1-a8ad-b748da725064", "Graph explorer"},
          new String[] {"00000002-0000-0ff1-ce00-000000000000", "Office 365 Exchange Online"},
          new String[] {"1fec8e78-bce4-4aaf-ab1b-5451cc387264", "Microsoft Teams"},
          new String[] {"c44b4083-3bb0-49c1-b47d-974e53cbdf3c", "Azure Portal"},
          new String[] {"00000003-0000-0ff1-ce00-000000000000", "Office 365 SharePoint Online"},
          new String[] {"d3590ed6-52b3-4102-aeff-aad2292ab01c", "Microsoft Office"});
  private static final List<String[]> RESOURCES =
      List.of(
          new String[] {"00000003-0000-0000-c000-000000000000", "Microsoft Graph"},
          new String[] {"00000002-0000-0ff1-ce00-000000000000", "Office 365 Exchange Online"},
          new String[] {
            "797f4846-ba00-4fd7-ba43-dac1f8f63013", "Windows Azure Service Management API"
          });
  private static final List<Object[]> SIGN_IN_FAILURES =
      List.of(
          new Object[] {50126, "Error validating credentials due to invalid username or password."},
          new Object[] {50053, "Account is locked because user tried to sign in too many times."},
          new Object[] {50074, "Strong Authentication is required."},
          new Object[] {
            50076,
            "Due to a configuration change made by your administrator, or"
                + " because you moved to a new location, you must use multi-factor authentication."
          },
          new Object[] {53003, "Access has been blocked by Conditional Access policies."},
          new Object[] {50057, "User account is disabled."},
          new Object[] {
            50140,
            "This error occurred due to 'Keep me signed in' interrupt when the"
                + " user was signing in."
          });
  private static final List<String[]> CA_POLICIES =
      List.of(
          new String[] {
            "de7e60eb-ed89-4d73-8205-2227def6b7c9", "SharePoint limited access for guest workers"
          },
          new String[] {"6b0a3f56-0c71-4c0e-9bb3-1d2f3a63c4f1", "Require MFA for administrators"},
          new String[] {"0f1e3b9a-7a1c-4e55-8f2a-9c4be0a2d7e3", "Block legacy authentication"},
          new String[] {
            "9a3c5e2d-61b4-47d0-b5a8-3e7f9d1c2b60", "Require compliant device for Office 365"
          });
  private static final List<String[]> AUDIT_ACTIVITIES =
      List.of(
          // service, category, activity, operation type, target type
          new String[] {"Core Directory", "UserManagement", "Update user", "Update", "User"},
          new String[] {"Core Directory", "UserManagement", "Add user", "Add", "User"},
          new String[] {
            "Core Directory", "GroupManagement", "Add member to group", "Assign", "Group"
          },
          new String[] {
            "Core Directory", "GroupManagement", "Remove member from group", "Unassign", "Group"
          },
          new String[] {
            "Core Directory",
            "ApplicationManagement",
            "Add service principal",
            "Add",
            "ServicePrincipal"
          },
          new String[] {"Core Directory", "RoleManagement", "Add member to role", "Assign", "Role"},
          new String[] {"Core Directory", "DeviceManagement", "Add device", "Add", "Device"},
          new String[] {
            "Self-service Group Management",
            "GroupManagement",
            "GroupLifecyclePolicies_Get",
            "Update",
            "N/A"
          },
          new String[] {
            "Self-service Password Management",
            "UserManagement",
            "Reset password (self-service)",
            "Update",
            "User"
          },
          new String[] {"Invited Users", "UserManagement", "Invite external user", "Add", "User"},
          new String[] {
            "PIM", "RoleManagement", "Add member to role completed (PIM activation)", "Add", "Role"
          },
          new String[] {
            "Authentication Methods",
            "UserManagement",
            "User registered security info",
            "Add",
            "User"
          });

  private final long seed;
  private final TenantScale scale;
  private final Instant now;
  private final Duration logSpan;
  private volatile int[][] newestSignIns;
  private final String tenantId;
  private final String domain;
  private final int[] groupSizes;
  private final int[][] groupComposition;
  private final long memberships;

  /**
   * The membership cycle every demo tenant has, as real tenants can (Entra ID does not refuse a
   * group nested in its own member): group {@code cycle[0]} holds group {@code cycle[1]}, whose
   * last member is group {@code cycle[0]}. Null in a tenant with no nesting.
   */
  private final int[] cycle;

  private final Map<String, Integer> groupIndexById;

  /** How much of the tenant changes each day: the share of each kind's living objects. */
  private final double changeRate;

  /** The tenant's day and the changes up to it; day 0 is the base tenant. */
  private volatile TenantChanges changes;

  /**
   * @param seed the generator seed
   * @param scale how many objects of each kind
   * @param now the tenant's fixed "now": every timestamp is relative to it
   * @param logSpan how far back the logs reach from {@code now}
   */
  public DemoTenant(long seed, TenantScale scale, Instant now, Duration logSpan) {
    this(seed, scale, now, logSpan, 0.01);
  }

  /**
   * @param changeRate the share of users, groups and devices changed each day after day 0
   */
  public DemoTenant(
      long seed, TenantScale scale, Instant now, Duration logSpan, double changeRate) {
    this.seed = seed;
    this.changeRate = changeRate;
    this.scale = scale;
    this.now = now.truncatedTo(ChronoUnit.SECONDS);
    this.logSpan = logSpan;
    this.tenantId = Hashing.uuid(seed, TENANT, 0);
    this.domain = "contoso.onmicrosoft.com";
    this.groupSizes = new int[scale.groups()];
    this.groupComposition = new int[scale.groups()][];
    this.memberships = planMemberships();
    this.cycle = findCycle();
    this.groupIndexById = new HashMap<>(scale.groups() * 2);
    for (int g = 0; g < scale.groups(); g++) {
      groupIndexById.put(id(GROUP, g), g);
    }
    this.changes = TenantChanges.none(this);
  }

  /** The tenant the settings describe, at their day. */
  public static DemoTenant of(SimulatorSettings settings) {
    DemoTenant tenant =
        new DemoTenant(
            settings.seed(),
            settings.scale(),
            settings.tenantNow(),
            settings.logSpan(),
            settings.changeRate());
    tenant.day(settings.day());
    return tenant;
  }

  /**
   * Moves the tenant to {@code day} (0: as generated): each day after 0 changes about the change
   * rate of its users, groups and devices. Any day can be set again, earlier or later.
   */
  public synchronized void day(int day) {
    if (day < 0) {
      throw new IllegalArgumentException("the tenant's day must not be negative, got " + day);
    }
    if (day != changes.day()) {
      changes = TenantChanges.at(this, day, changeRate, this::baseObject);
    }
  }

  /** The tenant's day: 0 as generated, then one more per day of changes. */
  public int day() {
    return changes.day();
  }

  /** The tenant's changes up to its day. */
  TenantChanges changes() {
    return changes;
  }

  /** The tenant's "now" on its day: {@link #now()} plus one day per day of changes. */
  public Instant today() {
    return now.plus(Duration.ofDays(changes.day()));
  }

  /** The indices of the objects of a kind there today, ascending (users, groups or devices). */
  public int[] alive(int kind) {
    return changes.population(kind).alive();
  }

  /** A user, group or device as it was on the day of {@code state}. */
  Map<String, Object> object(int kind, int index, TenantChanges state) {
    return state.apply(kind, index, baseObject(kind, index));
  }

  private Map<String, Object> baseObject(int kind, int index) {
    return switch (kind) {
      case USER -> baseUser(index);
      case GROUP -> baseGroup(index);
      case DEVICE -> baseDevice(index);
      case SERVICE_PRINCIPAL -> baseServicePrincipal(index);
      case APPLICATION -> baseApplication(index);
      default -> throw new IllegalArgumentException("kind " + kind + " does not change");
    };
  }

  public long seed() {
    return seed;
  }

  public TenantScale scale() {
    return scale;
  }

  public Instant now() {
    return now;
  }

  public Instant oldestLog() {
    return now.minus(logSpan);
  }

  public String tenantId() {
    return tenantId;
  }

  public String domain() {
    return domain;
  }

  /** Total memberships actually generated: the scale's figure unless groups could not hold it. */
  public long memberships() {
    return memberships;
  }

  public int groupSize(int group) {
    return group < groupSizes.length ? groupSizes[group] : 0;
  }

  /** The index of the group with this id, or -1. */
  public int groupIndex(String id) {
    Integer g = groupIndexById.get(id);
    TenantChanges.Population groups = changes.population(GROUP);
    if (g == null) {
      for (int i = groups.baseCount; i < groups.next; i++) {
        if (id(GROUP, i).equals(id)) {
          g = i;
        }
      }
    }
    return g == null || !groups.alive(g) ? -1 : g;
  }

  String id(int kind, long index) {
    return Hashing.uuid(seed, kind, index);
  }

  private Pick pick(int kind, long index) {
    return new Pick(Hashing.hash(seed, kind, index));
  }

  // ---------------------------------------------------------------- users

  private String givenName(int u) {
    return GIVEN_NAMES.get(
        (int) Long.remainderUnsigned(Hashing.hash(seed, USER, u), GIVEN_NAMES.size()));
  }

  private String surname(int u) {
    return SURNAMES.get(
        (int) Long.remainderUnsigned(Hashing.hash(seed, USER, u) >>> 20, SURNAMES.size()));
  }

  private boolean isGuest(int u) {
    return u % 13 == 7;
  }

  String userPrincipalName(int u) {
    String local = ascii(givenName(u)) + "." + ascii(surname(u)) + u;
    if (isGuest(u)) {
      return local + "_fabrikam.com#EXT#@" + domain;
    }
    return local + "@" + domain;
  }

  String userDisplayName(int u) {
    return givenName(u) + " " + surname(u);
  }

  private static String ascii(String s) {
    String folded =
        Normalizer.normalize(s, Normalizer.Form.NFD)
            .replace("ł", "l")
            .replace("Ł", "L")
            .replace("ø", "o")
            .replace("Ø", "O")
            .replaceAll("[^A-Za-z]", "")
            .toLowerCase(Locale.ROOT);
    return folded.isEmpty() ? "user" : folded;
  }

  /** User {@code u} as it is today, with every property this simulator knows, in Graph's order. */
  public Map<String, Object> user(int u) {
    return changes.apply(USER, u, baseUser(u));
  }

  private Map<String, Object> baseUser(int u) {
    Pick p = pick(USER + 100, u);
    boolean guest = isGuest(u);
    boolean synced = !guest && p.chance(0.35);
    boolean enabled = !p.chance(0.1);
    String given = givenName(u);
    String sur = surname(u);
    String upn = userPrincipalName(u);
    String[] place = p.one(PLACES);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("businessPhones", p.chance(0.6) ? List.of("+1 425 555 0" + p.digits(3)) : List.of());
    m.put("displayName", given + " " + sur);
    m.put("givenName", given);
    m.put("jobTitle", p.chance(0.8) ? p.one(JOB_TITLES) : null);
    String mail =
        guest
            ? ascii(given) + "." + ascii(sur) + "@fabrikam.com"
            : p.chance(0.9) ? upn.toLowerCase(Locale.ROOT).replace(domain, "contoso.com") : null;
    m.put("mail", mail);
    m.put("mobilePhone", p.chance(0.4) ? "+1 425 555 0" + p.digits(3) : null);
    m.put("officeLocation", p.chance(0.7) ? p.digits(2) + "/" + p.digits(4) : null);
    m.put("preferredLanguage", p.chance(0.7) ? p.one("en-US", "fr-FR", "de-DE", "ja-JP") : null);
    m.put("surname", sur);
    m.put("userPrincipalName", upn);
    m.put("id", id(USER, u));
    // Properties v1.0 returns only when $select names them.
    m.put("accountEnabled", enabled);
    m.put("userType", guest ? "Guest" : "Member");
    Instant created = now.minusSeconds(3_600L + p.below(5L * 365 * 86_400));
    m.put("createdDateTime", seconds(created));
    m.put("creationType", guest ? "Invitation" : null);
    m.put("externalUserState", guest ? p.one("Accepted", "PendingAcceptance") : null);
    m.put("department", guest ? null : p.chance(0.85) ? p.one(DEPARTMENTS) : null);
    m.put("companyName", guest ? "Fabrikam" : p.chance(0.8) ? "Contoso" : null);
    m.put("employeeId", guest ? null : p.chance(0.75) ? "E" + p.digits(6) : null);
    m.put("employeeType", guest ? null : p.one("Employee", "Contractor", "Employee"));
    m.put("usageLocation", guest ? null : place[2]);
    m.put("city", guest ? null : place[0]);
    m.put("country", guest ? null : place[2]);
    m.put("onPremisesSyncEnabled", synced ? Boolean.TRUE : null);
    m.put(
        "onPremisesImmutableId",
        synced ? Base64.getEncoder().encodeToString(p.hex(16).getBytes()) : null);
    m.put("onPremisesSamAccountName", synced ? ascii(given) + u : null);
    m.put("onPremisesDomainName", synced ? "contoso.local" : null);
    m.put("onPremisesLastSyncDateTime", synced ? seconds(now.minusSeconds(p.below(7_200))) : null);
    m.put(
        "lastPasswordChangeDateTime",
        seconds(max(created, now.minusSeconds(p.below(400L * 86_400)))));
    List<Object> licences = new ArrayList<>();
    if (!guest && p.chance(0.75)) {
      licences.add(licence(p.one(SKUS.subList(0, 3)), p.chance(0.2)));
      if (p.chance(0.3)) {
        licences.add(licence(p.one(SKUS.subList(3, 5)), false));
      }
    }
    m.put("assignedLicenses", licences);
    List<Object> proxies = new ArrayList<>();
    if (mail != null && !guest) {
      proxies.add("SMTP:" + mail);
      proxies.add("smtp:" + upn.toLowerCase(Locale.ROOT));
    }
    m.put("proxyAddresses", proxies);
    m.put("otherMails", guest ? List.of(mail) : List.of());
    m.put("signInActivity", signInActivity(u, enabled));
    return m;
  }

  private static Map<String, Object> licence(String sku, boolean withDisabledPlan) {
    Map<String, Object> l = new LinkedHashMap<>();
    l.put(
        "disabledPlans",
        withDisabledPlan ? List.of("a23b959c-7ce8-4e57-9140-b90eb88a9e97") : List.of());
    l.put("skuId", sku);
    return l;
  }

  // ---------------------------------------------------------------- devices

  /** Device {@code d} with every v1.0 property this simulator knows. */
  public Map<String, Object> device(int d) {
    return changes.apply(DEVICE, d, baseDevice(d));
  }

  private Map<String, Object> baseDevice(int d) {
    Pick p = pick(DEVICE + 100, d);
    double os = p.unit();
    String operatingSystem;
    String version;
    String trustType;
    String manufacturer;
    String model;
    if (os < 0.55) {
      operatingSystem = "Windows";
      version = p.one("10.0.19045.", "10.0.22631.", "10.0.26100.") + p.digits(4);
      trustType = p.one("AzureAd", "AzureAd", "ServerAd", "Workplace");
      manufacturer = p.one("Microsoft Corporation", "Dell Inc.", "LENOVO", "HP");
      model =
          p.one(
              "Surface Laptop 5", "Latitude 7440", "ThinkPad X1 Carbon Gen 11", "EliteBook 840 G9");
    } else if (os < 0.70) {
      operatingSystem = "iOS";
      version = p.one("17.6.1", "18.1", "18.2");
      trustType = "Workplace";
      manufacturer = "Apple";
      model = p.one("iPhone 15", "iPhone 14 Pro", "iPad Air");
    } else if (os < 0.82) {
      operatingSystem = "Android";
      version = p.one("13.0", "14.0", "15.0");
      trustType = "Workplace";
      manufacturer = p.one("samsung", "Google");
      model = p.one("SM-S918B", "Pixel 8");
    } else if (os < 0.92) {
      operatingSystem = "MacMDM";
      version = p.one("14.6.1", "15.1");
      trustType = "Workplace";
      manufacturer = "Apple";
      model = p.one("MacBookPro18,3", "Mac14,2");
    } else {
      operatingSystem = p.one("linux", "Linux");
      version = p.one("1", "Ubuntu 22.04", "Ubuntu 24.04");
      trustType = "Workplace";
      manufacturer = null;
      model = null;
    }
    boolean managed = p.chance(0.65);
    boolean company = trustType.equals("AzureAd") || trustType.equals("ServerAd") || p.chance(0.3);
    boolean stale = p.chance(0.12);
    Instant registered = now.minusSeconds(86_400L + p.below(4L * 365 * 86_400));
    Instant lastSignIn =
        stale
            ? max(registered, now.minusSeconds(91L * 86_400 + p.below(400L * 86_400)))
            : max(registered, now.minusSeconds(p.below(20L * 86_400)));
    boolean synced = trustType.equals("ServerAd");
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id(DEVICE, d));
    m.put("deletedDateTime", null);
    m.put("accountEnabled", !p.chance(0.05));
    m.put("approximateLastSignInDateTime", seconds(lastSignIn));
    m.put("complianceExpirationDateTime", null);
    m.put("createdDateTime", seconds(registered));
    m.put("deviceCategory", null);
    m.put("deviceId", Hashing.uuid(seed, DEVICE_ID, d));
    m.put("deviceMetadata", null);
    m.put("deviceOwnership", managed ? (company ? "Company" : "Personal") : null);
    m.put("deviceVersion", 2);
    m.put("displayName", deviceName(operatingSystem, d));
    m.put("enrollmentProfileName", null);
    m.put("enrollmentType", managed ? (company ? "AzureDomainJoined" : "UserEnrollment") : null);
    m.put("isCompliant", managed ? p.chance(0.85) : null);
    m.put("isManaged", managed ? Boolean.TRUE : null);
    m.put("isRooted", false);
    m.put("managementType", managed ? p.one("MDM", "MDM", "EAS", "EasMdm") : null);
    m.put("manufacturer", manufacturer);
    m.put("mdmAppId", managed ? "0000000a-0000-0000-c000-000000000000" : null);
    m.put("model", model);
    m.put("onPremisesLastSyncDateTime", synced ? seconds(now.minusSeconds(p.below(7_200))) : null);
    m.put(
        "onPremisesSecurityIdentifier",
        synced ? "S-1-5-21-" + p.digits(10) + "-" + p.digits(4) : null);
    m.put("onPremisesSyncEnabled", synced ? Boolean.TRUE : null);
    m.put("operatingSystem", operatingSystem);
    m.put("operatingSystemVersion", version);
    m.put("physicalIds", List.of("[USER-GID]:" + id(DEVICE, d) + ":" + p.digits(16)));
    m.put("profileType", "RegisteredDevice");
    m.put("registrationDateTime", seconds(registered));
    m.put("systemLabels", List.of());
    m.put("trustType", trustType);
    Map<String, Object> altId = new LinkedHashMap<>();
    altId.put("type", 2);
    altId.put("identityProvider", null);
    altId.put("key", Base64.getEncoder().encodeToString(p.hex(12).getBytes()));
    m.put("alternativeSecurityIds", List.of(altId));
    return m;
  }

  /**
   * A device's registered owner, the user who joined or registered it (Graph allows one), or null:
   * hybrid-joined devices (trustType ServerAd, registered by their domain) have none, and an owner
   * since deleted is no longer listed.
   */
  public Map<String, Object> deviceOwner(Map<String, Object> device) {
    if ("ServerAd".equals(device.get("trustType"))) {
      return null;
    }
    long h = Hashing.hash(seed, DEVICE_OWNER, ((String) device.get("id")).hashCode());
    int u = (int) Math.floorMod(h, (long) changes.population(USER).baseCount);
    return changes.population(USER).alive(u) ? user(u) : null;
  }

  private static String deviceName(String os, int d) {
    return switch (os) {
      case "Windows" ->
          "DESKTOP-" + Integer.toString(d * 7919 + 104_729, 36).toUpperCase(Locale.ROOT);
      case "iOS" -> "iPhone-" + d;
      case "Android" -> "Android-" + d;
      case "MacMDM" -> "MacBook-" + d;
      default -> (d % 5 == 0 ? "PROD-" : "lnx-") + d;
    };
  }

  // ---------------------------------------------------------------- groups

  GroupType groupType(int g) {
    double t = Hashing.mix(Hashing.hash(seed, GROUP + 200, g)) >>> 11 & ((1L << 53) - 1);
    double u = t / (1L << 53);
    if (u < 0.45) {
      return GroupType.SECURITY;
    } else if (u < 0.53) {
      return GroupType.SYNCED_SECURITY;
    } else if (u < 0.83) {
      return GroupType.UNIFIED;
    } else if (u < 0.95 || scale.devices() == 0) {
      return GroupType.DYNAMIC_USERS;
    }
    return GroupType.DYNAMIC_DEVICES;
  }

  /** Group {@code g}, with the properties (and order) of the documented v1.0 group. */
  public Map<String, Object> group(int g) {
    return changes.apply(GROUP, g, baseGroup(g));
  }

  private Map<String, Object> baseGroup(int g) {
    Pick p = pick(GROUP + 100, g);
    GroupType type = groupType(g);
    String dept = p.one(DEPARTMENTS);
    String name =
        switch (type) {
          case SECURITY -> dept + " Security " + g;
          case SYNCED_SECURITY -> "SG-" + ascii(dept) + "-" + g;
          case UNIFIED -> dept + " Team " + g;
          case DYNAMIC_USERS -> "All " + dept + " " + g;
          case DYNAMIC_DEVICES -> "All " + p.one("Windows", "iOS", "Android") + " devices " + g;
        };
    String nickname = ascii(name) + g;
    boolean unified = type == GroupType.UNIFIED;
    boolean synced = type == GroupType.SYNCED_SECURITY;
    Instant created = now.minusSeconds(86_400L + p.below(6L * 365 * 86_400));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id(GROUP, g));
    m.put("deletedDateTime", null);
    m.put("classification", unified && p.chance(0.3) ? p.one("Low", "Medium", "High") : null);
    m.put("createdDateTime", seconds(created));
    m.put("description", p.chance(0.8) ? "Group for " + dept.toLowerCase(Locale.ROOT) : null);
    m.put("displayName", name);
    m.put("expirationDateTime", null);
    List<Object> groupTypes = new ArrayList<>();
    if (unified) {
      groupTypes.add("Unified");
    }
    if (type == GroupType.DYNAMIC_USERS || type == GroupType.DYNAMIC_DEVICES) {
      groupTypes.add("DynamicMembership");
    }
    m.put("groupTypes", groupTypes);
    m.put("isAssignableToRole", type == GroupType.SECURITY && p.chance(0.05) ? Boolean.TRUE : null);
    m.put("mail", unified ? nickname + "@contoso.com" : null);
    m.put("mailEnabled", unified);
    m.put("mailNickname", nickname);
    m.put(
        "membershipRule",
        switch (type) {
          case DYNAMIC_USERS -> "user.department -eq \"" + dept + "\"";
          case DYNAMIC_DEVICES -> "device.deviceOSType -eq \"Windows\"";
          default -> null;
        });
    m.put(
        "membershipRuleProcessingState",
        type == GroupType.DYNAMIC_USERS || type == GroupType.DYNAMIC_DEVICES ? "On" : null);
    m.put("onPremisesLastSyncDateTime", synced ? seconds(now.minusSeconds(p.below(7_200))) : null);
    m.put(
        "onPremisesSecurityIdentifier",
        synced ? "S-1-5-21-" + p.digits(10) + "-" + p.digits(4) : null);
    m.put("onPremisesSyncEnabled", synced ? Boolean.TRUE : null);
    m.put("preferredDataLocation", unified && p.chance(0.2) ? p.one("CAN", "EUR", "NAM") : null);
    m.put("preferredLanguage", null);
    m.put(
        "proxyAddresses",
        unified
            ? List.of("smtp:" + nickname + "@" + domain, "SMTP:" + nickname + "@contoso.com")
            : List.of());
    m.put("renewedDateTime", seconds(created));
    m.put("resourceBehaviorOptions", List.of());
    m.put("resourceProvisioningOptions", unified && p.chance(0.5) ? List.of("Team") : List.of());
    m.put("securityEnabled", !unified || p.chance(0.1));
    m.put("theme", null);
    m.put("visibility", unified ? p.one("Public", "Private") : null);
    m.put("onPremisesProvisioningErrors", List.of());
    return m;
  }

  // ---------------------------------------------------------------- directory roles

  /** Built-in roles: template id (a built-in role's id), name, one allowed action. */
  private static final String[][] ROLES = {
    {
      "62e90394-69f5-4237-9190-012177145e10",
      "Global Administrator",
      "microsoft.directory/users/allProperties/allTasks"
    },
    {
      "e8611ab8-c189-46e8-94e1-60213ab1f814",
      "Privileged Role Administrator",
      "microsoft.directory/roleAssignments/allProperties/allTasks"
    },
    {
      "194ae4cb-b126-40b2-bd5b-6091b380977d",
      "Security Administrator",
      "microsoft.directory/policies/standard/read"
    },
    {
      "fe930be7-5e62-47db-91af-98c3a49a38b1",
      "User Administrator",
      "microsoft.directory/users/create"
    },
    {
      "729827e3-9c14-49f7-bb1b-9608f156bbb8",
      "Helpdesk Administrator",
      "microsoft.directory/users/password/update"
    },
    {
      "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
      "Application Administrator",
      "microsoft.directory/applications/create"
    },
    {
      "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
      "Global Reader",
      "microsoft.directory/users/standard/read"
    },
    {
      "29232cdf-9323-42fd-ade2-1d097af3e4de",
      "Exchange Administrator",
      "microsoft.office365.exchange/allEntities/basic/allTasks"
    },
  };

  public int roleDefinitions() {
    return ROLES.length;
  }

  /** Built-in role definition {@code r}. */
  public Map<String, Object> roleDefinition(int r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", ROLES[r][0]);
    m.put("description", "Can manage what " + ROLES[r][1] + "s manage.");
    m.put("displayName", ROLES[r][1]);
    m.put("isBuiltIn", true);
    m.put("isEnabled", true);
    m.put("resourceScopes", List.of("/"));
    m.put("templateId", ROLES[r][0]);
    m.put("version", "1");
    Map<String, Object> permission = new LinkedHashMap<>();
    permission.put("allowedResourceActions", List.of(ROLES[r][2]));
    permission.put("condition", null);
    m.put("rolePermissions", List.of(permission));
    return m;
  }

  /** Active role assignments: a few per role, mostly users, some groups and service principals. */
  public int roleAssignments() {
    return Math.max(ROLES.length * 2, scale.users() / 100);
  }

  /** The principal a role assignment or eligibility {@code i} names, and its role. */
  private String[] rolePrincipal(int kind, int i) {
    Pick p = pick(ROLE + kind, i);
    String role = ROLES[i % ROLES.length][0];
    String principal;
    if (p.chance(0.85) || scale.groups() == 0) {
      principal = id(USER, p.below(scale.users()));
    } else if (p.chance(0.5) && scale.servicePrincipals() > 0) {
      principal = id(SERVICE_PRINCIPAL, p.below(scale.servicePrincipals()));
    } else {
      principal = id(GROUP, p.below(scale.groups()));
    }
    return new String[] {principal, role};
  }

  public Map<String, Object> roleAssignment(int i) {
    String[] pr = rolePrincipal(0, i);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", Hashing.uuid(seed, ROLE, i).replace("-", "") + "-1");
    m.put("principalId", pr[0]);
    m.put("resourceScope", "/");
    m.put("directoryScopeId", "/");
    m.put("roleDefinitionId", pr[1]);
    return m;
  }

  /** PIM eligibilities: users who may activate a role, some permanently, some until a date. */
  public int roleEligibilitySchedules() {
    return Math.max(ROLES.length, scale.users() / 200);
  }

  public Map<String, Object> roleEligibilitySchedule(int i) {
    String[] pr = rolePrincipal(1, i);
    Pick p = pick(ROLE + 2, i);
    Instant start = now.minusSeconds(86_400L + p.below(400L * 86_400));
    boolean expires = p.chance(0.5);
    Map<String, Object> expiration = new LinkedHashMap<>();
    expiration.put("type", expires ? "afterDateTime" : "noExpiration");
    expiration.put(
        "endDateTime", expires ? seconds(now.plusSeconds(p.below(365L * 86_400))) : null);
    expiration.put("duration", null);
    Map<String, Object> schedule = new LinkedHashMap<>();
    schedule.put("startDateTime", seconds(start));
    schedule.put("recurrence", null);
    schedule.put("expiration", expiration);
    String id = Hashing.uuid(seed, ROLE + 3, i);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.put("principalId", pr[0]);
    m.put("roleDefinitionId", pr[1]);
    m.put("directoryScopeId", "/");
    m.put("appScopeId", null);
    m.put("createdUsing", id);
    m.put("createdDateTime", seconds(start));
    m.put("modifiedDateTime", null);
    m.put("status", "Provisioned");
    m.put("memberType", "Direct");
    m.put("scheduleInfo", schedule);
    return m;
  }

  // ---------------------------------------------------------------- app role assignments

  private Map<String, Integer> servicePrincipalIndexById;

  /** The index of the service principal with this id, or -1. */
  public synchronized int servicePrincipalIndex(String id) {
    if (servicePrincipalIndexById == null) {
      Map<String, Integer> index = new HashMap<>();
      for (int s = 0; s < scale.servicePrincipals(); s++) {
        index.put(id(SERVICE_PRINCIPAL, s), s);
      }
      servicePrincipalIndexById = index;
    }
    Integer s = servicePrincipalIndexById.get(id);
    return s == null ? -1 : s;
  }

  /** How many users and groups are assigned to service principal {@code s}'s app roles. */
  public int appRoleAssignments(int s) {
    return pick(APP + 200, s).below(6);
  }

  /** Assignment {@code j} of service principal {@code s}: a user (mostly) or a group. */
  public Map<String, Object> appRoleAssignment(int s, int j) {
    Pick p = pick(APP + 300, s * 16L + j);
    boolean group = scale.groups() > 0 && p.chance(0.3);
    int principal = group ? p.below(scale.groups()) : p.below(scale.users());
    Map<String, Object> sp = servicePrincipal(s);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(
        "id",
        Hashing.uuid(seed, APP + 400, s * 16L + j).replace("-", "").substring(0, 22) + "-x" + j);
    m.put("deletedDateTime", null);
    m.put(
        "appRoleId",
        j % 2 == 0 ? "00000000-0000-0000-0000-000000000000" : Hashing.uuid(seed, APP + 500, s));
    m.put("createdDateTime", seconds(now.minusSeconds(86_400L + p.below(500L * 86_400))));
    m.put(
        "principalDisplayName",
        group ? group(principal).get("displayName") : user(principal).get("displayName"));
    m.put("principalId", id(group ? GROUP : USER, principal));
    m.put("principalType", group ? "Group" : "User");
    m.put("resourceDisplayName", sp.get("displayName"));
    m.put("resourceId", sp.get("id"));
    return m;
  }

  // ---------------------------------------------------------------- conditional access

  /** The tenant's conditional-access policies: the ones its sign-ins name as applied. */
  public int conditionalAccessPolicies() {
    return CA_POLICIES.size();
  }

  /**
   * Policy {@code k}, with users, groups, roles and apps it includes and excludes drawn from the
   * tenant (the Global Administrator role, a group, a break-glass user) and its grant controls.
   */
  public Map<String, Object> conditionalAccessPolicy(int k) {
    Pick p = pick(TENANT + 300, k);
    String[] policy = CA_POLICIES.get(k);
    Map<String, Object> users = new LinkedHashMap<>();
    boolean admins = policy[1].contains("administrators");
    boolean guests = policy[1].contains("guest");
    users.put(
        "includeUsers", admins ? List.of() : List.of(guests ? "GuestsOrExternalUsers" : "All"));
    users.put("excludeUsers", List.of(id(USER, 0)));
    users.put(
        "includeGroups",
        scale.groups() > 0 && p.chance(0.5)
            ? List.of(id(GROUP, p.below(scale.groups())))
            : List.of());
    users.put("excludeGroups", List.of());
    users.put("includeRoles", admins ? List.of(ROLES[0][0], ROLES[1][0]) : List.of());
    users.put("excludeRoles", List.of());
    Map<String, Object> apps = new LinkedHashMap<>();
    apps.put("includeApplications", List.of(k == 3 ? "Office365" : "All"));
    apps.put("excludeApplications", List.of());
    apps.put("includeUserActions", List.of());
    Map<String, Object> conditions = new LinkedHashMap<>();
    conditions.put("signInRiskLevels", List.of());
    conditions.put(
        "clientAppTypes",
        policy[1].contains("legacy") ? List.of("exchangeActiveSync", "other") : List.of("all"));
    conditions.put("platforms", null);
    conditions.put("locations", null);
    conditions.put("applications", apps);
    conditions.put("users", users);
    Map<String, Object> grant = new LinkedHashMap<>();
    grant.put("operator", "OR");
    grant.put(
        "builtInControls",
        policy[1].contains("Block")
            ? List.of("block")
            : policy[1].contains("compliant") ? List.of("compliantDevice") : List.of("mfa"));
    grant.put("customAuthenticationFactors", List.of());
    grant.put("termsOfUse", List.of());
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", policy[0]);
    m.put("displayName", policy[1]);
    m.put("createdDateTime", seconds(now.minusSeconds(30L * 86_400 + p.below(700L * 86_400))));
    m.put(
        "modifiedDateTime",
        p.chance(0.5) ? seconds(now.minusSeconds(p.below(30L * 86_400))) : null);
    m.put("state", k == 0 ? "enabledForReportingButNotEnforced" : "enabled");
    m.put("sessionControls", null);
    m.put("conditions", conditions);
    m.put("grantControls", grant);
    return m;
  }

  // ---------------------------------------------------------------- MFA registration

  private Set<String> activeAdmins;

  /** Users who hold an active role assignment: what a registration's isAdmin says. */
  private synchronized Set<String> activeAdmins() {
    if (activeAdmins == null) {
      Set<String> ids = new HashSet<>();
      for (int i = 0; i < roleAssignments(); i++) {
        ids.add((String) roleAssignment(i).get("principalId"));
      }
      activeAdmins = ids;
    }
    return activeAdmins;
  }

  /**
   * User {@code u}'s authentication-method registration details: every user has them; about a fifth
   * of members and most guests have no MFA method registered, admins included.
   */
  public Map<String, Object> registrationDetails(int u) {
    Pick p = pick(REGISTRATION, u);
    Map<String, Object> user = user(u);
    boolean guest = isGuest(u);
    boolean mfa = p.chance(guest ? 0.2 : 0.8);
    boolean passwordless = mfa && p.chance(0.25);
    boolean phone = mfa && p.chance(0.5);
    List<String> methods = new ArrayList<>();
    if (mfa) {
      methods.add("microsoftAuthenticatorPush");
      if (p.chance(0.4)) {
        methods.add("softwareOneTimePasscode");
      }
    }
    if (phone) {
      methods.add("mobilePhone");
    }
    if (passwordless) {
      methods.add(p.one("fido2", "windowsHelloForBusiness", "microsoftAuthenticatorPasswordless"));
    }
    boolean sspr = !guest && p.chance(0.7);
    boolean ssprRegistered = sspr && methods.size() >= 2;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", user.get("id"));
    m.put("userPrincipalName", user.get("userPrincipalName"));
    m.put("userDisplayName", user.get("displayName"));
    m.put("isAdmin", activeAdmins().contains((String) user.get("id")));
    m.put("isSsprRegistered", ssprRegistered);
    m.put("isSsprEnabled", sspr);
    m.put("isSsprCapable", sspr && ssprRegistered);
    m.put("isMfaRegistered", mfa);
    m.put("isMfaCapable", mfa);
    m.put("isPasswordlessCapable", passwordless);
    m.put("lastUpdatedDateTime", seconds(now.minusSeconds(p.below(30L * 86_400))));
    m.put("methodsRegistered", methods);
    m.put("isSystemPreferredAuthenticationMethodEnabled", true);
    m.put("systemPreferredAuthenticationMethods", mfa ? List.of("push") : List.of());
    m.put("userPreferredMethodForSecondaryAuthentication", mfa ? (phone ? "sms" : "push") : "");
    m.put("userType", guest ? "guest" : "member");
    return m;
  }

  // ---------------------------------------------------------------- subscribed SKUs

  /** Service plans: id, name, what they apply to. Ids and names as Microsoft's licensing list. */
  private static final String[][] PLANS = {
    {"efb87545-963c-4e0d-99df-69c6916d9eb0", "EXCHANGE_S_ENTERPRISE", "User"},
    {"5dbe027f-2339-4123-9542-606e4d348a72", "SHAREPOINTENTERPRISE", "User"},
    {"0feaeb32-d00e-4d66-bd5a-43b5b83db82c", "MCOSTANDARD", "User"},
    {"a23b959c-7ce8-4e57-9140-b90eb88a9e97", "SWAY", "User"},
    {"41781fb2-bc02-4b7c-bd55-b576c07bb09d", "AAD_PREMIUM", "User"},
    {"eec0eb4f-6444-4f95-aba0-50c24d67f998", "AAD_PREMIUM_P2", "User"},
    {"c1ec4a95-1f05-45b3-a911-aa3fa01094f5", "INTUNE_A", "User"},
    {"70d33638-9c74-4d01-bfd3-562de28bd4ba", "BI_AZURE_P2", "User"},
    {"8c098270-9dd4-4350-9b30-ba4703f3b36b", "ADALLOM_S_O365", "Company"},
  };

  /** Per SKU in {@link #SKUS} order: part number, its plans (indexes in PLANS), status. */
  private static final Object[][] SKU_INFO = {
    {"SPE_E3", new int[] {0, 1, 2, 3, 4, 6}, "Enabled"},
    {"SPE_E5", new int[] {0, 1, 2, 3, 4, 5, 6, 8}, "Enabled"},
    {"ENTERPRISEPACK", new int[] {0, 1, 2, 3}, "Warning"},
    {"EMS", new int[] {4, 6}, "Enabled"},
    {"POWER_BI_PRO", new int[] {7}, "Suspended"},
  };

  private long[] consumed;

  /** A subscribed SKU's properties, as {@link #subscribedSku} writes them. */
  public static final Set<String> SUBSCRIBED_SKU_PROPERTIES =
      Set.of(
          "accountName",
          "accountId",
          "appliesTo",
          "capabilityStatus",
          "consumedUnits",
          "id",
          "prepaidUnits",
          "servicePlans",
          "skuId",
          "skuPartNumber",
          "subscriptionIds");

  /** How many SKUs the tenant has bought: those its users' licences come from. */
  public int subscribedSkus() {
    return SKUS.size();
  }

  /**
   * Subscribed SKU {@code k}: consumed units are the users holding it, prepaid units cover them
   * with room to spare (a suspended SKU's units are all suspended, one in warning has some).
   */
  public Map<String, Object> subscribedSku(int k) {
    Pick p = pick(TENANT + 200, k);
    String sku = SKUS.get(k);
    Object[] info = SKU_INFO[k];
    long used = consumed()[k];
    long bought = used + 5 + p.below(50);
    String status = (String) info[2];
    Map<String, Object> prepaid = new LinkedHashMap<>();
    prepaid.put("enabled", status.equals("Suspended") ? 0 : bought);
    prepaid.put("lockedOut", 0);
    prepaid.put("suspended", status.equals("Suspended") ? bought : 0);
    prepaid.put("warning", status.equals("Warning") ? 10 : 0);
    List<Object> plans = new ArrayList<>();
    for (int i : (int[]) info[1]) {
      Map<String, Object> plan = new LinkedHashMap<>();
      plan.put("servicePlanId", PLANS[i][0]);
      plan.put("servicePlanName", PLANS[i][1]);
      plan.put("provisioningStatus", status.equals("Suspended") ? "Disabled" : "Success");
      plan.put("appliesTo", PLANS[i][2]);
      plans.add(plan);
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("accountName", "Contoso");
    m.put("accountId", Hashing.uuid(seed, TENANT, 7));
    m.put("appliesTo", "User");
    m.put("capabilityStatus", status);
    m.put("consumedUnits", used);
    m.put("id", tenantId + "_" + sku);
    m.put("prepaidUnits", prepaid);
    m.put("servicePlans", plans);
    m.put("skuId", sku);
    m.put("skuPartNumber", info[0]);
    m.put("subscriptionIds", List.of(Hashing.uuid(seed, TENANT, 100 + k)));
    return m;
  }

  /** Users holding each SKU, counted over every user once (the first time it is asked). */
  private synchronized long[] consumed() {
    if (consumed == null) {
      long[] counts = new long[SKUS.size()];
      for (int u = 0; u < scale.users(); u++) {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> licences =
            (List<Map<String, Object>>) user(u).get("assignedLicenses");
        for (Map<String, Object> l : licences) {
          counts[SKUS.indexOf((String) l.get("skuId"))]++;
        }
      }
      consumed = counts;
    }
    return consumed;
  }

  // ---------------------------------------------------------------- service principals

  /** Service principal {@code s}: the non-user members some groups hold. */
  public Map<String, Object> servicePrincipal(int s) {
    return changes.apply(SERVICE_PRINCIPAL, s, baseServicePrincipal(s));
  }

  private Map<String, Object> baseServicePrincipal(int s) {
    Pick p = pick(SERVICE_PRINCIPAL + 100, s);
    String appId = Hashing.uuid(seed, APP, s);
    String name =
        p.one("Contoso", "Fabrikam", "Northwind")
            + " "
            + p.one("HR Sync", "Backup", "Reporting", "CI Deploy")
            + " "
            + s;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id(SERVICE_PRINCIPAL, s));
    m.put("deletedDateTime", null);
    m.put("accountEnabled", true);
    m.put("appDisplayName", name);
    m.put("appId", appId);
    m.put("appOwnerOrganizationId", tenantId);
    m.put("createdDateTime", seconds(now.minusSeconds(86_400L + p.below(3L * 365 * 86_400))));
    m.put("displayName", name);
    m.put("servicePrincipalNames", List.of(appId));
    m.put("servicePrincipalType", "Application");
    m.put("signInAudience", "AzureADMyOrg");
    m.put("tags", List.of("WindowsAzureActiveDirectoryIntegratedApp"));
    m.put("publisherName", "Contoso");
    m.put(
        "keyCredentials",
        p.chance(0.3) ? List.of(keyCredential(SERVICE_PRINCIPAL, s, 0)) : List.of());
    m.put("passwordCredentials", List.of());
    return m;
  }

  // ---------------------------------------------------------------- applications

  /** How many app registrations the tenant has: one behind each of its service principals. */
  public int applications() {
    return scale.servicePrincipals();
  }

  /**
   * Application {@code a}: the registration behind service principal {@code a} (same appId and
   * name), with certificates and client secrets that are a mix of expired, expiring within 30 days
   * and long-lived. Secrets carry Graph's three-character {@code hint}; {@code secretText} and a
   * certificate's {@code key} are null, as Graph returns them in a list.
   */
  public Map<String, Object> application(int a) {
    return changes.apply(APPLICATION, a, baseApplication(a));
  }

  private Map<String, Object> baseApplication(int a) {
    Pick p = pick(APPLICATION + 100, a);
    Map<String, Object> sp = servicePrincipal(a);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id(APPLICATION, a));
    m.put("deletedDateTime", null);
    m.put("appId", sp.get("appId"));
    m.put("createdDateTime", sp.get("createdDateTime"));
    m.put("description", p.chance(0.5) ? "Line-of-business app " + a : null);
    m.put("displayName", sp.get("displayName"));
    m.put("identifierUris", p.chance(0.6) ? List.of("api://" + sp.get("appId")) : List.of());
    m.put("publisherDomain", domain);
    m.put("signInAudience", p.chance(0.85) ? "AzureADMyOrg" : "AzureADMultipleOrgs");
    m.put("tags", p.chance(0.2) ? List.of("HideApp") : List.of());
    List<Object> keys = new ArrayList<>();
    for (int k = 0, n = p.below(2); k < n; k++) {
      keys.add(keyCredential(APPLICATION, a, k));
    }
    m.put("keyCredentials", keys);
    List<Object> secrets = new ArrayList<>();
    for (int k = 0, n = p.below(3); k < n; k++) {
      secrets.add(passwordCredential(a, k));
    }
    m.put("passwordCredentials", secrets);
    return m;
  }

  /**
   * A credential's validity: expired, expiring within 30 days, or long-lived, about a third each.
   */
  private Instant[] validity(Pick p) {
    long day = 86_400;
    Instant end =
        switch (p.below(3)) {
          case 0 -> now.minusSeconds(day + p.below(300L * day)); // expired
          case 1 -> now.plusSeconds(day + p.below(29L * day)); // expiring within 30 days
          default -> now.plusSeconds(60L * day + p.below(700L * day)); // long-lived
        };
    return new Instant[] {end.minusSeconds(365L * day), end};
  }

  private Map<String, Object> keyCredential(int ownerKind, int owner, int k) {
    Pick p = pick(CREDENTIAL + ownerKind * 10, owner * 8L + k);
    Instant[] valid = validity(p);
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("customKeyIdentifier", p.hex(40).toUpperCase(Locale.ROOT));
    c.put("displayName", "CN=app-" + owner + "-cert-" + k);
    c.put("endDateTime", seconds(valid[1]));
    c.put("key", null);
    c.put("keyId", Hashing.uuid(seed, CREDENTIAL, ownerKind * 1_000_000L + owner * 8L + k));
    c.put("startDateTime", seconds(valid[0]));
    c.put("type", "AsymmetricX509Cert");
    c.put("usage", "Verify");
    return c;
  }

  private Map<String, Object> passwordCredential(int a, int k) {
    Pick p = pick(CREDENTIAL + 5, a * 8L + k);
    Instant[] valid = validity(p);
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("customKeyIdentifier", null);
    c.put("displayName", p.one("CI deploy", "Backup job", "Reporting", "Partner sync"));
    c.put("endDateTime", seconds(valid[1]));
    c.put("hint", p.hex(3));
    c.put("keyId", Hashing.uuid(seed, CREDENTIAL, 9_000_000L + a * 8L + k));
    c.put("secretText", null);
    c.put("startDateTime", seconds(valid[0]));
    return c;
  }

  // ---------------------------------------------------------------- memberships

  /**
   * Decides every group's size and mix of member kinds. Sizes are heavy-tailed (a few large groups,
   * many small ones, some empty) and sum to the scale's memberships unless the groups cannot hold
   * that many distinct members.
   */
  private long planMemberships() {
    int groups = scale.groups();
    if (groups == 0) {
      return 0;
    }
    double[] weight = new double[groups];
    long[] capacity = new long[groups];
    double total = 0;
    for (int g = 0; g < groups; g++) {
      Pick p = pick(MEMBERS, g);
      weight[g] = p.chance(0.05) ? 0 : 1 / Math.pow(1e-3 + p.unit(), 0.8);
      total += weight[g];
      capacity[g] = capacity(g);
    }
    long target = scale.memberships();
    long assigned = 0;
    for (int g = 0; g < groups; g++) {
      long size = total == 0 ? 0 : (long) Math.floor(target * weight[g] / total);
      size = Math.min(Math.min(size, capacity[g]), Integer.MAX_VALUE);
      groupSizes[g] = (int) size;
      assigned += size;
    }
    // Hand out what rounding and capacity left over, round-robin over groups with room.
    boolean progress = true;
    while (assigned < target && progress) {
      progress = false;
      for (int g = 0; g < groups && assigned < target; g++) {
        if (groupSizes[g] < capacity[g] && weight[g] > 0) {
          long add =
              Math.min(Math.max(1, (target - assigned) / groups), capacity[g] - groupSizes[g]);
          groupSizes[g] += (int) add;
          assigned += add;
          progress = true;
        }
      }
    }
    for (int g = 0; g < groups; g++) {
      groupComposition[g] = composition(g, groupSizes[g]);
    }
    return assigned;
  }

  private long capacity(int g) {
    return switch (groupType(g)) {
      case UNIFIED, DYNAMIC_USERS -> scale.users();
      case DYNAMIC_DEVICES -> scale.devices();
      case SECURITY, SYNCED_SECURITY ->
          (long) scale.users()
              + scale.devices()
              + scale.servicePrincipals()
              + (scale.groups() - g - 1);
    };
  }

  /** Member counts per {@link MemberKind} for a group of the given size. */
  private int[] composition(int g, int size) {
    int[] pool = pools(g);
    int[] counts = new int[4];
    switch (groupType(g)) {
      case UNIFIED, DYNAMIC_USERS -> counts[0] = size;
      case DYNAMIC_DEVICES -> counts[2] = size;
      default -> {
        counts[1] = Math.min(pool[1], (int) Math.round(size * 0.05));
        counts[2] = Math.min(pool[2], (int) Math.round(size * 0.07));
        counts[3] = Math.min(pool[3], (int) Math.round(size * 0.03));
        counts[0] = size - counts[1] - counts[2] - counts[3];
        // Too few users for the rest: move the overflow to the other kinds.
        for (int k = 2; counts[0] > pool[0]; k = k % 3 + 1) {
          if (counts[k] < pool[k]) {
            counts[k]++;
            counts[0]--;
          }
        }
      }
    }
    return counts;
  }

  private int[] pools(int g) {
    return new int[] {
      scale.users(), scale.groups() - g - 1, scale.devices(), scale.servicePrincipals()
    };
  }

  /** Where member {@code j} of group {@code g} points: its kind and its index in that kind. */
  public record MemberRef(MemberKind kind, int index) {}

  private MemberRef locate(int g, int j) {
    if (cycle != null && g == cycle[1] && j == groupSizes[g] - 1) {
      return new MemberRef(MemberKind.GROUP, cycle[0]);
    }
    int[] counts = groupComposition[g];
    int k = 0;
    int position = j;
    while (position >= counts[k]) {
      position -= counts[k];
      k++;
    }
    int index = permute(g, k, position, pools(g)[k]);
    MemberKind kind = MemberKind.values()[k];
    // Nested groups are later groups, so the only cycle is the one {@link #cycle} closes.
    return new MemberRef(kind, kind == MemberKind.GROUP ? g + 1 + index : index);
  }

  /**
   * The first group that holds a security group with members of its own, and that group: the
   * latter's last member becomes the former, closing a cycle of two. Null when no group nests one.
   */
  private int[] findCycle() {
    for (int a = 0; a < scale.groups(); a++) {
      int[] counts = groupComposition[a];
      if (counts == null || counts[1] == 0) {
        continue;
      }
      for (int j = counts[0]; j < counts[0] + counts[1]; j++) {
        int b = locate(a, j).index();
        GroupType type = groupType(b);
        if (groupSizes[b] > 1
            && (type == GroupType.SECURITY || type == GroupType.SYNCED_SECURITY)) {
          return new int[] {a, b};
        }
      }
    }
    return null;
  }

  /**
   * Group {@code g}'s transitive members, as Graph's {@code /groups/{id}/transitiveMembers} lists
   * them: every object reachable through nested groups, each once, nested groups included, in
   * breadth-first order; the group itself never, even through a cycle.
   */
  public List<Map<String, Object>> transitiveMembers(int g) {
    return transitive(g).stream().map(this::object).toList();
  }

  /** The ids of group {@code g}'s transitive members, without generating the objects. */
  public List<String> transitiveMemberIds(int g) {
    return transitive(g).stream().map(this::idOf).toList();
  }

  private List<MemberRef> transitive(int g) {
    List<MemberRef> members = new ArrayList<>();
    Set<MemberRef> seen = new HashSet<>();
    seen.add(new MemberRef(MemberKind.GROUP, g));
    ArrayDeque<Integer> groups = new ArrayDeque<>();
    groups.add(g);
    while (!groups.isEmpty()) {
      int next = groups.poll();
      for (MemberRef ref : liveMembers(next)) {
        if (seen.add(ref)) {
          members.add(ref);
          if (ref.kind() == MemberKind.GROUP) {
            groups.add(ref.index());
          }
        }
      }
    }
    return members;
  }

  /** Whether a member is there today: users, groups and devices can be deleted. */
  private boolean alive(MemberRef ref) {
    return alive(ref, changes);
  }

  private static boolean alive(MemberRef ref, TenantChanges today) {
    return switch (ref.kind()) {
      case USER -> today.alive(USER, ref.index());
      case GROUP -> today.alive(GROUP, ref.index());
      case DEVICE -> today.alive(DEVICE, ref.index());
      case SERVICE_PRINCIPAL -> true;
    };
  }

  List<MemberRef> liveMembers(int g) {
    return liveMembers(g, changes);
  }

  /** Group {@code g}'s members on the day of {@code state}: day 0's, as changed since. */
  List<MemberRef> liveMembers(int g, TenantChanges state) {
    List<MemberRef> members = new ArrayList<>(groupSize(g));
    for (int j = 0; j < groupSize(g); j++) {
      MemberRef ref = locate(g, j);
      if (alive(ref, state) && !state.dropped(g, ref)) {
        members.add(ref);
      }
    }
    for (MemberRef ref : state.added(g)) {
      if (alive(ref, state)) {
        members.add(ref);
      }
    }
    return members;
  }

  /**
   * Group {@code g}'s members as a group delta counts them on the day of {@code state}: a
   * soft-deleted member is still one, so losing it (and regaining it on restore) is never sent in
   * {@code members@delta}; a hard-deleted one is gone (Conformance.GROUP_DELTA_MEMBER_DELETIONS).
   */
  List<MemberRef> deltaMembers(int g, TenantChanges state) {
    List<MemberRef> members = new ArrayList<>(groupSize(g));
    for (int j = 0; j < groupSize(g); j++) {
      MemberRef ref = locate(g, j);
      if (counted(ref, state) && !state.dropped(g, ref)) {
        members.add(ref);
      }
    }
    for (MemberRef ref : state.added(g)) {
      if (counted(ref, state)) {
        members.add(ref);
      }
    }
    return members;
  }

  private static boolean counted(MemberRef ref, TenantChanges state) {
    return alive(ref, state) || state.softDeleted(kindOf(ref.kind()), ref.index());
  }

  static int kindOf(MemberKind kind) {
    return switch (kind) {
      case USER -> USER;
      case GROUP -> GROUP;
      case DEVICE -> DEVICE;
      case SERVICE_PRINCIPAL -> SERVICE_PRINCIPAL;
    };
  }

  /** A member's display name on the day of {@code state}. */
  String memberName(MemberRef ref, TenantChanges state) {
    return (String) object(kindOf(ref.kind()), ref.index(), state).get("displayName");
  }

  /** Today's changes, or those up to another day (computed again: for delta rounds). */
  TenantChanges changesAt(int day) {
    TenantChanges today = changes;
    if (day == today.day()) {
      return today;
    }
    synchronized (this) {
      if (earlier != null && earlier.day() == day) {
        return earlier;
      }
      earlier = TenantChanges.at(this, day, changeRate, this::baseObject);
      return earlier;
    }
  }

  private TenantChanges earlier;

  /** Group {@code g}'s members today, as {@code /groups/{id}/members} lists them. */
  public List<Map<String, Object>> members(int g) {
    return liveMembers(g).stream().map(this::object).toList();
  }

  /**
   * Group {@code g}'s members as v1.0 {@code /groups/{id}/members} and {@code /transitiveMembers}
   * list them: without service principals (Conformance.V1_MEMBERS_OMIT_SERVICE_PRINCIPALS).
   */
  public List<MemberRef> v1Members(List<MemberRef> members) {
    return members.stream().filter(r -> r.kind() != MemberKind.SERVICE_PRINCIPAL).toList();
  }

  private volatile TenantChanges memberOfDay;
  private volatile Map<Integer, List<Integer>> memberOf;

  /**
   * The living groups service principal {@code s} is a direct member of today, as {@code
   * /servicePrincipals/{id}/memberOf} lists them (its directory roles aside), ascending.
   */
  public List<Integer> servicePrincipalGroups(int s) {
    TenantChanges today = changes;
    Map<Integer, List<Integer>> index = memberOf;
    if (memberOfDay != today || index == null) {
      index = new HashMap<>();
      for (int g : alive(GROUP)) {
        for (MemberRef ref : liveMembers(g, today)) {
          if (ref.kind() == MemberKind.SERVICE_PRINCIPAL) {
            index.computeIfAbsent(ref.index(), k -> new ArrayList<>()).add(g);
          }
        }
      }
      memberOf = index;
      memberOfDay = today;
    }
    return index.getOrDefault(s, List.of());
  }

  /** The ids of group {@code g}'s members today. */
  public List<String> memberIds(int g) {
    return liveMembers(g).stream().map(this::idOf).toList();
  }

  /**
   * Member {@code j} of group {@code g} as generated (day 0), as a Graph directoryObject with its
   * {@code @odata.type}.
   */
  public Map<String, Object> member(int g, int j) {
    return object(locate(g, j));
  }

  Map<String, Object> object(MemberRef ref) {
    Map<String, Object> body =
        switch (ref.kind()) {
          case USER -> defaultUser(ref.index());
          case GROUP -> group(ref.index());
          case DEVICE -> device(ref.index());
          case SERVICE_PRINCIPAL -> servicePrincipal(ref.index());
        };
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("@odata.type", "#microsoft.graph." + odataType(ref.kind()));
    m.putAll(body);
    return m;
  }

  /** The id of member {@code j} of group {@code g}, without generating the whole object. */
  public String memberId(int g, int j) {
    return idOf(locate(g, j));
  }

  String idOf(MemberRef ref) {
    return switch (ref.kind()) {
      case USER -> id(USER, ref.index());
      case GROUP -> id(GROUP, ref.index());
      case DEVICE -> id(DEVICE, ref.index());
      case SERVICE_PRINCIPAL -> id(SERVICE_PRINCIPAL, ref.index());
    };
  }

  static String odataType(MemberKind kind) {
    return switch (kind) {
      case USER -> "user";
      case GROUP -> "group";
      case DEVICE -> "device";
      case SERVICE_PRINCIPAL -> "servicePrincipal";
    };
  }

  /** Position → distinct pool index: an affine permutation with a stride coprime to the pool. */
  private int permute(int g, int kind, int position, int pool) {
    long h = Hashing.hash(seed, MEMBERS + 10 + kind, g);
    long start = Long.remainderUnsigned(h, pool);
    long stride = pool <= 1 ? 1 : 1 + Long.remainderUnsigned(h >>> 17, pool - 1);
    while (gcd(stride, pool) != 1) {
      stride = stride % pool + 1;
    }
    return (int) ((start + position * stride) % pool);
  }

  private static long gcd(long a, long b) {
    while (b != 0) {
      long t = a % b;
      a = b;
      b = t;
    }
    return a;
  }

  private Map<String, Object> defaultUser(int u) {
    Map<String, Object> full = user(u);
    Map<String, Object> m = new LinkedHashMap<>();
    for (String key : USER_DEFAULTS) {
      m.put(key, full.get(key));
    }
    return m;
  }

  /** The 11 properties v1.0 returns for a user when no $select is given. */
  public static final List<String> USER_DEFAULTS =
      List.of(
          "businessPhones",
          "displayName",
          "givenName",
          "jobTitle",
          "mail",
          "mobilePhone",
          "officeLocation",
          "preferredLanguage",
          "surname",
          "userPrincipalName",
          "id");

  // ---------------------------------------------------------------- logs

  /** The timestamp of log item {@code i} out of {@code count}: strictly decreasing in {@code i}. */
  Instant logTime(int kind, int i, int count) {
    long spanMicros = logSpan.toNanos() / 1_000;
    long slot = Math.max(1, spanMicros / Math.max(1, count));
    long jitter = Long.remainderUnsigned(Hashing.hash(seed, kind + 300, i), Math.max(1, slot - 1));
    long micros = spanMicros - (long) i * slot - 1 - jitter;
    return oldestLog().plusNanos(Math.max(0, micros) * 1_000);
  }

  /** The first draws of sign-in {@code i}: who, into what, and whether it failed. */
  private record SignInDraw(Pick pick, int user, String[] app, String[] resource, boolean failed) {}

  private SignInDraw signInDraw(int i) {
    Pick p = pick(SIGN_IN + 100, i);
    int u = p.below(scale.users());
    for (int tries = 0; dormant(u) && tries < 20; tries++) {
      u = p.below(scale.users());
    }
    String[] app = p.one(APPS);
    String[] resource = p.one(RESOURCES);
    return new SignInDraw(p, u, app, resource, p.chance(0.15));
  }

  /**
   * Whether user {@code u} is one of the one in seven who no longer sign in interactively (left, on
   * leave, a service account): the sign-in log never names them, as in a real tenant, where stale
   * accounts are what "not signed in for 90 days" finds.
   */
  boolean dormant(int u) {
    return scale.users() > 1 && Long.remainderUnsigned(Hashing.hash(seed, DORMANT, u), 7) == 0;
  }

  /**
   * Per user, the index of their newest sign-in in the log and of their newest successful one (-1
   * for none): what their signInActivity agrees with. Computed once, on first use.
   */
  private int[][] newestSignIns() {
    int[][] newest = this.newestSignIns;
    if (newest == null) {
      newest = new int[2][scale.users()];
      Arrays.fill(newest[0], -1);
      Arrays.fill(newest[1], -1);
      for (int i = scale.signIns() - 1; i >= 0; i--) {
        SignInDraw draw = signInDraw(i);
        newest[0][draw.user()] = i;
        if (!draw.failed()) {
          newest[1][draw.user()] = i;
        }
      }
      this.newestSignIns = newest;
    }
    return newest;
  }

  /**
   * A user's signInActivity, as Graph keeps it: the newest interactive sign-in (failed or not) and
   * the newest successful one are those of the sign-in log when the user has one there; before the
   * log's window they are older. Graph has no successful sign-ins before December 2023: where it
   * has none, both lastSuccessful properties are empty strings, as Microsoft's example shows; the
   * other properties of a user who never signed in are null.
   */
  private Map<String, Object> signInActivity(int u, boolean enabled) {
    Pick p = pick(USER + 900, u);
    int[][] newest = newestSignIns();
    // A user created after day 0 has no sign-in in the generated log.
    int interactive = u < newest[0].length ? newest[0][u] : -1;
    int successful = u < newest[1].length ? newest[1][u] : -1;
    Instant lastSignIn = null;
    String lastSignInRequest = null;
    if (interactive >= 0) {
      lastSignIn = logTime(SIGN_IN, interactive, scale.signIns());
      lastSignInRequest = id(SIGN_IN, interactive);
    } else if (enabled && u < scale.users() && p.chance(0.8)) {
      // (a user created after day 0 never signed in)
      lastSignIn = oldestLog().minusSeconds(1 + p.below(400L * 86_400));
      lastSignInRequest = Hashing.uuid(seed, REQUEST, u);
    }
    Instant nonInteractive = null;
    String nonInteractiveRequest = null;
    if (lastSignIn != null && p.chance(0.8)) {
      nonInteractive = now.minusSeconds(1 + p.below(45L * 86_400));
      nonInteractiveRequest = Hashing.uuid(seed, REQUEST, u + 1_000_000_000L);
    }
    Instant lastSuccess = null;
    String lastSuccessRequest = null;
    if (successful >= 0) {
      lastSuccess = logTime(SIGN_IN, successful, scale.signIns());
      lastSuccessRequest = id(SIGN_IN, successful);
    } else if (interactive < 0 && lastSignIn != null && p.chance(0.7)) {
      lastSuccess = lastSignIn;
      lastSuccessRequest = lastSignInRequest;
    }
    if (nonInteractive != null && (lastSuccess == null || nonInteractive.isAfter(lastSuccess))) {
      lastSuccess = nonInteractive;
      lastSuccessRequest = nonInteractiveRequest;
    }
    Map<String, Object> activity = new LinkedHashMap<>();
    activity.put("lastSignInDateTime", lastSignIn == null ? null : seconds(lastSignIn));
    activity.put("lastSignInRequestId", lastSignInRequest);
    activity.put(
        "lastNonInteractiveSignInDateTime",
        nonInteractive == null ? null : seconds(nonInteractive));
    activity.put("lastNonInteractiveSignInRequestId", nonInteractiveRequest);
    activity.put("lastSuccessfulSignInDateTime", lastSuccess == null ? "" : seconds(lastSuccess));
    activity.put("lastSuccessfulSignInRequestId", lastSuccess == null ? "" : lastSuccessRequest);
    return activity;
  }

  /** Sign-in {@code i}; {@code i = 0} is the newest. */
  public Map<String, Object> signIn(int i) {
    SignInDraw draw = signInDraw(i);
    Pick p = draw.pick();
    int u = draw.user();
    String[] app = draw.app();
    String[] resource = draw.resource();
    boolean failed = draw.failed();
    Object[] failure = failed ? p.one(SIGN_IN_FAILURES) : null;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id(SIGN_IN, i));
    m.put("createdDateTime", micros7(logTime(SIGN_IN, i, scale.signIns())));
    m.put("userDisplayName", userDisplayName(u));
    m.put("userPrincipalName", userPrincipalName(u));
    m.put("userId", id(USER, u));
    m.put("appId", app[0]);
    m.put("appDisplayName", app[1]);
    m.put(
        "ipAddress",
        p.below(223) + 1 + "." + p.below(256) + "." + p.below(256) + "." + p.below(256));
    m.put(
        "clientAppUsed",
        p.one("Browser", "Browser", "Mobile Apps and Desktop clients", "Exchange ActiveSync"));
    m.put("correlationId", Hashing.uuid(seed, SIGN_IN + 400, i));
    String caStatus =
        failure != null && (int) failure[0] == 53003
            ? "failure"
            : p.one("success", "notApplied", "success");
    m.put("conditionalAccessStatus", caStatus);
    m.put("isInteractive", true);
    boolean risky = p.chance(0.04);
    String risk = risky ? p.one("low", "medium", "high") : "none";
    m.put(
        "riskDetail",
        risky
            ? p.one(
                "none", "userPassedMFADrivenByRiskBasedPolicy", "adminConfirmedSigninCompromised")
            : "none");
    m.put("riskLevelAggregated", risk);
    m.put("riskLevelDuringSignIn", risk);
    m.put("riskState", risky ? p.one("atRisk", "confirmedSafe", "remediated") : "none");
    m.put(
        "riskEventTypes",
        risky
            ? List.of(p.one("unfamiliarFeatures", "anonymizedIPAddress", "impossibleTravel"))
            : List.of());
    m.put("resourceDisplayName", resource[1]);
    m.put("resourceId", resource[0]);
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("errorCode", failure == null ? 0 : failure[0]);
    status.put("failureReason", failure == null ? null : failure[1]);
    status.put(
        "additionalDetails",
        failure == null
            ? null
            : p.one(
                "MFA requirement satisfied by claim in the token",
                "The user didn't complete the MFA prompt."));
    m.put("status", status);
    Map<String, Object> device = new LinkedHashMap<>();
    if (scale.devices() > 0 && p.chance(0.6)) {
      Map<String, Object> d = device(p.below(scale.devices()));
      device.put("deviceId", d.get("deviceId"));
      device.put("displayName", d.get("displayName"));
      device.put("operatingSystem", d.get("operatingSystem"));
      device.put(
          "browser", p.one("Edge 131.0.0", "Chrome 131.0.0", "Safari 18.1", "Rich Client 5.2.0"));
      device.put("isCompliant", d.get("isCompliant"));
      device.put("isManaged", d.get("isManaged"));
      device.put("trustType", d.get("trustType"));
    } else {
      device.put("deviceId", "");
      device.put("displayName", null);
      device.put("operatingSystem", p.one("Windows 10", "Ios 18", "Android", "MacOs"));
      device.put("browser", p.one("Edge 80.0.361", "Chrome 131.0.0", "Mobile Safari"));
      device.put("isCompliant", null);
      device.put("isManaged", null);
      device.put("trustType", null);
    }
    m.put("deviceDetail", device);
    String[] place = p.one(PLACES);
    Map<String, Object> location = new LinkedHashMap<>();
    location.put("city", place[0]);
    location.put("state", place[1]);
    location.put("countryOrRegion", place[2]);
    Map<String, Object> geo = new LinkedHashMap<>();
    geo.put("altitude", null);
    geo.put("latitude", Double.parseDouble(place[3]));
    geo.put("longitude", Double.parseDouble(place[4]));
    location.put("geoCoordinates", geo);
    m.put("location", location);
    List<Object> policies = new ArrayList<>();
    int policyCount = p.below(CA_POLICIES.size() + 1);
    for (int k = 0; k < policyCount; k++) {
      String[] policy = CA_POLICIES.get(k);
      Map<String, Object> applied = new LinkedHashMap<>();
      applied.put("id", policy[0]);
      applied.put("displayName", policy[1]);
      String result =
          caStatus.equals("notApplied")
              ? "notApplied"
              : caStatus.equals("failure") && k == 0
                  ? "failure"
                  : p.one("success", "notEnabled", "reportOnlySuccess");
      applied.put(
          "enforcedGrantControls",
          result.equals("success") || result.equals("failure")
              ? List.of(p.one("Mfa", "RequireCompliantDevice", "Block"))
              : List.of());
      applied.put("enforcedSessionControls", List.of());
      applied.put("result", result);
      policies.add(applied);
    }
    m.put("appliedConditionalAccessPolicies", policies);
    return m;
  }

  /** Directory audit {@code i}; {@code i = 0} is the newest. */
  public Map<String, Object> directoryAudit(int i) {
    Pick p = pick(AUDIT + 100, i);
    String[] a = p.one(AUDIT_ACTIVITIES);
    boolean success = !p.chance(0.06);
    String correlation = Hashing.uuid(seed, AUDIT + 400, i);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(
        "id",
        "Directory_" + correlation + "_" + p.hex(5).toUpperCase(Locale.ROOT) + "_" + p.digits(8));
    m.put("category", a[1]);
    m.put("correlationId", correlation);
    m.put("result", success ? "success" : "failure");
    m.put(
        "resultReason",
        success
            ? ""
            : p.one(
                "Microsoft.Online.Workflows.ObjectAlreadyExistsException",
                "Insufficient privileges"));
    m.put("activityDisplayName", a[2]);
    m.put("activityDateTime", micros7(logTime(AUDIT, i, scale.directoryAudits())));
    m.put("loggedByService", a[0]);
    m.put("operationType", a[3]);
    Map<String, Object> initiatedBy = new LinkedHashMap<>();
    if (p.chance(0.7)) {
      int u = p.below(scale.users());
      Map<String, Object> user = new LinkedHashMap<>();
      user.put("id", id(USER, u));
      user.put("displayName", p.chance(0.5) ? userDisplayName(u) : null);
      user.put("userPrincipalName", userPrincipalName(u));
      user.put("ipAddress", p.chance(0.6) ? "10.0." + p.below(256) + "." + p.below(256) : null);
      user.put("userType", null);
      user.put("homeTenantId", null);
      user.put("homeTenantName", null);
      initiatedBy.put("app", null);
      initiatedBy.put("user", user);
    } else {
      int s = p.below(scale.servicePrincipals());
      Map<String, Object> app = new LinkedHashMap<>();
      app.put("appId", Hashing.uuid(seed, APP, s));
      app.put("displayName", servicePrincipal(s).get("displayName"));
      app.put("servicePrincipalId", id(SERVICE_PRINCIPAL, s));
      app.put("servicePrincipalName", null);
      initiatedBy.put("app", app);
      initiatedBy.put("user", null);
    }
    m.put("initiatedBy", initiatedBy);
    Map<String, Object> target = new LinkedHashMap<>();
    List<Object> modified = new ArrayList<>();
    switch (a[4]) {
      case "User" -> {
        int u = p.below(scale.users());
        target.put("id", id(USER, u));
        target.put("displayName", null);
        target.put("type", "User");
        target.put("userPrincipalName", userPrincipalName(u));
        target.put("groupType", null);
        if (a[2].equals("Update user")) {
          modified.add(change("Department", "[\"Sales\"]", "[\"" + p.one(DEPARTMENTS) + "\"]"));
          modified.add(change("Included Updated Properties", null, "\"Department\""));
        }
      }
      case "Group" -> {
        int g = scale.groups() == 0 ? 0 : p.below(scale.groups());
        target.put(
            "id", scale.groups() == 0 ? "00000000-0000-0000-0000-000000000000" : id(GROUP, g));
        target.put("displayName", scale.groups() == 0 ? null : group(g).get("displayName"));
        target.put("type", "Group");
        target.put("userPrincipalName", null);
        target.put(
            "groupType",
            scale.groups() == 0
                ? null
                : groupType(g) == GroupType.UNIFIED ? "unifiedGroups" : "securityGroup");
        modified.add(change("Group.ObjectID", null, "\"" + target.get("id") + "\""));
      }
      case "Device" -> {
        int d = scale.devices() == 0 ? 0 : p.below(scale.devices());
        target.put(
            "id", scale.devices() == 0 ? "00000000-0000-0000-0000-000000000000" : id(DEVICE, d));
        target.put("displayName", scale.devices() == 0 ? null : device(d).get("displayName"));
        target.put("type", "Device");
        target.put("userPrincipalName", null);
        target.put("groupType", null);
        modified.add(change("AccountEnabled", null, "[true]"));
      }
      case "ServicePrincipal" -> {
        int s = p.below(scale.servicePrincipals());
        target.put("id", id(SERVICE_PRINCIPAL, s));
        target.put("displayName", servicePrincipal(s).get("displayName"));
        target.put("type", a[4]);
        target.put("userPrincipalName", null);
        target.put("groupType", null);
        modified.add(change("AppAddress", null, "\"" + target.get("displayName") + "\""));
      }
      case "Role" -> {
        // As Entra records a role assignment: the member first, carrying the role in its
        // modified properties, then the role itself.
        int u = p.below(scale.users());
        Map<String, Object> role = roleDefinition(p.below(roleDefinitions()));
        target.put("id", id(USER, u));
        target.put("displayName", null);
        target.put("type", "User");
        target.put("userPrincipalName", userPrincipalName(u));
        target.put("groupType", null);
        modified.add(change("Role.ObjectID", null, "\"" + role.get("id") + "\""));
        modified.add(change("Role.DisplayName", null, "\"" + role.get("displayName") + "\""));
        modified.add(change("Role.TemplateId", null, "\"" + role.get("templateId") + "\""));
        modified.add(change("Role.WellKnownObjectName", null, null));
        target.put("modifiedProperties", modified);
        Map<String, Object> roleTarget = new LinkedHashMap<>();
        roleTarget.put("id", role.get("id"));
        roleTarget.put("displayName", null);
        roleTarget.put("type", "Role");
        roleTarget.put("userPrincipalName", null);
        roleTarget.put("groupType", null);
        roleTarget.put("modifiedProperties", List.of());
        m.put("targetResources", List.of(target, roleTarget));
      }
      default -> {
        target.put("id", "00000000-0000-0000-0000-000000000000");
        target.put("displayName", null);
        target.put("type", "N/A");
        target.put("userPrincipalName", null);
        target.put("groupType", null);
      }
    }
    if (!m.containsKey("targetResources")) {
      target.put("modifiedProperties", modified);
      m.put("targetResources", List.of(target));
    }
    List<Object> details = new ArrayList<>();
    if (p.chance(0.5)) {
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("key", "User-Agent");
      d.put(
          "value",
          p.one(
              "Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
              "Microsoft Azure Graph Client Library 1.0",
              "EvoSTS"));
      details.add(d);
    }
    m.put("additionalDetails", details);
    return m;
  }

  private static Map<String, Object> change(String name, String oldValue, String newValue) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("displayName", name);
    c.put("oldValue", oldValue);
    c.put("newValue", newValue);
    return c;
  }

  // ---------------------------------------------------------------- time formats

  private static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  /** Directory objects: whole seconds, as in "2021-07-29T15:53:27Z". */
  static String seconds(Instant t) {
    return t.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /** Logs: seven fractional digits, as in "2020-03-13T19:15:41.6195833Z". */
  static String micros7(Instant t) {
    String base = t.truncatedTo(ChronoUnit.SECONDS).toString();
    long tenths = t.getNano() / 100;
    char[] digits = String.format(Locale.ROOT, "%07d", tenths).toCharArray();
    return base.substring(0, base.length() - 1) + "." + new String(digits) + "Z";
  }

  @Override
  public String toString() {
    return "DemoTenant[seed="
        + seed
        + ", scale="
        + scale.name()
        + ", now="
        + now
        + ", counts="
        + Arrays.toString(
            new long[] {
              scale.users(),
              scale.devices(),
              scale.groups(),
              memberships,
              scale.directoryAudits(),
              scale.signIns()
            })
        + "]";
  }
}
