package io.entrawarehouse.observe;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;

/** Logback's console appender, writing each line above the progress block on a terminal. */
public final class ProgressConsoleAppender extends ConsoleAppender<ILoggingEvent> {

  @Override
  protected void subAppend(ILoggingEvent event) {
    Progress.aboveProgress(() -> super.subAppend(event));
  }
}
