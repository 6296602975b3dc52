package io.convene.web;

import io.convene.protocol.ApiException;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.regex.Pattern;

/**
 * Refuses request URIs carrying a NUL character (raw or percent-encoded) before any route reads them:
 * no id, token or cursor has one, and PostgreSQL cannot store one in text.
 */
public final class UriGuard implements Handler<RoutingContext> {
  private static final Pattern NUL = Pattern.compile("%00|\u0000");

  @Override
  public void handle(RoutingContext rc) {
    if (NUL.matcher(rc.request().uri()).find()) {
      rc.fail(ApiException.badRequest("the path or query contains a NUL character"));
      return;
    }
    rc.next();
  }
}
