package io.convene.gateway;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * One store call for many requests: a request made while a call is in flight waits for the next one,
 * which carries everything that queued up meanwhile (at most {@code max}), in the order they came. A
 * quiet node makes a call per request with no added delay; a storm of connects becomes a few calls, and
 * the store's own queue never sees more than one call per batcher. The call answers one result per item,
 * in order. Confined to its event loop.
 */
final class Batcher<T, R> {
  private record Entry<T, R>(T item, Promise<R> done) {}

  private final int max;
  private final Function<List<T>, Future<List<R>>> call;
  private List<Entry<T, R>> queued = new ArrayList<>();
  private boolean inFlight;

  Batcher(int max, Function<List<T>, Future<List<R>>> call) {
    this.max = max;
    this.call = call;
  }

  /** Completes with the result for {@code item} once the call carrying it is done, or with its failure. */
  Future<R> add(T item) {
    Promise<R> done = Promise.promise();
    queued.add(new Entry<>(item, done));
    if (!inFlight) {
      next();
    }
    return done.future();
  }

  private void next() {
    if (queued.isEmpty()) {
      inFlight = false;
      return;
    }
    List<Entry<T, R>> batch;
    if (queued.size() <= max) {
      batch = queued;
      queued = new ArrayList<>();
    } else {
      batch = new ArrayList<>(queued.subList(0, max));
      queued = new ArrayList<>(queued.subList(max, queued.size()));
    }
    inFlight = true;
    Future<List<R>> sent;
    try {
      sent = call.apply(batch.stream().map(Entry::item).toList());
    } catch (RuntimeException e) {
      sent = Future.failedFuture(e);
    }
    sent.onComplete(ar -> {
      for (int i = 0; i < batch.size(); i++) {
        if (ar.succeeded()) {
          batch.get(i).done().complete(ar.result().get(i));
        } else {
          batch.get(i).done().fail(ar.cause());
        }
      }
      next();
    });
  }
}
