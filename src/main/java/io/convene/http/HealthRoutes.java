package io.convene.http;

import io.convene.auth.JwksKeys;
import io.convene.livekit.LiveKitEgress;
import io.convene.livekit.LiveKitRooms;
import io.convene.web.Bodies;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;
import java.util.concurrent.TimeUnit;

/**
 * Liveness (the process answers) and readiness (PostgreSQL and Redis answer, signing keys loaded, the
 * node is not draining).
 * LiveKit is reported too, from its circuit breaker (LiveKit is not called for a probe): {@code
 * DEGRADED} while it keeps failing, without making the node unready: tokens are still issued and room
 * commands are retried by the outbox.
 */
public final class HealthRoutes {
  private static final long CHECK_TIMEOUT_MS = 2000;

  private final Pool pool;
  private final Redis redis;
  private final LiveKitRooms rooms;
  private final LiveKitEgress egress;
  private final JwksKeys jwks;
  private final Drain drain;

  /** @param jwks null when tokens are checked with a shared secret only */
  public HealthRoutes(Pool pool, Redis redis, LiveKitRooms rooms, LiveKitEgress egress, JwksKeys jwks, Drain drain) {
    this.drain = drain;
    this.pool = pool;
    this.redis = redis;
    this.rooms = rooms;
    this.egress = egress;
    this.jwks = jwks;
  }

  public void mount(Router router) {
    router.get("/health/live").handler(rc -> Bodies.json(rc, 200, new JsonObject().put("status", "UP")));
    router.get("/health/ready").handler(this::ready);
  }

  private void ready(RoutingContext rc) {
    if (drain.draining()) {
      Bodies.json(rc, 503, new JsonObject().put("status", "DRAINING"));
      return;
    }
    Future<String> pg = pool.query("SELECT 1").execute().map("UP")
        .timeout(CHECK_TIMEOUT_MS, TimeUnit.MILLISECONDS).otherwise("DOWN");
    Future<String> store = redis.send(Request.cmd(Command.PING)).map("UP")
        .timeout(CHECK_TIMEOUT_MS, TimeUnit.MILLISECONDS).otherwise("DOWN");
    String livekit = rooms.healthy() ? "UP" : "DEGRADED";
    String recorder = egress.healthy() ? "UP" : "DEGRADED";
    Future.join(pg, store).onComplete(ar -> {
      JsonObject checks = new JsonObject().put("postgres", pg.result()).put("redis", store.result());
      if (jwks != null) {
        checks.put("jwks", jwks.loaded() ? "UP" : "DOWN");
      }
      boolean up = checks.stream().allMatch(e -> "UP".equals(e.getValue()));
      checks.put("livekit", livekit);
      checks.put("livekitEgress", recorder);
      Bodies.json(rc, up ? 200 : 503, new JsonObject().put("status", up ? "UP" : "DOWN").put("checks", checks));
    });
  }
}
