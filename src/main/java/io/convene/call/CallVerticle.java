package io.convene.call;

import io.convene.cluster.SweepLease;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * Fires ring deadlines, on the node holding the sweep lease. The compare-and-set in the ring store
 * makes each timeout happen once, and a ring outlives the node that started it.
 */
public final class CallVerticle extends VerticleBase {
  private final CallService calls;
  private final SweepLease lease;

  public CallVerticle(CallService calls, SweepLease lease) {
    this.calls = calls;
    this.lease = lease;
  }

  @Override
  public Future<?> start() {
    lease.every(vertx, "ring-sweep", calls.config().sweepMillis(), calls::sweep);
    return Future.succeededFuture();
  }
}
