package io.entrawarehouse.process;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entrawarehouse.warehouse.Column;
import io.entrawarehouse.warehouse.Entities;
import io.entrawarehouse.warehouse.Entity;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/**
 * Golden rows from Microsoft's own example payloads (src/test/resources/graph-samples): each sample
 * made a row by the product's processor, compared with a row written out here by hand from the
 * sample, column by column. The expected values are literals read off the sample, not the
 * descriptor's paths, so a column mapped to the wrong Graph property fails. Every column not listed
 * must be NULL: the sample does not carry it.
 */
class SampleRowTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void usersDefaultPropertiesSample() throws Exception {
    assertRow(
        Entities.USERS,
        "user.json",
        Map.of(
            "id", "4562bcc8-c436-4f95-b7c0-4f8ce89dca5e",
            "user_principal_name", "admin@contoso.com",
            "display_name", "MOD Administrator",
            "given_name", "MOD",
            "surname", "Administrator",
            "mobile_phone", "425-555-0101",
            "preferred_language", "en-US",
            "business_phones", List.of("425-555-0100")));
  }

  @Test
  void usersSignInActivitySample() throws Exception {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("id", "f0662ee5-84b1-43d6-8338-769cce1bc141");
    row.put("user_principal_name", "AlexW@contoso.com");
    row.put("display_name", "Alex Wilber");
    row.put("last_sign_in_date_time", Instant.parse("2024-12-10T17:38:26Z"));
    row.put("last_sign_in_request_id", "f3149ee1-e347-4181-b45b-99a1f82b1c00");
    row.put("last_non_interactive_sign_in_date_time", Instant.parse("2024-12-10T17:38:11Z"));
    row.put("last_non_interactive_sign_in_request_id", "868efa6a-b2e9-40e9-9b1c-0aaea5b50200");
    row.put("last_successful_sign_in_date_time", Instant.parse("2024-12-10T17:38:26Z"));
    row.put("last_successful_sign_in_request_id", "f3149ee1-e347-4181-b45b-99a1f82b1c00");
    assertRow(Entities.USERS, "user-with-signinactivity.json", row);
  }

  /**
   * A user who never signed in successfully, as user-list.md's signInActivity example shows one:
   * Graph's "never" is an empty string for the successful sign-in and 0001-01-01 for the
   * non-interactive one; both land as NULL, never as a date.
   */
  @Test
  void usersNeverSignedInSuccessfullyGetNulls() throws Exception {
    ObjectNode item =
        (ObjectNode)
            JSON.readTree(
                "{\"displayName\": \"Adele Vance\", \"userPrincipalName\": \"AdeleV@contoso.com\","
                    + " \"id\": \"1aecaf40-dc3a-461f-88a8-d06994e12898\", \"signInActivity\": {"
                    + " \"lastSignInDateTime\": \"2021-06-17T16:41:33Z\","
                    + " \"lastSignInRequestId\": \"d4d31c40-4c36-4775-ad59-7d1e6a171f00\","
                    + " \"lastNonInteractiveSignInDateTime\": \"0001-01-01T00:00:00Z\","
                    + " \"lastNonInteractiveSignInRequestId\": \"\","
                    + " \"lastSuccessfulSignInDateTime\": \"\","
                    + " \"lastSuccessfulSignInRequestId\": \"\"}}");
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("id", "1aecaf40-dc3a-461f-88a8-d06994e12898");
    row.put("user_principal_name", "AdeleV@contoso.com");
    row.put("display_name", "Adele Vance");
    row.put("last_sign_in_date_time", Instant.parse("2021-06-17T16:41:33Z"));
    row.put("last_sign_in_request_id", "d4d31c40-4c36-4775-ad59-7d1e6a171f00");
    assertRow(Entities.USERS, item, row);
  }

  @Test
  void groupSample() throws Exception {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("id", "45b7d2e7-b882-4a80-ba97-10b7a63b8fa4");
    row.put("display_name", "Golf Assist");
    row.put("description", "Self help community for golf");
    row.put("mail", "golfassist@contoso.com");
    row.put("mail_enabled", true);
    row.put("mail_nickname", "golfassist");
    row.put("security_enabled", false);
    row.put("group_types", List.of("Unified"));
    row.put("visibility", "Public");
    row.put("created_date_time", Instant.parse("2018-12-22T02:21:05Z"));
    row.put("renewed_date_time", Instant.parse("2018-12-22T02:21:05Z"));
    row.put("preferred_data_location", "CAN");
    row.put(
        "proxy_addresses",
        List.of("smtp:golfassist@contoso.onmicrosoft.com", "SMTP:golfassist@contoso.com"));
    row.put("resource_provisioning_options", List.of());
    assertRow(Entities.GROUPS, "group.json", row);
  }

  @Test
  void deviceSample() throws Exception {
    assertRow(
        Entities.DEVICES,
        "device.json",
        Map.of(
            "id", "c9d9f9b3-0c91-4080-b392-78f775903b3a",
            "device_id", "4c299165-6e8f-4b45-a5ba-c5d250a707ff",
            "display_name", "Test device",
            "operating_system", "linux",
            "operating_system_version", "1",
            "account_enabled", false,
            "created_date_time", Instant.parse("2022-05-05T20:56:06Z")));
  }

  @Test
  void directoryAuditSample() throws Exception {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("id", "SSGM_b662f17a-4e4d-4e1c-9248-cdec180024b2_MCDC4_88453290");
    row.put("activity_date_time", Instant.parse("2024-12-27T10:01:19.579674Z"));
    row.put("activity_display_name", "GroupLifecyclePolicies_Get");
    row.put("category", "GroupManagement");
    row.put("correlation_id", "b662f17a-4e4d-4e1c-9248-cdec180024b2");
    row.put("result", "success");
    row.put("result_reason", "OK");
    row.put("logged_by_service", "Self-service Group Management");
    row.put("operation_type", "Update");
    row.put("initiated_by_user_id", "00000000-0000-0000-0000-000000000000");
    row.put("initiated_by_ip_address", "10.0.0.0");
    row.put(
        "initiated_by",
        json(
            "{\"app\":null,\"user\":{\"id\":\"00000000-0000-0000-0000-000000000000\","
                + "\"displayName\":null,\"userPrincipalName\":null,\"ipAddress\":\"10.0.0.0\","
                + "\"userType\":null,\"homeTenantId\":null,\"homeTenantName\":null}}"));
    row.put("target_resource_ids", List.of("00000000-0000-0000-0000-000000000000"));
    row.put(
        "target_resources",
        json(
            "[{\"id\":\"00000000-0000-0000-0000-000000000000\",\"displayName\":null,"
                + "\"type\":\"N/A\",\"userPrincipalName\":null,\"groupType\":null,"
                + "\"modifiedProperties\":[]}]"));
    row.put("additional_details", json("[]"));
    assertRow(Entities.DIRECTORY_AUDITS, "directoryAudit.json", row);
  }

  @Test
  void signInSample() throws Exception {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("id", "66ea54eb-6301-4ee5-be62-ff5a759b0100");
    row.put("created_date_time", Instant.parse("2020-03-13T19:15:41.619583Z"));
    row.put("user_id", "26be570a-ae82-4189-b4e2-a37c6808512d");
    row.put("user_principal_name", "testaccount1@contoso.com");
    row.put("user_display_name", "Test Contoso");
    row.put("app_id", "de8bc8b5-d9f9-48b1-a8ad-b748da725064");
    row.put("app_display_name", "Graph explorer");
    row.put("resource_id", "00000003-0000-0000-c000-000000000000");
    row.put("resource_display_name", "Microsoft Graph");
    row.put("ip_address", "131.107.159.37");
    row.put("client_app_used", "Browser");
    row.put("correlation_id", "d79f5bee-5860-4832-928f-3133e22ae912");
    row.put("is_interactive", true);
    row.put("status_error_code", 0);
    row.put("conditional_access_status", "notApplied");
    row.put("risk_detail", "none");
    row.put("risk_level_aggregated", "none");
    row.put("risk_level_during_sign_in", "none");
    row.put("risk_state", "none");
    row.put("risk_event_types", List.of());
    row.put("device_id", "");
    row.put("device_operating_system", "Windows 10");
    row.put("device_browser", "Edge 80.0.361");
    row.put("location_city", "Redmond");
    row.put("location_state", "Washington");
    row.put("location_country_or_region", "US");
    row.put("location_latitude", 47.68050003051758);
    row.put("location_longitude", -122.12094116210938);
    row.put(
        "applied_conditional_access_policies",
        json(
            "[{\"id\":\"de7e60eb-ed89-4d73-8205-2227def6b7c9\",\"displayName\":\"SharePoint"
                + " limited access for guest workers\",\"enforcedGrantControls\":[],"
                + "\"enforcedSessionControls\":[],\"result\":\"notEnabled\"}]"));
    row.put(
        "applied_conditional_access_policy_ids", List.of("de7e60eb-ed89-4d73-8205-2227def6b7c9"));
    assertRow(Entities.SIGN_INS, "signIn.json", row);
  }

  @Test
  void namedLocationsSample() throws Exception {
    // One collection, two types, each with its own properties (Conformance
    // .NAMED_LOCATIONS_MIXED_TYPES): both rows from Microsoft's list example.
    JsonNode value = sample("namedLocations.json").get("value");
    Map<String, Object> ip = new LinkedHashMap<>();
    ip.put("id", "06e4ff15-ca6b-4843-9c34-3fdd1ce8f739");
    ip.put("display_name", "IPv4 named location");
    ip.put("location_type", "ipNamedLocation");
    ip.put("created_date_time", Instant.parse("2018-06-22T11:56:12Z"));
    ip.put("modified_date_time", Instant.parse("2019-07-26T18:00:43.579644Z"));
    ip.put("is_trusted", false);
    ip.put("ip_ranges", List.of("6.5.4.3/32", "127.126.125.0/24"));
    assertRow(Entities.ALL.get("named_locations"), (ObjectNode) value.get(0), ip);
    Map<String, Object> country = new LinkedHashMap<>();
    country.put("id", "1b7f0916-7677-40d8-97a1-d606f4ed8fcf");
    country.put("display_name", "Country named location");
    country.put("location_type", "countryNamedLocation");
    country.put("created_date_time", Instant.parse("2018-09-10T16:54:53.723884Z"));
    country.put("modified_date_time", Instant.parse("2018-09-10T16:54:53.723884Z"));
    country.put("countries_and_regions", List.of("US", "CA"));
    country.put("include_unknown_countries_and_regions", false);
    assertRow(Entities.ALL.get("named_locations"), (ObjectNode) value.get(1), country);
  }

  /** The sample made a row; each column equal to {@code expected}'s value, or NULL if unlisted. */
  private static void assertRow(Entity table, String sample, Map<String, Object> expected)
      throws Exception {
    ObjectNode item = (ObjectNode) sample(sample);
    item.remove("@odata.context");
    assertRow(table, item, expected);
  }

  /** An item made a row; each column equal to {@code expected}'s value, or NULL if unlisted. */
  private static void assertRow(Entity table, ObjectNode item, Map<String, Object> expected)
      throws Exception {
    String sample = item.path("id").asText();
    GenericRecord row =
        new WarehouseRowProcessor(table, "tenant-1", 7, Instant.parse("2026-12-01T00:00:00Z"), true)
            .process(item);
    List<String> columns = table.columns().stream().map(Column::name).toList();
    assertThat(columns).as("columns the golden row names").containsAll(expected.keySet());
    Map<String, Object> actual = new LinkedHashMap<>();
    for (Column c : table.columns()) {
      actual.put(c.name(), value(c, row.get(c.name())));
    }
    Map<String, Object> want = new LinkedHashMap<>();
    for (String c : columns) {
      want.put(c, expected.get(c));
    }
    assertThat(actual).as(table.name() + " from " + sample).isEqualTo(want);
    assertThat(row.get(Entity.TENANT).toString()).isEqualTo("tenant-1");
    assertThat(JSON.readTree(row.get(Entity.RAW_JSON).toString())).isEqualTo(item);
  }

  /** A row value as this test compares it: text, an instant, a list of text, a JSON tree. */
  private static Object value(Column c, Object v) throws IOException {
    if (v == null) {
      return null;
    }
    return switch (c.type()) {
      case STRING -> v.toString();
      case TIMESTAMP -> Instant.EPOCH.plusNanos((Long) v * 1_000);
      case JSON -> JSON.readTree(v.toString());
      case STRING_LIST -> {
        List<String> out = new ArrayList<>();
        for (Object x : (List<?>) v) {
          out.add(x.toString());
        }
        yield out;
      }
      default -> v;
    };
  }

  private static JsonNode json(String text) throws IOException {
    return JSON.readTree(text);
  }

  private static JsonNode sample(String name) throws IOException {
    try (InputStream in = SampleRowTest.class.getResourceAsStream("/graph-samples/" + name)) {
      if (in == null) {
        throw new IOException("missing test resource graph-samples/" + name);
      }
      return JSON.readTree(in);
    }
  }
}
