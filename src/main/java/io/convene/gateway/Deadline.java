package io.convene.gateway;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeoutException;

/**
 * A time limit kept on the caller's event loop. {@link Future#timeout} of a future made by a bare
 * {@code Promise} fires on a shared Netty thread, and whatever follows would then touch the loop's
 * connections from that thread; here both the outcome and the time limit reach the caller on its own
 * context.
 */
final class Deadline {
  private Deadline() {}

  /** {@code future}'s outcome, or a {@link TimeoutException} once {@code millis} pass first. */
  static <T> Future<T> within(Vertx vertx, Future<T> future, long millis) {
    if (future.isComplete()) {
      return future;
    }
    Context context = vertx.getOrCreateContext();
    Promise<T> outcome = Promise.promise();
    long timer = vertx.setTimer(millis, t -> outcome.tryFail(new TimeoutException("no answer within " + millis + " ms")));
    future.onComplete(ar -> {
      if (Vertx.currentContext() == context) {
        settle(vertx, timer, outcome, ar);
      } else {
        context.runOnContext(v -> settle(vertx, timer, outcome, ar));
      }
    });
    return outcome.future();
  }

  private static <T> void settle(Vertx vertx, long timer, Promise<T> outcome, AsyncResult<T> ar) {
    vertx.cancelTimer(timer);
    if (ar.succeeded()) {
      outcome.tryComplete(ar.result());
    } else {
      outcome.tryFail(ar.cause());
    }
  }
}
