package io.convene.protocol;

import io.vertx.core.json.JsonObject;

/** The socket envelope: events {type, data, ts} and acks {type:"ack", id, ok, data | error}. */
public final class Frames {
  public static final String ACK = "ack";

  private Frames() {}

  public static String event(String type, JsonObject data, String ts) {
    return new JsonObject().put("type", type).put("data", data).put("ts", ts).encode();
  }

  public static String ok(String id, JsonObject data) {
    return new JsonObject().put("type", ACK).put("id", id).put("ok", true).put("data", data).encode();
  }

  public static String error(String id, ErrorCode code, String message) {
    return new JsonObject().put("type", ACK).put("id", id).put("ok", false)
        .put("error", new JsonObject().put("code", code.wire()).put("message", message)).encode();
  }
}
