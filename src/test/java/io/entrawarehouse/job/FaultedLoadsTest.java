package io.entrawarehouse.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrawarehouse.simulator.SimulatorSettings;
import io.entrawarehouse.simulator.TenantScale;
import io.entrawarehouse.warehouse.Entities;
import io.entrawarehouse.warehouse.Entity;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.batch.core.BatchStatus;

/**
 * Whole loads through the paging faults of the conformance register (a nextLink cycle, a page token
 * Graph no longer finds, report pages too slow at 1,000): each ends equal to the tenant. The
 * readers' own tests ({@code PagingFaultsTest}) show the limits: a second cycle, the fourth token
 * error, a slow page at the floor.
 */
class FaultedLoadsTest {

  @TempDir Path dir;

  @ParameterizedTest
  @CsvSource({
    "cycle:users:nth=1, users",
    "page-token:users:nth=2, users",
    "slow:signIns:rate=1, sign_ins",
  })
  void aLoadThroughTheFaultEndsEqualToTheTenant(String fault, String table) throws Exception {
    Entity entity = Entities.ALL.get(table);
    try (LoadHarness h =
        new LoadHarness(
            SimulatorSettings.builder()
                // 600 sign-ins: three slow pages of 1,000 → 250 each, not twenty, at the reports
                // budget's pace (5 requests per 10 s)
                .scale(TenantScale.SMALL.with(-1, -1, -1, -1, -1, 600))
                .throttling(false)
                .fault(fault)
                .build(),
            dir,
            // Report pages wait 2 s here, not 90: the simulator holds a slow page for 2 min.
            Map.of("entra.graph.reports-timeout", "2s"))) {
      assertThat(h.run(Map.of("entities", table)).getStatus()).isEqualTo(BatchStatus.COMPLETED);
      h.assertMatchesGroundTruth(List.of(entity));
    }
  }
}
