package io.convene.gateway;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * One store call for many requests: a request made while a call is in flight waits for the next one,
 * which carries everything that queued up meanwhile (at most {@code max}). A quiet node makes a call per
 * request with no added delay; a storm of connects becomes a few calls. Confined to its event loop.
 */
final class Batcher<T> {
  private record Entry<T>(T item, Promise<Void> done) {}

  private final int max;
  private final Function<List<T>, Future<Void>> call;
  private List<Entry<T>> queued = new ArrayList<>();
  private boolean inFlight;

  Batcher(int max, Function<List<T>, Future<Void>> call) {
    this.max = max;
    this.call = call;
  }

  /** Completes when the call carrying {@code item} is done, as that call is. */
  Future<Void> add(T item) {
    Promise<Void> done = Promise.promise();
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
    List<Entry<T>> batch;
    if (queued.size() <= max) {
      batch = queued;
      queued = new ArrayList<>();
    } else {
      batch = new ArrayList<>(queued.subList(0, max));
      queued = new ArrayList<>(queued.subList(max, queued.size()));
    }
    inFlight = true;
    Future<Void> sent;
    try {
      sent = call.apply(batch.stream().map(Entry::item).toList());
    } catch (RuntimeException e) {
      sent = Future.failedFuture(e);
    }
    sent.onComplete(ar -> {
      batch.forEach(e -> e.done().handle(ar));
      next();
    });
  }
}
