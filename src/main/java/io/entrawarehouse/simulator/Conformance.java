package io.entrawarehouse.simulator;

/**
 * The simulator's conformance register: each behaviour of Microsoft Graph that a naive reading of
 * its reference pages would get wrong, which the simulator reproduces. A row names its source, what
 * the simulator does, and two tests: one that fails if the simulator stops doing it, one that fails
 * if the product stops surviving it. The README's "Conformance register" mirrors this list ({@code
 * ConformanceRegisterTest} checks both, and that every named test exists).
 *
 * <p>Where sources are old or disagree, the row models the documented or most recent behaviour,
 * says so in {@link #doubt}, and the product is built to survive either.
 */
public enum Conformance {
  PIM_WITHOUT_P2(
      "Privileged Identity Management (roleEligibilitySchedules) in a tenant without Entra ID P2"
          + " answers 400 AadPremiumLicenseRequired, not 403.",
      "microsoft/zerotrustassessment#1021; CompassSecurity/EntraFalcon#4; Galvnyz/M365-Assess#117",
      "Older reports show 403, or the text \"has not onboarded to PIM\": the product treats a"
          + " licence code as a licence refusal on any status.",
      "role_eligibility_schedules answers 400 AadPremiumLicenseRequired unless the tenant has P2"
          + " (SimulatorSettings.p2).",
      "simulator.ConformanceTest#pimWithoutP2Answers400",
      "cli.LicenceTest#aP1TenantsNightlyLoadsAllButPimAndEndsPartial"),
  REPORTS_WITHOUT_PREMIUM(
      "Sign-ins (and signInActivity, registration details, conditional access) in a tenant"
          + " without Entra ID P1 or P2 answer 403"
          + " Authentication_RequestFromNonPremiumTenantOrB2CTenant, and logs are kept 7 days"
          + " instead of 30.",
      "docs-contrib api-reference/v1.0/api/signin-list.md (licence note); concepts/reports-concept"
          + " data retention",
      null,
      "--no-premium: those answer 403 with that code; a log filter older than 7 days is 400"
          + " Invalid filter clause.",
      "simulator.PagingAndLogsTest#withoutPremiumSignInsAreForbiddenAndRetentionIsSevenDays",
      "cli.RunCommandTest#aTableTheTenantIsNotLicensedForEndsTheRunPartialWithEveryOtherTableLoaded"),
  DELTA_TOKEN_EXPIRED(
      "A delta token Graph no longer keeps answers 410 Gone (syncStateNotFound or"
          + " resyncRequired); the client must read the collection in full again.",
      "docs-contrib concepts/delta-query-overview.md (synchronization reset);"
          + " microsoft-graph-docs-contrib#9003 (directory tokens last 7 days)",
      null,
      "Tokens older than 7 of the tenant's days, or issued before expireDeltaTokens(), answer 410"
          + " with syncStateNotFound or resyncRequired.",
      "simulator.ConformanceTest#anExpiredDeltaTokenAnswers410",
      "cli.DeltaWeekTest#aWeekOfKilledNightsEndsWithTheTenantAndItsHistory"),
  DELTA_TOKEN_INVALID(
      "A delta token Graph cannot read (damaged, or issued for another collection) answers 400,"
          + " not 410.",
      "Seen from a Graph fake written from Microsoft's documentation (issue 27: 400 \"The"
          + " specified delta token value is invalid\")",
      "Microsoft documents only the 410 reset: the product resyncs on both, and never follows a"
          + " stored link that points off the configured Graph.",
      "A token it cannot decode, or one made for another collection, answers 400 BadRequest.",
      "simulator.ConformanceTest#aDamagedOrForeignDeltaTokenAnswers400",
      "job.DeltaLoadTest#aTamperedDeltaLinkResyncsAndTheNightEndsEqualToAFullLoad"),
  SIGN_INS_NO_SELECT(
      "v1.0 auditLogs/signIns documents no $select, and has answered 400 \"Query option 'Select'"
          + " is not allowed.\"; the beta endpoint takes it.",
      "docs-contrib api-reference/v1.0/api/signin-list.md (optional query parameters);"
          + " microsoft-graph-devx-api#1250; msgraph-sdk-powershell#1251",
      "Microsoft may accept it today: the product sends none, and keeps the same columns.",
      "auditLogs/signIns with $select answers 400 \"Query option 'Select' is not allowed.\"",
      "simulator.ConformanceTest#signInsRefuseSelect",
      "job.GoldenRowTest#oneRowOfEveryTableEqualsItsGraphItemFieldByField"),
  PAGE_TOKEN_ERRORS(
      "Graph may refuse a nextLink's page token: 400 Directory_ExpiredPageToken once it expired,"
          + " DirectoryPageTokenNotFoundException when the token came from a retried request. The"
          + " collection must be read again from its first page.",
      "docs-contrib concepts/paging.md (Error handling); microsoft/zerotrustassessment#1217",
      "\"UnknownError: Token not found\" has been reported too (zerotrustassessment#1217); it"
          + " has no code of its own to tell it from other errors, so it fails the table.",
      "Skip tokens expire (--skiptoken-lifetime: Directory_ExpiredPageToken); the page-token"
          + " fault answers DirectoryPageTokenNotFoundException on a page after the first.",
      "simulator.ConformanceTest#aPageTokenGraphNoLongerFindsIs400",
      "read.PagingFaultsTest#aPageTokenErrorThatPersistsFailsAfterThreeRestarts"),
  NEXTLINK_CYCLE(
      "A nextLink has been seen to lead back to a page already read, so a client that follows"
          + " links blindly never ends.",
      "microsoftgraph/msgraph-sdk-dotnet#2108; microsoftgraph/microsoft-graph-docs#2635",
      "Rare, and not documented as behaviour: the product reads once more from the first page,"
          + " then fails the table with a message.",
      "The cycle fault gives a page its own link as its nextLink.",
      "simulator.ConformanceTest#theCycleFaultLinksAPageToItself",
      "read.PagingFaultsTest#aCycleThatPersistsFailsTheReadInsteadOfLooping"),
  PARENT_GONE(
      "An object deleted between the listing of its collection and the read of its members"
          + " answers 404 Request_ResourceNotFound for its members.",
      "docs-contrib concepts/errors.md (404 Not Found, Request_ResourceNotFound)",
      null,
      "The 404 fault answers Request_ResourceNotFound, naming the object.",
      "simulator.ConformanceTest#aParentDeletedMidReadIs404",
      "cli.ParentGoneTest#aGroupDeletedMidReadIsLeftOutAndCounted"),
  INTERMITTENT_LICENCE_REFUSAL(
      "A licensed tenant's report endpoints have answered 403"
          + " Authentication_RequestFromNonPremiumTenantOrB2CTenant at random, then worked again.",
      "microsoftgraph/microsoft-graph-docs#11986; microsoft-graph-docs-contrib#3808, #3581",
      "Reported as intermittent, cause unknown (granting Directory.Read.All as well was said to"
          + " help): the product asks once more, after a pause, for a table loaded before, then"
          + " denies it.",
      "The 403-licence fault answers that refusal whatever the tenant's licence.",
      "simulator.ConformanceTest#theLicenceFaultRefusesALicensedTenant",
      "cli.LicenceTest#aLicenceRefusalOfATableLoadedBeforeIsAskedOnceMore"),
  NATIONAL_CLOUD_GAPS(
      "National clouds lack endpoints: v1.0 sign-ins in US Government L4 and L5 and in China,"
          + " users' signInActivity in US Government L4 (GCC High), directory audits in China.",
      "The national cloud availability tables of signin-list.md, directoryaudit-list.md and the"
          + " user resource; microsoftgraph/microsoft-graph-docs#18484;"
          + " splunk-add-on-microsoft-azure#16; microsoft/zerotrustassessment#378",
      "What Graph answers for an endpoint a cloud lacks is not documented (modelled as 400"
          + " Request_UnsupportedQuery): the product never asks, from its own availability table.",
      "A simulator whose Graph host is a national cloud's answers those with 400"
          + " Request_UnsupportedQuery.",
      "simulator.ConformanceTest#nationalCloudsLackTheirGaps",
      "cli.LicenceTest#aNationalCloudLoadsWhatItOffersAndNamesTheRest"),
  ADVANCED_QUERY_TABLE(
      "Which filters need an advanced query (ConsistencyLevel: eventual and $count=true) is set"
          + " per property and operator: eq, startsWith and ranges on some properties, a null"
          + " comparison on others (department eq 'x' is plain, department eq null is not), and"
          + " ne, not, endsWith and /$count everywhere.",
      "docs-contrib concepts/aad-advanced-queries.md; includes/filter-directory-objects.md",
      "Device properties such as deviceOwnership are missing from older versions of the table"
          + " and advanced-only in newer ones; eventual.<entity>=true|false overrides the"
          + " product's choice.",
      "Filters on properties marked advanced, and null comparisons marked so, answer 400"
          + " without the two advanced query parameters.",
      "simulator.ConformanceTest#advancedOnlyAsMicrosoftsTableHasIt",
      "graph.AdvancedQueriesTest#advancedWhereMicrosoftsTableSays"),
  V1_MEMBERS_OMIT_SERVICE_PRINCIPALS(
      "v1.0 /groups/{id}/members and /transitiveMembers list no service principals (a known"
          + " issue); /servicePrincipals/{id}/memberOf lists the groups one belongs to, and a"
          + " group delta's members@delta carries them.",
      "learn.microsoft.com group-list-members (\"Important\" note);"
          + " microsoft-graph-docs-contrib#3410; msgraph-sdk-powershell#923, #2853",
      "#2853 reports that ConsistencyLevel: eventual with $count lists them in v1.0; that is not"
          + " documented, so the product does not rely on it. Microsoft's own workarounds are beta"
          + " and $expand=members, which stops at 20 members.",
      "/groups/{id}/members and /transitiveMembers leave service principals out;"
          + " /servicePrincipals/{id}/memberOf serves the groups of each, with Application.Read.All"
          + " or Directory.Read.All (not the directory roles Graph lists there too: the product"
          + " keeps only #microsoft.graph.group items); members@delta includes them.",
      "simulator.ConformanceTest#v1MembersLeaveServicePrincipalsOutAndMemberOfHasThem",
      "job.ServicePrincipalMembersTest#aFullReadFindsServicePrincipalMembersFromTheirSide"),
  GROUP_DELTA_MEMBER_DELETIONS(
      "A group delta says nothing in members@delta when a member is soft-deleted, or restored:"
          + " its memberships \"will not appear\" as removed until it is permanently deleted.",
      "microsoft-graph-docs-contrib concepts/delta-query-groups.md; microsoft-graph-docs#14708,"
          + " #18628; microsoft-graph-docs-contrib#5855",
      "The issues report hard-deleted members missing from members@delta too. The product"
          + " removes a member's memberships on the member's own @removed (either reason) and"
          + " brings them back on its restore, so it relies on neither.",
      "members@delta counts a soft-deleted member as still a member: its deletion and restore"
          + " send nothing; a permanent deletion sends it @removed.",
      "simulator.ConformanceTest#groupDeltaSaysNothingWhenAMemberIsSoftDeleted",
      "job.DeltaLoadTest#eachDayReadsOnlyChangesAndEndsEqualToAFullLoad"),
  SLOW_REPORT_PAGES(
      "Sign-in pages of 1,000 have taken over 30 s, or never answered, on tenants with many"
          + " conditional access policies; smaller pages answer.",
      "microsoftgraph/msgraph-sdk-powershell#3146, #2941; microsoft/zerotrustassessment#1104",
      "No page size or time is documented: the sizes and times here are an example.",
      "Under the 'slow' fault, a page asking for more than 250 items answers after 2 min.",
      "simulator.ConformanceTest#aSlowReportPageAnswersLateAtOneThousandAndAtOnceAtTwoHundredFifty",
      "read.PagingFaultsTest#aReportPageThatTimesOutIsAskedAgainAtHalfTheSize"),
  SIGN_IN_ACTIVITY_NOT_IN_DELTA(
      "users/delta refuses signInActivity in $select (400), so delta cannot track it.",
      "microsoftgraph/microsoft-graph-docs#4746; microsoft-graph-docs-contrib#6555",
      "Microsoft publishes no list of the properties delta refuses.",
      "users/delta with signInActivity in $select answers 400 \"Property 'signInActivity' is not"
          + " supported for delta queries.\"",
      "simulator.ConformanceTest#deltaRefusesSignInActivity",
      "job.DeltaLoadTest#eachDayReadsOnlyChangesAndEndsEqualToAFullLoad"),
  NAMED_LOCATIONS_MIXED_TYPES(
      "identity/conditionalAccess/namedLocations lists two types in one collection, each item with"
          + " its @odata.type and its own type's properties (ipNamedLocation: isTrusted, ipRanges;"
          + " countryNamedLocation: countriesAndRegions, includeUnknownCountriesAndRegions,"
          + " countryLookupMethod); the namedLocation resource itself has only id, displayName and"
          + " the two times.",
      "docs-contrib api-reference/v1.0/api/conditionalaccessroot-list-namedlocations.md (example"
          + " 1); resources/countrynamedlocation.md, resources/ipnamedlocation.md",
      "What Graph does with a derived type's property in $select on the base collection is not"
          + " documented: the product asks for no $select, and the simulator's $select knows both"
          + " types' properties.",
      "Without $select, each named location has its own type's properties and no other's.",
      "simulator.ConformanceTest#namedLocationsMixTwoTypesEachWithItsOwnProperties",
      "process.SampleRowTest#namedLocationsSample"),
  SIGN_IN_ACTIVITY_NEVER(
      "A user's signInActivity says \"never\" with an empty string for lastSuccessfulSignInDateTime"
          + " and its request id, and with 0001-01-01T00:00:00Z for"
          + " lastNonInteractiveSignInDateTime, not with null.",
      "docs-contrib api-reference/v1.0/api/user-list.md (the signInActivity example's first"
          + " user); resources/signinactivity.md",
      "Which users get which form is not documented: the product takes null, an empty string and"
          + " 0001-01-01 alike as never.",
      "A user with no successful sign-in has both lastSuccessfulSignIn properties as empty"
          + " strings.",
      "simulator.DemoTenantTest#signInActivityAgreesWithTheSignInLogWhereTheyOverlap",
      "process.SampleRowTest#usersNeverSignedInSuccessfullyGetNulls");

  private final String graph;
  private final String source;
  private final String doubt;
  private final String simulator;
  private final String simulatorTest;
  private final String productTest;

  Conformance(
      String graph,
      String source,
      String doubt,
      String simulator,
      String simulatorTest,
      String productTest) {
    this.graph = graph;
    this.source = source;
    this.doubt = doubt;
    this.simulator = simulator;
    this.simulatorTest = simulatorTest;
    this.productTest = productTest;
  }

  /** What Graph does. */
  public String graph() {
    return graph;
  }

  /** Where that is shown: a doc page of microsoft-graph-docs-contrib, or an issue. */
  public String source() {
    return source;
  }

  /** Why the row may be wrong, and how the product survives it; null when sources agree. */
  public String doubt() {
    return doubt;
  }

  /** What the simulator does. */
  public String simulator() {
    return simulator;
  }

  /** The test ({@code package.Class#method} under io.entrawarehouse) of the simulator's side. */
  public String simulatorTest() {
    return simulatorTest;
  }

  /** The test of the product's side. */
  public String productTest() {
    return productTest;
  }
}
