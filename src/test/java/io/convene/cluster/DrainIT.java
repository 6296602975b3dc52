package io.convene.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.convene.bus.Addresses;
import io.convene.http.ApiVerticle;
import io.convene.protocol.Events;
import io.convene.testing.Api;
import io.convene.testing.DoomedNode;
import io.convene.testing.FakeLiveKit;
import io.convene.testing.TestServer;
import io.convene.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node stopped with SIGTERM drains: it stops being ready and accepting sockets, tells each socket to
 * reconnect and closes it with 1012, answers the request it was serving, hands its sweep leases over,
 * and the users who moved to another node never show offline.
 */
@Timeout(240)
class DrainIT {
  private final Vertx side = Vertx.vertx();
  private TestServer cluster;
  private DoomedNode node;
  private FakeLiveKit liveKit;

  @AfterEach
  void cleanUp() {
    if (node != null) {
      node.kill();
    }
    if (cluster != null) {
      cluster.close();
    }
    if (liveKit != null) {
      liveKit.close();
    }
    side.close().await();
  }

  @Test
  void sigtermDrainsAProcessNodeWithoutAPresenceFlap() throws Exception {
    liveKit = FakeLiveKit.start(side);
    JsonObject presence = new JsonObject().put("graceMillis", 1000);
    cluster = TestServer.startCluster(2, Clock.systemUTC(), new JsonObject().put("presence", presence)
        .put("livekit", new JsonObject().put("url", liveKit.url()).put("apiKey", FakeLiveKit.KEY)
            .put("apiSecret", FakeLiveKit.SECRET)));
    node = DoomedNode.start(cluster.config(), Map.of("CONVENE_GATEWAY_DRAIN_SECONDS", "2",
        "CONVENE_PRESENCE_GRACE_MILLIS", "1000"));
    Api api = Api.of(cluster);
    Api viaNode = Api.at(side, node.port(), cluster::token);
    Instant now = Instant.now();
    String meetingId = api.meeting("olga").title("Stand-up").from(now).to(now.plusSeconds(3600)).invite("mark")
        .createId();
    liveKit.inRoom(meetingId, "mark");

    WsClient watcher = cluster.socket("wendy", 0);
    watcher.request("presence:subscribe", new JsonObject().put("userIds", new JsonArray().add("mark")));
    WsClient mark = WsClient.connect(side, node.port(), cluster.token("mark"));
    mark.awaitEvent(Events.SESSION_WELCOME);
    watcher.awaitEvent(Events.PRESENCE_UPDATE, d -> "mark".equals(d.getString("userId"))
        && "online".equals(d.getString("status")));

    // A request the node is serving when it is told to stop: LiveKit answers it slowly.
    liveKit.delay(Duration.ofSeconds(3));
    var muted = java.util.concurrent.CompletableFuture.supplyAsync(() -> viaNode.mute(meetingId, "olga", "mark"));
    liveKit.awaitReceived("ListParticipants");

    var exited = node.terminate();
    JsonObject reconnect = mark.awaitEvent(Events.SESSION_RECONNECT);
    assertThat(reconnect.getString("reason")).isEqualTo("draining");
    assertThat(reconnect.getLong("retryAfterMs")).isNotNegative();
    WsClient markAgain = cluster.socket("mark", 1);
    markAgain.awaitEvent(Events.SESSION_WELCOME);
    assertThat(mark.awaitClose()).isEqualTo((short) 1012);

    WebClient http = WebClient.create(side);
    HttpResponse<Buffer> ready = http.get(node.port(), "127.0.0.1", "/health/ready").send().await();
    assertThat(ready.statusCode()).as("a draining node is not ready").isEqualTo(503);
    assertThat(ready.bodyAsJsonObject().getString("status")).isEqualTo("DRAINING");
    assertThat(catchThrowable(() -> WsClient.attempt(side, node.port(), "/ws", cluster.token("nina"))
        .await(30, TimeUnit.SECONDS))).as("a draining node accepts no socket").isNotNull();

    assertThat(muted.get(30, TimeUnit.SECONDS).getInteger("mutedTracks"))
        .as("the request in flight is answered").isEqualTo(1);
    exited.get(60, TimeUnit.SECONDS);
    node = null;

    // Mark moved without going offline: the first offline the watcher sees is the one after he leaves.
    markAgain.close();
    watcher.awaitEvent(Events.PRESENCE_UPDATE, d -> "mark".equals(d.getString("userId"))
        && "offline".equals(d.getString("status")));
    List<JsonObject> offline = watcher.events(Events.PRESENCE_UPDATE).stream()
        .filter(d -> "mark".equals(d.getString("userId")) && "offline".equals(d.getString("status"))).toList();
    assertThat(offline).hasSize(1);
  }

  @Test
  void aSingleNodeTellsItsSocketsToGoAndKeepsTheirSessions() throws Exception {
    cluster = TestServer.start(side, Clock.systemUTC(), new JsonObject()
        .put("gateway", new JsonObject().put("drainSeconds", 1)));
    WsClient ann = cluster.socket("ann");
    String token = ann.awaitEvent(Events.SESSION_WELCOME).getString("resumeToken");
    WsClient ben = cluster.socket("ben");
    ben.awaitEvent(Events.SESSION_WELCOME);

    var drained = side.eventBus().request(Addresses.NODE_DRAIN, null).toCompletionStage().toCompletableFuture();
    List<Long> turns = List.of(ann.awaitEvent(Events.SESSION_RECONNECT).getLong("retryAfterMs"),
        ben.awaitEvent(Events.SESSION_RECONNECT).getLong("retryAfterMs"));
    assertThat(turns).as("the turns are spread over the drain time").containsExactlyInAnyOrder(0L, 500L);
    assertThat(cluster.get("/health/ready", null).statusCode()).isEqualTo(503);
    assertThat(ann.awaitClose()).isEqualTo((short) 1012);
    assertThat(ben.awaitClose()).isEqualTo((short) 1012);
    String sessions = cluster.config().getJsonObject("redis").getString("keyPrefix") + "sess:" + token;
    Redis redis = Redis.createClient(side, cluster.config().getJsonObject("redis").getString("url"));
    assertThat(redis.send(Request.cmd(Command.HGET).arg(sessions).arg("user")).await().toString())
        .as("the session is kept for a resume on another node").isEqualTo("ann");
    drained.get(30, TimeUnit.SECONDS);
  }

  @Test
  void aDrainedNodeHandsItsSweepLeasesOver() throws Exception {
    cluster = TestServer.startCluster(2, Clock.systemUTC(), new JsonObject());
    Vertx first = cluster.vertx();
    String firstId = (String) first.sharedData().getLocalMap(ApiVerticle.NODE_MAP).get(ApiVerticle.NODE_ID_KEY);
    Redis redis = Redis.createClient(side, cluster.config().getJsonObject("redis").getString("url"));
    String leases = cluster.config().getJsonObject("redis").getString("keyPrefix") + "lease:*";

    Map<String, String> before = awaitHolders(redis, leases, holders -> holders.containsValue(firstId));
    first.eventBus().request(Addresses.NODE_DRAIN, null).await(30, TimeUnit.SECONDS);
    Map<String, String> after = holders(redis, leases);
    assertThat(after).as("right after the drain, the node holds no lease").doesNotContainValue(firstId);

    List<String> handedOver = before.entrySet().stream().filter(e -> firstId.equals(e.getValue()))
        .map(Map.Entry::getKey).toList();
    awaitHolders(redis, leases, holders -> handedOver.stream().allMatch(k -> holders.get(k) != null
        && !firstId.equals(holders.get(k))));
  }

  private Map<String, String> awaitHolders(Redis redis, String pattern,
      java.util.function.Predicate<Map<String, String>> test) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      Map<String, String> holders = holders(redis, pattern);
      if (test.test(holders)) {
        return holders;
      }
      assertThat(System.nanoTime()).as("lease holders never matched; last " + holders).isLessThan(deadline);
      side.timer(50).await();
    }
  }

  private static Map<String, String> holders(Redis redis, String pattern) {
    Map<String, String> out = new HashMap<>();
    Response keys = redis.send(Request.cmd(Command.KEYS).arg(pattern)).await();
    for (Response key : keys) {
      Response holder = redis.send(Request.cmd(Command.GET).arg(key.toString())).await();
      out.put(key.toString(), holder == null ? null : holder.toString());
    }
    return out;
  }
}
