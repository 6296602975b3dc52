package io.convene.webhook;

import io.convene.cluster.SweepLease;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * Looks for due webhook deliveries on the node holding the {@code webhooks} lease, every {@code
 * webhooks.sweepMillis}: retries whose time has come, and deliveries whose node died mid-attempt. New
 * deliveries are sent by the node that stored them without waiting for this.
 */
public final class WebhookVerticle extends VerticleBase {
  private final Webhooks webhooks;
  private final SweepLease lease;

  public WebhookVerticle(Webhooks webhooks, SweepLease lease) {
    this.webhooks = webhooks;
    this.lease = lease;
  }

  @Override
  public Future<?> start() {
    lease.every(vertx, "webhooks", webhooks.config().sweepMillis(), () -> {
      webhooks.deliveries().kick();
      return Future.succeededFuture();
    });
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    webhooks.deliveries().stop();
    return Future.succeededFuture();
  }
}
