package io.convene.presence;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Presence upkeep of one node: renews the node's lease (its devices count only while it lives) and
 * sweeps for users whose grace or heartbeat ran out, or whose node died. Running on several nodes at
 * once is harmless: each transition is decided once in the store.
 */
public final class PresenceVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(PresenceVerticle.class);

  private final PresenceService presence;
  private boolean sweeping;

  public PresenceVerticle(PresenceService presence) {
    this.presence = presence;
  }

  @Override
  public Future<?> start() {
    var cfg = presence.config();
    long leaseEvery = Math.max(500, cfg.nodeLeaseSeconds() * 1000L / 3);
    vertx.setPeriodic(leaseEvery, id -> renew());
    vertx.setPeriodic(cfg.sweepMillis(), id -> sweep());
    return presence.renewLease().recover(err -> {
      LOG.warn("presence store unavailable at start: {}", err.getMessage());
      return Future.succeededFuture();
    });
  }

  private void renew() {
    presence.renewLease().onFailure(err -> LOG.warn("renewing the node lease failed: {}", err.getMessage()));
  }

  /** One sweep at a time: a slow store never piles up overlapping runs. */
  private void sweep() {
    if (sweeping) {
      return;
    }
    sweeping = true;
    presence.sweep()
        .onFailure(err -> LOG.warn("presence sweep failed: {}", err.getMessage()))
        .onComplete(ar -> sweeping = false);
  }
}
