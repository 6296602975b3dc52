package io.convene.web;

import io.convene.protocol.ApiException;
import io.convene.protocol.ErrorCode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Request bodies: JSON objects only, with a clear answer for anything else. */
public final class Bodies {
  private Bodies() {}

  public static JsonObject object(RoutingContext rc) {
    Buffer buffer = rc.body().buffer();
    if (buffer == null || buffer.length() == 0) {
      throw new ApiException(ErrorCode.BAD_REQUEST, "request body is required: a JSON object");
    }
    String type = rc.request().getHeader("Content-Type");
    if (type == null || !type.toLowerCase().startsWith("application/json")) {
      throw new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "send the body as application/json");
    }
    Object value;
    try {
      value = io.vertx.core.json.Json.decodeValue(buffer);
    } catch (DecodeException e) {
      throw new ApiException(ErrorCode.MALFORMED_JSON, "request body is not valid JSON");
    }
    if (!(value instanceof JsonObject json)) {
      throw new ApiException(ErrorCode.BAD_REQUEST, "request body must be a JSON object");
    }
    return json;
  }

  /** Answers with the future's JSON ({@code 204} when it has none), or fails the request with its error. */
  public static void answer(RoutingContext rc, int status, io.vertx.core.Future<?> result) {
    result.onSuccess(body -> {
      if (rc.response().ended()) {
        return;
      }
      if (status == 204 || body == null) {
        rc.response().setStatusCode(204).end();
      } else {
        json(rc, status, body);
      }
    }).onFailure(rc::fail);
  }

  /** Sends a JSON answer (unless the request was answered already, e.g. by its timeout). */
  public static void json(RoutingContext rc, int status, Object body) {
    if (rc.response().ended()) {
      return;
    }
    rc.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(
        body instanceof JsonObject o ? o.encode() : io.vertx.core.json.Json.encode(body));
  }

  /**
   * The {@code limit} query parameter of a paged list: {@code fallback} when absent, else a whole number
   * from 1 to {@code max}, or a validation error naming it.
   */
  public static int pageLimit(RoutingContext rc, int fallback, int max) {
    String raw = rc.queryParams().get("limit");
    if (raw == null) {
      return fallback;
    }
    try {
      int v = Integer.parseInt(raw);
      if (v >= 1 && v <= max) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw ApiException.validation(java.util.List.of(
        new io.convene.protocol.FieldError("limit", "range", "must be a whole number from 1 to " + max)));
  }
}
