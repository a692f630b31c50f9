package io.entrawarehouse.process;

/** A Graph item whose property cannot be read as its column's type. The step skips and logs it. */
public class MalformedItemException extends RuntimeException {
  public MalformedItemException(String message) {
    super(message);
  }
}
