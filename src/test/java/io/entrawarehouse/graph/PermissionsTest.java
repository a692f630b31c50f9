package io.entrawarehouse.graph;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class PermissionsTest {

  @Test
  void missingNamesOnlyWhatIsNotGranted() {
    Permissions.Requirement logs = Permissions.of("sign_ins");
    assertThat(logs.missing(Set.of("AuditLog.Read.All"))).isEqualTo("Directory.Read.All");
    assertThat(logs.missing(Set.of())).isEqualTo("AuditLog.Read.All + Directory.Read.All");
    assertThat(logs.missing(Set.of("AuditLog.Read.All", "Directory.Read.All"))).isNull();

    Permissions.Requirement groups = Permissions.of("group_members");
    assertThat(groups.missing(Set.of("User.Read.All")))
        .isEqualTo("GroupMember.Read.All or Group.Read.All");
    // Directory.Read.All reads groups and devices too.
    assertThat(groups.grantedBy(Set.of("Directory.Read.All"))).isTrue();
    assertThat(Permissions.of("devices").grantedBy(Set.of("Device.Read.All"))).isTrue();
    assertThat(Permissions.of("devices").grantedBy(Set.of("User.Read.All"))).isFalse();
  }
}
