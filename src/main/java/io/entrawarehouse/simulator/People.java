package io.entrawarehouse.simulator;

import static io.entrawarehouse.simulator.DemoTenant.*;

import java.text.Normalizer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The demo tenant's users: names, licences, the properties v1.0 returns by default, and their
 * authentication-method registration details. Immutable and thread-safe, as the tenant.
 */
public final class People {

  private final DemoTenant t;

  People(DemoTenant tenant) {
    this.t = tenant;
  }

  static final List<String> GIVEN_NAMES =
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

  static final List<String> SURNAMES =
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

  static final List<String> DEPARTMENTS =
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

  static final List<String> JOB_TITLES =
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

  static final List<String[]> PLACES =
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

  static final List<String> SKUS =
      List.of(
          "05e9a617-0261-4cee-bb44-138d3ef5d965", // Microsoft 365 E3
          "06ebc4ee-1bb5-47dd-8120-11324bc54e06", // Microsoft 365 E5
          "6fd2c87f-b296-42f0-b197-1e91e994b900", // Office 365 E3
          "efccb6f7-5641-4e0e-bd10-b4976e1bf68e", // Enterprise Mobility + Security E3
          "f8a1db68-be16-40ed-86d5-cb42ce701560"); // Power BI Pro

  private String givenName(int u) {
    return GIVEN_NAMES.get(
        (int) Long.remainderUnsigned(Hashing.hash(t.seed(), USER, u), GIVEN_NAMES.size()));
  }

  private String surname(int u) {
    return SURNAMES.get(
        (int) Long.remainderUnsigned(Hashing.hash(t.seed(), USER, u) >>> 20, SURNAMES.size()));
  }

  private boolean isGuest(int u) {
    return u % 13 == 7;
  }

  String userPrincipalName(int u) {
    String local = ascii(givenName(u)) + "." + ascii(surname(u)) + u;
    if (isGuest(u)) {
      return local + "_fabrikam.com#EXT#@" + t.domain();
    }
    return local + "@" + t.domain();
  }

  String userDisplayName(int u) {
    return givenName(u) + " " + surname(u);
  }

  static String ascii(String s) {
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
    return t.changes().apply(USER, u, baseUser(u));
  }

  Map<String, Object> baseUser(int u) {
    Pick p = t.pick(USER + 100, u);
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
            : p.chance(0.9)
                ? upn.toLowerCase(Locale.ROOT).replace(t.domain(), "contoso.com")
                : null;
    m.put("mail", mail);
    m.put("mobilePhone", p.chance(0.4) ? "+1 425 555 0" + p.digits(3) : null);
    m.put("officeLocation", p.chance(0.7) ? p.digits(2) + "/" + p.digits(4) : null);
    m.put("preferredLanguage", p.chance(0.7) ? p.one("en-US", "fr-FR", "de-DE", "ja-JP") : null);
    m.put("surname", sur);
    m.put("userPrincipalName", upn);
    m.put("id", t.id(USER, u));
    // Properties v1.0 returns only when $select names them.
    m.put("accountEnabled", enabled);
    m.put("userType", guest ? "Guest" : "Member");
    Instant created = t.now().minusSeconds(3_600L + p.below(5L * 365 * 86_400));
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
    m.put(
        "onPremisesLastSyncDateTime",
        synced ? seconds(t.now().minusSeconds(p.below(7_200))) : null);
    m.put(
        "lastPasswordChangeDateTime",
        seconds(max(created, t.now().minusSeconds(p.below(400L * 86_400)))));
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
    m.put("signInActivity", t.logs().signInActivity(u, enabled));
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

  Map<String, Object> defaultUser(int u) {
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

  private Set<String> activeAdmins;

  /** Users who hold an active role assignment: what a registration's isAdmin says. */
  private synchronized Set<String> activeAdmins() {
    if (activeAdmins == null) {
      Set<String> ids = new HashSet<>();
      for (int i = 0; i < t.roles().roleAssignments(); i++) {
        ids.add((String) t.roles().roleAssignment(i).get("principalId"));
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
    Pick p = t.pick(REGISTRATION, u);
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
    m.put("lastUpdatedDateTime", seconds(t.now().minusSeconds(p.below(30L * 86_400))));
    m.put("methodsRegistered", methods);
    m.put("isSystemPreferredAuthenticationMethodEnabled", true);
    m.put("systemPreferredAuthenticationMethods", mfa ? List.of("push") : List.of());
    m.put("userPreferredMethodForSecondaryAuthentication", mfa ? (phone ? "sms" : "push") : "");
    m.put("userType", guest ? "guest" : "member");
    return m;
  }
}
