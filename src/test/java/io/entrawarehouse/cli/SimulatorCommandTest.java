package io.entrawarehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrawarehouse.EntraWarehouse;
import io.entrawarehouse.simulator.GraphSimulator;
import io.entrawarehouse.simulator.SimulatorSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class SimulatorCommandTest {

  private record Run(int exit, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = EntraWarehouse.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void describePrintsTheGroundTruthAsJson() throws Exception {
    Run run = run("simulator", "--scale", "tiny", "--memberships", "100", "--describe");

    assertThat(run.exit()).isZero();
    JsonNode truth = new ObjectMapper().readTree(run.out());
    assertThat(truth.at("/entities/users/count").asInt()).isEqualTo(40);
    assertThat(truth.at("/entities/group_members/count").asInt()).isEqualTo(100);
    assertThat(truth.at("/entities/sign_ins/count").asInt()).isEqualTo(150);
    assertThat(truth.at("/entities/devices/idChecksum").asText()).matches("[0-9a-f]{16}");
  }

  @Test
  void badOptionsExitNonZeroAndSayWhatIsWrong() {
    Run scale = run("simulator", "--scale", "huge", "--describe");
    assertThat(scale.exit()).isNotZero();
    assertThat(scale.err()).contains("unknown scale 'huge'");

    Run fault = run("simulator", "--fault", "503:users", "--describe");
    assertThat(fault.exit()).isNotZero();
    assertThat(fault.err()).contains("KIND:ENDPOINT:nth=N");
  }

  @Test
  void theBannerGivesEverythingAClientNeedsIncludingTheDemoSecret() throws Exception {
    SimulatorCommand command = new SimulatorCommand();
    command.scale = "tiny";
    SimulatorSettings settings = command.settings();
    try (GraphSimulator simulator = GraphSimulator.start(settings)) {
      StringWriter out = new StringWriter();
      command.banner(new PrintWriter(out), simulator, settings);

      assertThat(out.toString())
          .contains("token URL:  " + simulator.tokenUrl())
          .contains("Graph URL:  " + simulator.graphBaseUrl())
          .contains("tenant id:  " + simulator.tenantId())
          .contains("client id:  " + simulator.clientId())
          .contains("secret:     " + SimulatorSettings.DEMO_CLIENT_SECRET + " (the demo app's");
    }
  }
}
