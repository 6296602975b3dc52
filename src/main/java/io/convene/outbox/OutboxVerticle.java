package io.convene.outbox;

import io.convene.cluster.SweepLease;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * Dispatches the outbox on the node holding its lease: every {@code outbox.sweepMillis}, the effects
 * whose time has come, batch after batch while batches come back full.
 */
public final class OutboxVerticle extends VerticleBase {
  private final Outbox outbox;
  private final SweepLease lease;

  public OutboxVerticle(Outbox outbox, SweepLease lease) {
    this.outbox = outbox;
    this.lease = lease;
  }

  @Override
  public Future<?> start() {
    lease.every(vertx, "outbox", outbox.config().sweepMillis(), this::drain);
    return Future.succeededFuture();
  }

  private Future<?> drain() {
    return outbox.dispatchDue().compose(n -> n >= outbox.config().batchSize() ? drain() : Future.succeededFuture());
  }
}
