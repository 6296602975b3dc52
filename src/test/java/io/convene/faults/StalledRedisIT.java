package io.convene.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.embedded.EmbeddedServices;
import io.convene.protocol.Events;
import io.convene.testing.ManualClock;
import io.convene.testing.Processes;
import io.convene.testing.TestServer;
import io.convene.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A Redis that hangs instead of refusing (paused with SIGSTOP, as in a partition or a long fork), under a
 * running server with its own Redis: requests are answered 503 within seconds, never held, and nothing
 * acknowledged is lost once Redis is back.
 */
@Timeout(120)
class StalledRedisIT {
  private final Vertx vertx = Vertx.vertx();
  private final ManualClock clock = new ManualClock(Instant.now());
  private EmbeddedServices redisHost;
  private long redisPid;
  private TestServer server;

  @BeforeEach
  void start() throws Exception {
    Path dir = Files.createTempDirectory("convene-redis-");
    redisHost = EmbeddedServices.claim(dir);
    String url = redisHost.startRedis(EmbeddedServices.freePort());
    redisPid = Processes.pid(dir.resolve("redis").resolve("redis.pid"));
    server = TestServer.start(vertx, clock, new JsonObject()
        .put("redis", new JsonObject().put("url", url).put("timeoutMillis", 1000))
        .put("http", new JsonObject().put("requestTimeoutMillis", 3000)));
  }

  @AfterEach
  void stop() {
    Processes.resume(redisPid);
    vertx.close().await();
    redisHost.close();
  }

  @Test
  void requestsGet503WithinSecondsWhileRedisHangsAndWorkAgainAfter() {
    WsClient alice = server.socket("alice");
    alice.awaitEvent(Events.SESSION_WELCOME);

    Processes.pause(redisPid);
    var presence = server.get("/api/presence/users?ids=bob", server.token("alice"));
    assertThat(presence.statusCode()).isEqualTo(503);
    assertThat(presence.bodyAsJsonObject().getString("code")).isEqualTo("unavailable");
    var call = server.post("/api/calls/instant", server.token("alice"), new JsonObject().put("participantIds",
        new JsonArray().add("bob")));
    assertThat(call.statusCode()).isEqualTo(503);
    JsonObject ack = alice.request("presence:subscribe", new JsonObject().put("userIds", new JsonArray().add("bob")));
    assertThat(ack.getBoolean("ok")).isFalse();
    assertThat(ack.getJsonObject("error").getString("code")).isEqualTo("unavailable");
    assertThat(server.get("/health/ready", null).statusCode()).isEqualTo(503);

    Processes.resume(redisPid);
    assertThat(server.get("/api/presence/users?ids=bob", server.token("alice")).statusCode()).isEqualTo(200);
    assertThat(alice.request("presence:subscribe", new JsonObject().put("userIds", new JsonArray().add("bob")))
        .getBoolean("ok")).isTrue();
  }

  @Test
  void aDeviceThatLeftWhileRedisHungGoesOfflineOnceRedisIsBack() {
    WsClient watcher = server.socket("watcher");
    watcher.request("presence:subscribe", new JsonObject().put("userIds", new JsonArray().add("bob")));
    WsClient bob = server.socket("bob");
    bob.awaitEvent(Events.SESSION_WELCOME);
    watcher.awaitEvent(Events.PRESENCE_UPDATE, d -> "online".equals(d.getString("status")));

    Processes.pause(redisPid);
    bob.close();
    // Longer than any give-up of the disconnect's retries: the fault lasts, it is not an event to wait for.
    vertx.timer(8000).await();
    Processes.resume(redisPid);

    // The disconnect lands on one of its retries; the grace is counted from then on the test's clock.
    boolean offline = false;
    for (int i = 0; i < 15 && !offline; i++) {
      clock.advance(Duration.ofSeconds(6));
      try {
        watcher.awaitEvent(Events.PRESENCE_UPDATE, d -> "offline".equals(d.getString("status")), Duration.ofSeconds(1));
        offline = true;
      } catch (AssertionError notYet) {
        // the disconnect has not landed yet
      }
    }
    assertThat(offline).as("bob went offline once Redis was back").isTrue();
    assertThat(server.get("/api/presence/users?ids=bob", server.token("watcher")).bodyAsJsonObject()
        .getJsonArray("users").getJsonObject(0).getString("status")).isEqualTo("offline");
  }

  @Test
  void aDeviceConnectingWhileRedisHangsIsWelcomedFirstAndInTime() {
    TestServer patient = TestServer.start(vertx, clock, new JsonObject()
        .put("redis", new JsonObject().put("url", server.config().getJsonObject("redis").getString("url"))
            .put("timeoutMillis", 60_000)));
    WsClient alice = patient.socket("alice");
    alice.awaitEvent(Events.SESSION_WELCOME);

    Processes.pause(redisPid);
    // the device's registration waits on Redis longer than the welcome does; an event for bob comes meanwhile
    WsClient bob = patient.socket("bob");
    assertThat(patient.post("/api/meetings", patient.token("alice"), new JsonObject().put("title", "Meanwhile")
        .put("startTime", clock.instant().plus(Duration.ofHours(1)).toString())
        .put("endTime", clock.instant().plus(Duration.ofHours(2)).toString())
        .put("participantIds", new JsonArray().add("bob"))).statusCode()).isEqualTo(201);
    JsonObject welcome = bob.awaitEvent(Events.SESSION_WELCOME, d -> true, Duration.ofSeconds(10));
    assertThat(welcome.getString("userId")).isEqualTo("bob");
    bob.awaitEvent(Events.MEETING_CREATED, d -> "Meanwhile".equals(d.getString("title")), Duration.ofSeconds(10));
    assertThat(bob.frames()).extracting(f -> f.getString("type"))
        .startsWith(Events.SESSION_WELCOME).contains(Events.MEETING_CREATED);
  }
}
