package io.convene.call;

import io.vertx.core.Future;
import io.convene.cluster.SweepLease;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires ring deadlines, on the node holding the sweep lease. The compare-and-set in the ring store
 * makes each timeout happen once, and a ring outlives the node that started it.
 */
public final class CallVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(CallVerticle.class);

  private static final String SWEEP = "ring-sweep";

  private final CallService calls;
  private final SweepLease lease;
  private boolean sweeping;

  public CallVerticle(CallService calls, SweepLease lease) {
    this.calls = calls;
    this.lease = lease;
  }

  @Override
  public Future<?> start() {
    vertx.setPeriodic(calls.config().sweepMillis(), id -> sweep());
    return Future.succeededFuture();
  }

  private void sweep() {
    if (sweeping) {
      return;
    }
    sweeping = true;
    lease.hold(SWEEP, SweepLease.ttlFor(calls.config().sweepMillis()))
        .compose(held -> held ? calls.sweep() : Future.succeededFuture(0))
        .onFailure(err -> LOG.warn("ring sweep failed: {}", err.getMessage()))
        .onComplete(ar -> sweeping = false);
  }
}
