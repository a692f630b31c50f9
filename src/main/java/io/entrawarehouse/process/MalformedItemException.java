package io.entrawarehouse.process;

import com.fasterxml.jackson.databind.JsonNode;

/** A Graph item whose property cannot be read as its column's type. The step skips and logs it. */
public class MalformedItemException extends RuntimeException {

  private final transient JsonNode item;

  public MalformedItemException(String message, JsonNode item) {
    super(message);
    this.item = item;
  }

  /** The item as read, for the rejected items' file. */
  public JsonNode item() {
    return item;
  }
}
