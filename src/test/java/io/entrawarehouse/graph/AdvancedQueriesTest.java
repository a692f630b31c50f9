package io.entrawarehouse.graph;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Filters as users write them, against Microsoft's table of properties and operators. */
class AdvancedQueriesTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        // runZero's documented device filter: deviceOwnership is advanced-only.
        "/devices|deviceOwnership eq 'Company' or isManaged eq true|true",
        "/devices|isManaged eq true and accountEnabled eq true|false",
        "/devices|operatingSystem eq 'Windows'|false",
        "/devices|operatingSystem eq null|true",
        "/devices|approximateLastSignInDateTime ge 2026-11-01T00:00:00Z|false",
        "/users|department eq 'Sales'|false",
        "/users|department eq null|true",
        "/users|companyName eq 'Contoso'|true",
        "/users|startswith(mobilePhone, '+1 425')|true",
        "/users|startswith(displayName, 'Adele')|false",
        "/users|displayName eq 'not ne endswith('|false",
        "/users|accountEnabled ne true|true",
        "/users|NOT (userType eq 'Guest')|true",
        "/users|endswith(mail, '@contoso.com')|true",
        "/users|assignedLicenses/$count eq 0|true",
        "/users|assignedLicenses/any(a:a/skuId eq 6fd2c87f-b296-42f0-b197-1e91e994b900)|false",
        "/users|assignedPlans/any(p:p/servicePlanId eq 6fd2c87f-b296-42f0-b197-1e91e994b900)|true",
        "/users|createdDateTime ge 2026-01-01T00:00:00Z|true",
        "/users|userType in ('Guest', 'Member')|false",
        "/users|employeeType in ('Contractor')|true",
        "/groups|description eq 'x'|true",
        "/groups|securityEnabled eq true|false",
        "/servicePrincipals|appOwnerOrganizationId eq 72f988bf-86f1-41af-91ab-2d7cd011db47|true",
        "/applications|signInAudience eq 'AzureADMyOrg'|false",
      })
  void advancedWhereMicrosoftsTableSays(String path, String filter, boolean advanced) {
    assertThat(AdvancedQueries.needed(path, filter)).as(path + " " + filter).isEqualTo(advanced);
  }
}
