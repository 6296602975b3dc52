package io.convene.protocol;

import java.util.List;

/** A failure with a stable error code, answered as problem+json over REST and as an error ack on sockets. */
public final class ApiException extends RuntimeException {
  private final ErrorCode code;
  private final List<FieldError> fieldErrors;

  public ApiException(ErrorCode code, String message) {
    this(code, message, List.of());
  }

  public ApiException(ErrorCode code, String message, List<FieldError> fieldErrors) {
    super(message, null, false, false);
    this.code = code;
    this.fieldErrors = List.copyOf(fieldErrors);
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
