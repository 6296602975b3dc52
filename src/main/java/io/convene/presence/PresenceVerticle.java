package io.convene.presence;

import io.convene.cluster.SweepLease;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Presence upkeep of one node: renews the node's lease (its devices count only while it lives) and,
 * on the node holding the sweep lease, sweeps for users whose grace or heartbeat ran out, or whose node
 * died. Each transition is decided once in the store, so even two sweepers would announce it once.
 */
public final class PresenceVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(PresenceVerticle.class);

  private final PresenceService presence;
  private final SweepLease lease;

  public PresenceVerticle(PresenceService presence, SweepLease lease) {
    this.presence = presence;
    this.lease = lease;
  }

  @Override
  public Future<?> start() {
    var cfg = presence.config();
    long leaseEvery = Math.max(500, cfg.nodeLeaseSeconds() * 1000L / 3);
    vertx.setPeriodic(leaseEvery, id -> presence.renewLease()
        .onFailure(err -> LOG.warn("renewing the node lease failed: {}", err.getMessage())));
    lease.every(vertx, "presence-sweep", cfg.sweepMillis(), presence::sweep);
    return presence.renewLease().recover(err -> {
      LOG.warn("presence store unavailable at start: {}", err.getMessage());
      return Future.succeededFuture();
    });
  }
}
