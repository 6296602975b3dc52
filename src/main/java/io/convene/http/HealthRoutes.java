package io.convene.http;

import io.convene.Services;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Command;

/**
 * Liveness (the process answers) and readiness (PostgreSQL and Redis answer, signing keys loaded).
 * LiveKit is reported too, as {@code DEGRADED} when unreachable, without making the node unready:
 * tokens are still issued and room calls are retried.
 */
public final class HealthRoutes {
  private static final long CHECK_TIMEOUT_MS = 2000;

  private final Services services;

  public HealthRoutes(Services services) {
    this.services = services;
  }

  public void mount(Router router) {
    router.get("/health/live").handler(rc -> Bodies.json(rc, 200, new JsonObject().put("status", "UP")));
    router.get("/health/ready").handler(this::ready);
  }

  private void ready(RoutingContext rc) {
    Future<String> pg = services.pool().query("SELECT 1").execute().map("UP")
        .timeout(CHECK_TIMEOUT_MS, java.util.concurrent.TimeUnit.MILLISECONDS).otherwise("DOWN");
    Future<String> redis = services.redis().send(Request.cmd(Command.PING)).map("UP")
        .timeout(CHECK_TIMEOUT_MS, java.util.concurrent.TimeUnit.MILLISECONDS).otherwise("DOWN");
    Future<String> livekit = services.rooms().reachable().map(up -> up ? "UP" : "DEGRADED")
        .timeout(CHECK_TIMEOUT_MS, java.util.concurrent.TimeUnit.MILLISECONDS).otherwise("DEGRADED");
    Future.join(pg, redis, livekit).onComplete(ar -> {
      JsonObject checks = new JsonObject().put("postgres", pg.result()).put("redis", redis.result());
      if (services.jwks() != null) {
        checks.put("jwks", services.jwks().loaded() ? "UP" : "DOWN");
      }
      boolean up = checks.stream().allMatch(e -> "UP".equals(e.getValue()));
      checks.put("livekit", livekit.result());
      Bodies.json(rc, up ? 200 : 503, new JsonObject().put("status", up ? "UP" : "DOWN").put("checks", checks));
    });
  }
}
