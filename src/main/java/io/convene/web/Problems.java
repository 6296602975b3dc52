package io.convene.web;

import io.convene.protocol.ApiException;
import io.convene.protocol.ErrorCode;
import io.convene.protocol.Failures;
import io.convene.protocol.FieldError;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place REST failures become {@code application/problem+json} answers. */
public final class Problems {
  private static final Logger LOG = LoggerFactory.getLogger(Problems.class);
  public static final String CONTENT_TYPE = "application/problem+json";

  private Problems() {}

  /** Router failure handler: maps whatever failed to a problem with a stable code. */
  public static void handle(RoutingContext rc) {
    if (rc.response().ended()) {
      // answered already (e.g. 503 by the request timeout); the late outcome has nobody to go to
      return;
    }
    if (rc.response().headWritten()) {
      rc.response().reset();
      return;
    }
    ApiException problem = toApiException(rc.failure(), rc.statusCode());
    if (Failures.unexpected(problem)) {
      LOG.error("{} {} failed", rc.request().method(), rc.request().path(), rc.failure());
    }
    send(rc, problem);
  }

  /** Requests the HTTP decoder refused (line or headers too long, broken syntax). */
  public static void invalidRequest(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    int status = cause instanceof TooLongHttpLineException ? 414
        : cause instanceof TooLongHttpHeaderException ? 431 : 400;
    String detail = status == 414 ? "request line is too long"
        : status == 431 ? "request headers are too large" : "malformed HTTP request";
    JsonObject body = new JsonObject().put("type", "urn:convene:problem:bad_request").put("title", "Bad Request")
        .put("status", status).put("code", ErrorCode.BAD_REQUEST.wire()).put("detail", detail);
    request.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, CONTENT_TYPE)
        .putHeader(HttpHeaders.CONNECTION, "close").end(body.encode());
  }

  public static void send(RoutingContext rc, ApiException e) {
    ErrorCode code = e.code();
    JsonObject body =
        new JsonObject()
            .put("type", "urn:convene:problem:" + code.wire())
            .put("title", title(code))
            .put("status", code.httpStatus())
            .put("code", code.wire())
            .put("detail", e.getMessage())
            .put("instance", rc.request().path());
    List<FieldError> fields = e.fieldErrors();
    if (!fields.isEmpty()) {
      JsonArray errors = new JsonArray();
      fields.forEach(f -> errors.add(f.toJson()));
      body.put("errors", errors);
    }
    var response = rc.response().setStatusCode(code.httpStatus()).putHeader(HttpHeaders.CONTENT_TYPE, CONTENT_TYPE);
    if (code == ErrorCode.UNAUTHORIZED || code == ErrorCode.TOKEN_EXPIRED) {
      response.putHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
    }
    if (e.retryAfterSeconds() > 0) {
      response.putHeader("Retry-After", String.valueOf(e.retryAfterSeconds()));
      body.put("retryAfterSeconds", e.retryAfterSeconds());
    }
    response.end(body.encode());
  }

  static ApiException toApiException(Throwable failure, int status) {
    if (failure instanceof HttpException he) {
      return fromStatus(he.getStatusCode(), he.getPayload());
    }
    if (failure == null) {
      return fromStatus(status, null);
    }
    return Failures.toApiException(failure);
  }

  private static ApiException fromStatus(int status, String detail) {
    return switch (status) {
      case 400 -> new ApiException(ErrorCode.BAD_REQUEST, detail != null ? detail : "bad request");
      case 401 -> new ApiException(ErrorCode.UNAUTHORIZED, "authentication required");
      case 403 -> new ApiException(ErrorCode.FORBIDDEN, "forbidden");
      case 404 -> new ApiException(ErrorCode.NOT_FOUND, "no such resource");
      case 405 -> new ApiException(ErrorCode.METHOD_NOT_ALLOWED, "method not allowed on this resource");
      case 413 -> new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "request body is too large");
      case 415 -> new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "send application/json");
      case 503 -> new ApiException(ErrorCode.UNAVAILABLE, "the request took too long: a backing service is slow or unavailable; try again");
      default -> status >= 400 && status < 500
          ? new ApiException(ErrorCode.BAD_REQUEST, "bad request")
          : new ApiException(ErrorCode.INTERNAL, "internal error");
    };
  }

  private static String title(ErrorCode code) {
    return switch (code.httpStatus()) {
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 409 -> "Conflict";
      case 413 -> "Payload Too Large";
      case 415 -> "Unsupported Media Type";
      case 429 -> "Too Many Requests";
      case 503 -> "Service Unavailable";
      default -> "Internal Server Error";
    };
  }
}
