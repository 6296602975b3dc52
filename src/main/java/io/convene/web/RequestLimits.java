package io.convene.web;

import io.convene.limit.Limits;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * REST requests per client address (per node): over the limit, {@code 429} with {@code Retry-After}.
 * Health, metrics and LiveKit's webhooks are not counted: operators and the media server call them.
 */
public final class RequestLimits implements Handler<RoutingContext> {
  private final Limits limits;
  private final String webhookPath;

  public RequestLimits(Limits limits, String webhookPath) {
    this.limits = limits;
    this.webhookPath = webhookPath;
  }

  @Override
  public void handle(RoutingContext rc) {
    String path = rc.request().path();
    if (path != null && !path.startsWith("/health/") && !path.equals("/metrics") && !path.equals(webhookPath)) {
      limits.restPerIp.take(clientAddress(rc));
    }
    rc.next();
  }

  /** The address the request came from (the peer: a proxy in front is one client, see the docs). */
  public static String clientAddress(RoutingContext rc) {
    var remote = rc.request().remoteAddress();
    return remote == null ? "unknown" : remote.hostAddress();
  }
}
