package io.convene.protocol;

/**
 * The one error vocabulary of Convene. Each code has its wire name (REST problem {@code code}, socket
 * ack {@code error.code}), the HTTP status REST answers with, and an explicit event-bus failure code.
 */
public enum ErrorCode {
  BAD_REQUEST("bad_request", 400, 400),
  VALIDATION_FAILED("validation_failed", 400, 401),
  MALFORMED_JSON("malformed_json", 400, 402),
  UNKNOWN_TYPE("unknown_type", 400, 403),
  LIMIT_EXCEEDED("limit_exceeded", 400, 404),
  UNAUTHORIZED("unauthorized", 401, 410),
  TOKEN_EXPIRED("token_expired", 401, 411),
  FORBIDDEN("forbidden", 403, 430),
  NOT_FOUND("not_found", 404, 440),
  METHOD_NOT_ALLOWED("method_not_allowed", 405, 450),
  CONFLICT("conflict", 409, 490),
  INVALID_STATE("invalid_state", 409, 491),
  MEETING_FULL("meeting_full", 409, 492),
  TOO_LATE("too_late", 409, 493),
  PAYLOAD_TOO_LARGE("payload_too_large", 413, 413),
  RATE_LIMITED("rate_limited", 429, 429),
  UNSUPPORTED_MEDIA_TYPE("unsupported_media_type", 415, 415),
  INTERNAL("internal_error", 500, 500),
  UNAVAILABLE("unavailable", 503, 503);

  private final String wire;
  private final int httpStatus;
  private final int busCode;

  ErrorCode(String wire, int httpStatus, int busCode) {
    this.wire = wire;
    this.httpStatus = httpStatus;
    this.busCode = busCode;
  }

  public String wire() {
    return wire;
  }

  public int httpStatus() {
    return httpStatus;
  }

  public int busCode() {
    return busCode;
  }

  public static ErrorCode fromBusCode(int code) {
    for (ErrorCode c : values()) {
      if (c.busCode == code) {
        return c;
      }
    }
    return INTERNAL;
  }
}
