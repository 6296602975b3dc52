package io.convene.presence;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.config.AppConfig;
import io.convene.testing.ManualClock;
import io.convene.testing.TestBackends;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The presence service's own steps, driven one by one against a real Redis. */
@Timeout(60)
class PresenceServiceIT {
  private static final Vertx VERTX = Vertx.vertx();
  private static final Redis REDIS = Redis.createClient(VERTX, TestBackends.redisUrl());

  @AfterAll
  static void close() {
    VERTX.close().await();
  }

  @Test
  void devicesReassertedAfterTheStoreLostItsDataStayOnlineThroughTheNextSweep() {
    String prefix = "service-it-" + UUID.randomUUID() + ":";
    PresenceService presence = new PresenceService(new RedisPresenceStore(REDIS, prefix),
        userIds -> Future.succeededFuture(java.util.Map.of()), VERTX.eventBus(), new ManualClock(Instant.now()),
        new AppConfig.Presence(60, 5000, 1, 10, 1000), "node-1");
    presence.renewLease().await();
    presence.devicesConnected(List.of("bob"), List.of("c1")).await();

    Response keys = REDIS.send(Request.cmd(Command.KEYS).arg(prefix + "*")).await();
    Request lost = Request.cmd(Command.DEL);
    keys.forEach(k -> lost.arg(k.toString()));
    REDIS.send(lost).await();

    presence.devicesConnected(List.of("bob"), List.of("c1")).await();
    assertThat(presence.sweep().await()).as("users announced offline by the next sweep").isZero();
    assertThat(presence.status(List.of("bob")).await().get(0).online()).isTrue();
  }
}
