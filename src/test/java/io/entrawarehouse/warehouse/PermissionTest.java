package io.entrawarehouse.warehouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class PermissionTest {

  @Test
  void missingNamesOnlyWhatIsNotGranted() {
    Permission logs = Entities.SIGN_INS.permission();
    assertThat(logs.missing(Set.of("AuditLog.Read.All"))).isEqualTo("Directory.Read.All");
    assertThat(logs.missing(Set.of())).isEqualTo("AuditLog.Read.All + Directory.Read.All");
    assertThat(logs.missing(Set.of("AuditLog.Read.All", "Directory.Read.All"))).isNull();

    Permission groups = Entities.GROUP_MEMBERS.permission();
    assertThat(groups.missing(Set.of("User.Read.All")))
        .isEqualTo("GroupMember.Read.All or Group.Read.All");
    // Directory.Read.All reads groups and devices too.
    assertThat(groups.grantedBy(Set.of("Directory.Read.All"))).isTrue();
    assertThat(Entities.DEVICES.permission().grantedBy(Set.of("Device.Read.All"))).isTrue();
    assertThat(Entities.DEVICES.permission().grantedBy(Set.of("User.Read.All"))).isFalse();
  }
}
