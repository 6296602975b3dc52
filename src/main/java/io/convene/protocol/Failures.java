package io.convene.protocol;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.io.IOException;
import java.util.concurrent.TimeoutException;

/**
 * The one mapping from whatever failed to the error vocabulary, used by REST answers and socket acks
 * alike: our own {@link ApiException}s as they are, event-bus replies by their code, a concurrent
 * change as {@code conflict}, and an unreachable or slow backing service as {@code unavailable}.
 * Anything else is {@code internal_error}.
 */
public final class Failures {
  private Failures() {}

  public static ApiException toApiException(Throwable failure) {
    if (failure instanceof ApiException e) {
      return e;
    }
    if (failure instanceof ReplyException re) {
      return re.failureType() == ReplyFailure.RECIPIENT_FAILURE
          ? new ApiException(ErrorCode.fromBusCode(re.failureCode()), re.getMessage())
          : new ApiException(ErrorCode.UNAVAILABLE, "a server component did not answer; try again");
    }
    if (failure instanceof PgException pg) {
      return switch (String.valueOf(pg.getSqlState())) {
        case "23505", "40001", "40P01" -> new ApiException(ErrorCode.CONFLICT, "a concurrent change got there first; try again");
        case "57P01", "57P02", "57P03", "53300" -> unavailable();
        default -> internal();
      };
    }
    if (failure instanceof IOException || failure instanceof TimeoutException
        || failure instanceof ClosedConnectionException) {
      return unavailable();
    }
    return internal();
  }

  /** Whether the failure is one we did not foresee (logged with its stack trace). */
  public static boolean unexpected(ApiException e) {
    return e.code() == ErrorCode.INTERNAL;
  }

  private static ApiException unavailable() {
    return new ApiException(ErrorCode.UNAVAILABLE, "a backing service is unavailable; try again");
  }

  private static ApiException internal() {
    return new ApiException(ErrorCode.INTERNAL, "internal error");
  }
}
