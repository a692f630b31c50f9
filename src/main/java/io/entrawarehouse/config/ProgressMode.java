package io.entrawarehouse.config;

/**
 * How a load's progress is shown: chosen from the output, on a terminal, as plain lines, or not.
 */
public enum ProgressMode {
  AUTO,
  TERMINAL,
  PLAIN,
  OFF
}
