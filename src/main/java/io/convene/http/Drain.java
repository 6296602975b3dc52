package io.convene.http;

import io.convene.cluster.SweepLease;
import io.convene.gateway.Gateway;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's graceful stop: readiness turns 503, no socket is accepted any more, every socket is told to
 * reconnect and closed with 1012, the closes spread over {@code gateway.drainSeconds}; the REST
 * requests in flight are answered; the node's sweep leases are released so the others take the sweeps
 * at their next run. Bounded by the drain time (plus a few seconds for the requests still in flight).
 */
public final class Drain {
  private static final Logger LOG = LoggerFactory.getLogger(Drain.class);
  /** After the sockets' spread, how long requests still in flight may take. */
  static final Duration LAST_REQUESTS = Duration.ofSeconds(5);

  private record Loop(Context context, Gateway gateway) {}

  private final Duration spread;
  private final SweepLease leases;
  private final List<Loop> loops = new CopyOnWriteArrayList<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean draining;
  private Future<Void> running;

  public Drain(Duration spread, SweepLease leases) {
    this.spread = spread;
    this.leases = leases;
  }

  /** The longest a drain takes. */
  public Duration limit() {
    return spread.plus(LAST_REQUESTS);
  }

  public boolean draining() {
    return draining;
  }

  /** A gateway of one event loop, drained on its own context. */
  void register(Context context, Gateway gateway) {
    loops.add(new Loop(context, gateway));
  }

  void unregister(Gateway gateway) {
    loops.removeIf(l -> l.gateway() == gateway);
  }

  /** Counts the REST requests in flight: the first handler of every router. */
  public Handler<RoutingContext> counter() {
    return rc -> {
      inFlight.incrementAndGet();
      rc.addEndHandler(v -> inFlight.decrementAndGet());
      rc.next();
    };
  }

  /** Drains the node once; later calls get the same outcome. */
  public synchronized Future<Void> run(Vertx vertx) {
    if (running != null) {
      return running;
    }
    draining = true;
    long deadline = System.nanoTime() + limit().toNanos();
    LOG.info("draining: {} event loops, sockets closed over {} s", loops.size(), spread.toSeconds());
    List<Future<Void>> gateways = new ArrayList<>();
    for (Loop l : loops) {
      Promise<Void> p = Promise.promise();
      l.context().runOnContext(v -> l.gateway().drain(spread, deadline).onComplete(p));
      gateways.add(p.future());
    }
    running = Future.join(gateways)
        .compose(v -> requestsAnswered(vertx, deadline))
        .compose(v -> leases.release()
            .onSuccess(n -> LOG.info("drained; {} sweep leases handed over", n))
            .recover(err -> {
              LOG.warn("drained; the sweep leases could not be released (they lapse): {}", err.getMessage());
              return Future.succeededFuture(0);
            }))
        .mapEmpty();
    return running;
  }

  private Future<Void> requestsAnswered(Vertx vertx, long deadline) {
    if (inFlight.get() == 0 || System.nanoTime() >= deadline) {
      if (inFlight.get() > 0) {
        LOG.warn("drain ended with {} requests in flight", inFlight.get());
      }
      return Future.succeededFuture();
    }
    return vertx.timer(20).compose(v -> requestsAnswered(vertx, deadline));
  }
}
