package io.entrawarehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrawarehouse.EntraWarehouse;
import io.entrawarehouse.warehouse.Entities;
import io.entrawarehouse.warehouse.Entity;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code check --print-permissions}: what each table needs, without connecting. */
class CheckCommandTest {

  private static String print(String... args) {
    StringWriter out = new StringWriter();
    CommandLine cli = EntraWarehouse.commandLine();
    cli.setOut(new PrintWriter(out));
    String[] all = new String[args.length + 2];
    all[0] = "check";
    all[1] = "--print-permissions";
    System.arraycopy(args, 0, all, 2, args.length);
    assertThat(cli.execute(all)).isZero();
    return out.toString();
  }

  @Test
  void everyTableHasItsRowFromItsDescriptorAndTheREADMEHasTheSameTable() throws Exception {
    String printed = print();

    for (Entity e : Entities.ALL.values()) {
      String needs =
          e.readFromGraph()
              ? e.permission().display()
                  + " | "
                  + (e.licence() == null ? "any" : "Entra ID " + e.licence())
              : "none: computed from `" + e.closureOf().name() + "` | any";
      assertThat(printed).as(e.name()).contains("| `" + e.name() + "` | " + needs + " |");
    }
    assertThat(printed)
        .contains(
            "Least privileged application permissions to grant (then admin consent):"
                + " Application.Read.All, AuditLog.Read.All, Device.Read.All, Directory.Read.All,"
                + " GroupMember.Read.All, Organization.Read.All, Policy.Read.All,"
                + " RoleEligibilitySchedule.Read.Directory, RoleManagement.Read.Directory,"
                + " User.Read.All");
    String readme = Files.readString(Path.of("README.md"));
    assertThat(readme)
        .as("the README's copy (regenerate it with check --print-permissions)")
        .contains("<!-- check --print-permissions -->\n" + printed + "<!-- end -->");
  }

  @Test
  void aLaunchsTablesOnlyAndTheirLeastPrivilegedSet() {
    String printed = print("entities=users,devices", "users.sign_in_activity=false");

    assertThat(printed)
        .contains("| `users` | User.Read.All | any |", "| `devices` | Device.Read.All | any |")
        .doesNotContain("groups", "signInActivity")
        .contains(
            "Least privileged application permissions to grant (then admin consent):"
                + " Device.Read.All, User.Read.All\n");
  }
}
