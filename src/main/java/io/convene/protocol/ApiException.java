package io.convene.protocol;

import java.util.List;

/** A failure with a stable error code, answered as problem+json over REST and as an error ack on sockets. */
public final class ApiException extends RuntimeException {
  private final ErrorCode code;
  private final List<FieldError> fieldErrors;
  private final long retryAfterSeconds;

  public ApiException(ErrorCode code, String message) {
    this(code, message, List.of());
  }

  public ApiException(ErrorCode code, String message, List<FieldError> fieldErrors) {
    this(code, message, fieldErrors, 0);
  }

  private ApiException(ErrorCode code, String message, List<FieldError> fieldErrors, long retryAfterSeconds) {
    super(message, null, false, false);
    this.code = code;
    this.fieldErrors = List.copyOf(fieldErrors);
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** A limit was hit: {@code rate_limited}, to be tried again after {@code retryAfterSeconds}. */
  public static ApiException rateLimited(String message, long retryAfterSeconds) {
    return new ApiException(ErrorCode.RATE_LIMITED, message, List.of(), retryAfterSeconds);
  }

  /** Seconds until a refused request may succeed ({@code Retry-After}); 0 when it does not apply. */
  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }

  public ErrorCode code() {
    return code;
  }

  public List<FieldError> fieldErrors() {
    return fieldErrors;
  }

  public static ApiException notFound(String what) {
    return new ApiException(ErrorCode.NOT_FOUND, what + " not found");
  }

  public static ApiException forbidden(String message) {
    return new ApiException(ErrorCode.FORBIDDEN, message);
  }

  public static ApiException invalidState(String message) {
    return new ApiException(ErrorCode.INVALID_STATE, message);
  }

  public static ApiException badRequest(String message) {
    return new ApiException(ErrorCode.BAD_REQUEST, message);
  }

  public static ApiException validation(List<FieldError> errors) {
    String first = errors.isEmpty() ? "invalid request" : errors.get(0).field() + ": " + errors.get(0).message();
    return new ApiException(ErrorCode.VALIDATION_FAILED, first, errors);
  }
}
