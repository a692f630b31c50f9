package io.entrawarehouse.simulator;

import static io.entrawarehouse.simulator.DemoTenant.*;

import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The demo tenant's devices and their registered owners. Immutable and thread-safe, as the tenant.
 */
public final class Devices {

  private final DemoTenant t;

  Devices(DemoTenant tenant) {
    this.t = tenant;
  }

  /** Device {@code d} with every v1.0 property this simulator knows. */
  public Map<String, Object> device(int d) {
    return t.changes().apply(DEVICE, d, baseDevice(d));
  }

  Map<String, Object> baseDevice(int d) {
    Pick p = t.pick(DEVICE + 100, d);
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
    Instant registered = t.now().minusSeconds(86_400L + p.below(4L * 365 * 86_400));
    Instant lastSignIn =
        stale
            ? max(registered, t.now().minusSeconds(91L * 86_400 + p.below(400L * 86_400)))
            : max(registered, t.now().minusSeconds(p.below(20L * 86_400)));
    boolean synced = trustType.equals("ServerAd");
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", t.id(DEVICE, d));
    m.put("deletedDateTime", null);
    m.put("accountEnabled", !p.chance(0.05));
    m.put("approximateLastSignInDateTime", seconds(lastSignIn));
    m.put("complianceExpirationDateTime", null);
    m.put("createdDateTime", seconds(registered));
    m.put("deviceCategory", null);
    m.put("deviceId", Hashing.uuid(t.seed(), DEVICE_ID, d));
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
    m.put(
        "onPremisesLastSyncDateTime",
        synced ? seconds(t.now().minusSeconds(p.below(7_200))) : null);
    m.put(
        "onPremisesSecurityIdentifier",
        synced ? "S-1-5-21-" + p.digits(10) + "-" + p.digits(4) : null);
    m.put("onPremisesSyncEnabled", synced ? Boolean.TRUE : null);
    m.put("operatingSystem", operatingSystem);
    m.put("operatingSystemVersion", version);
    m.put("physicalIds", List.of("[USER-GID]:" + t.id(DEVICE, d) + ":" + p.digits(16)));
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
   * hybrid-joined devices (trustType ServerAd, registered by their t.domain()) have none, and an
   * owner since deleted is no longer listed.
   */
  public Map<String, Object> deviceOwner(Map<String, Object> device) {
    if ("ServerAd".equals(device.get("trustType"))) {
      return null;
    }
    long h = Hashing.hash(t.seed(), DEVICE_OWNER, ((String) device.get("id")).hashCode());
    int u = (int) Math.floorMod(h, (long) t.changes().population(USER).baseCount);
    return t.changes().population(USER).alive(u) ? t.people().user(u) : null;
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
}
