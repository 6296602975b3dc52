package io.convene.presence;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.embedded.EmbeddedServices;
import io.convene.protocol.Events;
import io.convene.testing.ManualClock;
import io.convene.testing.TestServer;
import io.convene.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Redis restarted (with its data lost) under a running server. */
@Timeout(120)
class PresenceRecoveryIT {
  private final Vertx vertx = Vertx.vertx();
  private EmbeddedServices redisHost;

  @AfterEach
  void close() {
    vertx.close().await();
    if (redisHost != null) {
      redisHost.close();
    }
  }

  @Test
  void presenceRecoversWithinOneHeartbeatIntervalAndTheServerStaysUp() throws Exception {
    Path dir = Files.createTempDirectory("convene-redis-");
    redisHost = EmbeddedServices.claim(dir);
    int port = EmbeddedServices.freePort();
    String url = redisHost.startRedis(port);
    TestServer server = TestServer.start(vertx, new ManualClock(Instant.now()), new JsonObject()
        .put("redis", new JsonObject().put("url", url))
        .put("presence", new JsonObject().put("heartbeatSeconds", 2)));

    WsClient watcher = server.socket("watcher");
    watcher.request("presence:subscribe", new JsonObject().put("userIds", new JsonArray().add("bob")));
    WsClient bob = server.socket("bob");
    watcher.awaitEvent(Events.PRESENCE_UPDATE, d -> "online".equals(d.getString("status")));

    redisHost.stopRedis();
    try (Stream<Path> files = Files.walk(dir.resolve("redis"))) {
      files.sorted(Comparator.reverseOrder()).filter(p -> !p.equals(dir.resolve("redis"))).forEach(p -> p.toFile().delete());
    }

    var ready = server.get("/health/ready", null);
    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(ready.bodyAsJsonObject().getJsonObject("checks").getString("redis")).isEqualTo("DOWN");
    assertThat(ready.bodyAsJsonObject().getJsonObject("checks").getString("postgres")).isEqualTo("UP");
    assertThat(server.get("/api/meetings", server.token("bob")).statusCode()).as("REST without Redis").isEqualTo(200);
    var presence = server.get("/api/presence/users?ids=bob", server.token("bob"));
    assertThat(presence.statusCode()).isEqualTo(503);
    assertThat(presence.bodyAsJsonObject().getString("code")).isEqualTo("unavailable");
    assertThat(watcher.request("presence:heartbeat", new JsonObject()).getBoolean("ok")).isTrue();

    redisHost.startRedis(port);
    watcher.awaitFrame(f -> Events.PRESENCE_UPDATE.equals(f.getString("type"))
        && watcher.events(Events.PRESENCE_UPDATE).size() >= 2, "bob announced online again after the store lost its data");
    var after = server.get("/api/presence/users?ids=bob", server.token("bob"));
    assertThat(after.statusCode()).isEqualTo(200);
    assertThat(after.bodyAsJsonObject().getJsonArray("users").getJsonObject(0).getString("status")).isEqualTo("online");
    assertThat(watcher.events(Events.PRESENCE_UPDATE)).extracting(u -> u.getString("status"))
        .as("re-registered with its node's lease, bob never flaps offline").containsOnly("online");
    assertThat(server.get("/health/ready", null).statusCode()).isEqualTo(200);
    assertThat(bob.closed()).isFalse();
  }
}
