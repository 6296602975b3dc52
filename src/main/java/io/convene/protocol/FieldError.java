package io.convene.protocol;

import io.vertx.core.json.JsonObject;

/** One problem with one request field: {@code field} is a JSON path such as {@code settings.voiceOnly}. */
public record FieldError(String field, String code, String message) {
  public JsonObject toJson() {
    return new JsonObject().put("field", field).put("code", code).put("message", message);
  }
}
