package io.entrawarehouse.job;

import io.entrawarehouse.observe.Meters;
import io.entrawarehouse.warehouse.Entity;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.step.StepExecution;

/** One INFO line per read step with counts and rate, and the step's meters. */
final class RateLogger implements StepExecutionListener {

  private static final Logger log = LoggerFactory.getLogger(RateLogger.class);

  private final Entity entity;

  RateLogger(Entity entity) {
    this.entity = entity;
  }

  @Override
  public ExitStatus afterStep(StepExecution step) {
    double seconds =
        Math.max(
            0.001, Duration.between(step.getStartTime(), LocalDateTime.now()).toMillis() / 1000.0);
    Meters.stepItems(entity.name(), step.getReadCount(), step.getWriteCount(), step.getSkipCount());
    log.info(
        "{}: read {}, written {}, skipped {} in {} s ({} items/s)",
        entity.name(),
        step.getReadCount(),
        step.getWriteCount(),
        step.getSkipCount(),
        String.format(Locale.ROOT, "%.1f", seconds),
        Math.round(step.getReadCount() / seconds));
    return step.getExitStatus();
  }
}
