package io.convene.call;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires ring deadlines. Every node sweeps; the compare-and-set in the ring store makes each timeout
 * happen once, and a ring outlives the node that started it.
 */
public final class CallVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(CallVerticle.class);

  private final CallService calls;
  private boolean sweeping;

  public CallVerticle(CallService calls) {
    this.calls = calls;
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
    calls.sweep()
        .onFailure(err -> LOG.warn("ring sweep failed: {}", err.getMessage()))
        .onComplete(ar -> sweeping = false);
  }
}
