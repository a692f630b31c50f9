package io.entrawarehouse.simulator;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/** How the simulator answers: Graph's JSON, its error body, and the ways an answer goes wrong. */
final class Responses {

  private static final JsonFactory JSON = new JsonFactory();

  /** The content type of Graph's JSON answers. */
  static final String JSON_TYPE =
      "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

  private Responses() {}

  /** Thrown to drop the connection without answering, as a reset would. */
  static final class ConnectionReset extends RuntimeException {
    ConnectionReset() {
      super("simulated connection reset", null, false, false);
    }
  }

  interface JsonBody {
    void write(JsonGenerator g) throws IOException;
  }

  static byte[] json(JsonBody body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      body.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** A value as JSON: maps, collections, strings, booleans and numbers; anything else as text. */
  static byte[] json(Object value) {
    return json(g -> writeValue(g, value));
  }

  @SuppressWarnings("unchecked")
  static void writeValue(JsonGenerator g, Object value) throws IOException {
    if (value == null) {
      g.writeNull();
    } else if (value instanceof String s) {
      g.writeString(s);
    } else if (value instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (value instanceof Integer i) {
      g.writeNumber(i);
    } else if (value instanceof Long l) {
      g.writeNumber(l);
    } else if (value instanceof Double d) {
      g.writeNumber(d);
    } else if (value instanceof Map<?, ?> m) {
      g.writeStartObject();
      for (Map.Entry<String, Object> e : ((Map<String, Object>) m).entrySet()) {
        g.writeFieldName(e.getKey());
        writeValue(g, e.getValue());
      }
      g.writeEndObject();
    } else if (value instanceof Collection<?> c) {
      g.writeStartArray();
      for (Object o : c) {
        writeValue(g, o);
      }
      g.writeEndArray();
    } else {
      g.writeString(value.toString());
    }
  }

  /** A page of a collection: its context, count, next or delta link, and items. */
  static byte[] page(
      String context, Long count, String linkName, String link, Collection<?> items) {
    return json(
        g -> {
          g.writeStartObject();
          g.writeStringField("@odata.context", context);
          if (count != null) {
            g.writeNumberField("@odata.count", count);
          }
          if (link != null) {
            g.writeStringField(linkName, link);
          }
          g.writeArrayFieldStart("value");
          for (Object item : items) {
            writeValue(g, item);
          }
          g.writeEndArray();
          g.writeEndObject();
        });
  }

  /** Graph's error body, with the request's ids and the time by the simulator's clock. */
  static void error(
      HttpExchange exchange, GraphError e, String requestId, String clientRequestId, Instant now)
      throws IOException {
    Map<String, Object> inner = new LinkedHashMap<>();
    inner.put(
        "date",
        LocalDateTime.ofInstant(now, ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS).toString());
    inner.put("request-id", requestId);
    inner.put("client-request-id", clientRequestId);
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("code", e.code);
    error.put("message", e.getMessage());
    error.put("innerError", inner);
    Map<String, String> headers = new LinkedHashMap<>(e.headers);
    headers.put("request-id", requestId);
    headers.put("client-request-id", clientRequestId);
    send(exchange, e.status, "application/json", json(Map.of("error", error)), headers);
  }

  static void send(
      HttpExchange exchange, int status, String type, byte[] body, Map<String, String> headers)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /** Announces the whole body, sends half, then drops the connection. */
  static void sendTruncated(HttpExchange exchange, byte[] body, Map<String, String> headers)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", JSON_TYPE);
    headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
    exchange.sendResponseHeaders(200, body.length);
    OutputStream out = exchange.getResponseBody();
    out.write(body, 0, body.length / 2);
    out.flush();
    throw new ConnectionReset();
  }

  /** Holds the answer back for a configured latency, in real time. */
  static void pause(Duration d) {
    if (d.isZero()) {
      return;
    }
    try {
      Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
