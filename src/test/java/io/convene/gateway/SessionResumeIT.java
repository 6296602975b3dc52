package io.convene.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.convene.protocol.Events;
import io.convene.testing.ServerTestBase;
import io.convene.testing.TestBackends;
import io.convene.testing.TcpProxy;
import io.convene.testing.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A device whose network drops comes back within {@code gateway.resumeSeconds} with its resume token
 * and the number of the last frame it got: it is sent what it missed, in order and once, and its
 * presence never went offline. The cluster variant comes back to another node.
 */
@Timeout(120)
class SessionResumeIT extends ServerTestBase {
  private Redis redis;
  private TcpProxy proxy;

  @Override
  protected JsonObject overrides() {
    return new JsonObject().put("presence", new JsonObject().put("graceMillis", 1000));
  }

  @AfterAll
  void stopProxy() {
    if (proxy != null) {
      proxy.close();
    }
  }

  /** The node the device comes back to. */
  protected int resumeNode() {
    return 0;
  }

  private WsClient throughProxy(String user) {
    if (redis == null) {
      redis = Redis.createClient(vertx, TestBackends.redisUrl());
    }
    if (proxy == null) {
      proxy = TcpProxy.start(vertx, server.port(0));
    }
    return WsClient.connect(vertx, proxy.port(), server.token(user));
  }

  private WsClient resume(String user, String token, long lastSeq) {
    return WsClient.connect(vertx, server.port(resumeNode()), "/ws?resume=" + token + "&last_seq=" + lastSeq,
        server.token(user));
  }

  private JsonObject invited(WsClient socket, String meetingId) {
    return socket.awaitFrame(f -> Events.MEETING_CREATED.equals(f.getString("type"))
        && meetingId.equals(f.getJsonObject("data").getString("meetingId")), "meeting:created " + meetingId);
  }

  /** Waits until the kept session holds a frame about {@code meetingId} (the node stores it after the event). */
  private void awaitKept(String token, String meetingId) {
    String key = server.config().getJsonObject("redis").getString("keyPrefix") + "sess:" + token + ":f";
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (redis.send(Request.cmd(Command.LRANGE).arg(key).arg(0).arg(-1)).await().stream()
        .noneMatch(r -> r.toString().contains(meetingId))) {
      assertThat(System.nanoTime()).as("the kept session never got " + meetingId).isLessThan(deadline);
      vertx.timer(20).await();
    }
  }

  /** Lets the clock run a second at a time until the presence update comes. */
  private static void awaitWhileTimePasses(WsClient watcher, java.util.function.Predicate<JsonObject> update) {
    for (int i = 0; i < 60; i++) {
      clock.advance(Duration.ofSeconds(1));
      if (watcher.events(Events.PRESENCE_UPDATE).stream().anyMatch(update)) {
        return;
      }
      vertx.timer(100).await();
    }
    watcher.awaitEvent(Events.PRESENCE_UPDATE, update, Duration.ofMillis(1));
  }

  @Test
  void aDeviceDroppedBeforeItsPresenceIsRecordedIsAnnouncedBeforeItsDrop() {
    String bob = user("bob");
    WsClient laptop = server.socket(bob);
    laptop.awaitEvent(Events.SESSION_WELCOME);
    WsClient phone = throughProxy(bob);
    phone.awaitEvent(Events.SESSION_WELCOME);
    // Redis answers nobody for a while: the tablet's presence waits to be recorded while its socket drops
    redis.send(Request.cmd(Command.CLIENT).arg("PAUSE").arg(1500).arg("ALL")).await();
    WsClient tablet = throughProxy(bob);
    proxy.cut();
    tablet.awaitClose();
    phone.awaitClose();
    String first = laptop.awaitEvent(Events.PRESENCE_USER_DISCONNECTED).getString("connectionId");
    String second = laptop.awaitEvent(Events.PRESENCE_USER_DISCONNECTED, d -> !first.equals(d.getString("connectionId")))
        .getString("connectionId");
    for (String device : List.of(first, second)) {
      List<String> news = laptop.frames().stream()
          .filter(f -> f.getString("type").startsWith("presence:user_"))
          .filter(f -> device.equals(f.getJsonObject("data").getString("connectionId")))
          .map(f -> f.getString("type")).toList();
      assertThat(news).as("what the laptop heard of " + device)
          .containsExactly(Events.PRESENCE_USER_CONNECTED, Events.PRESENCE_USER_DISCONNECTED);
    }
  }

  @Test
  void aDroppedDeviceGetsWhatItMissedOnceAndNeverShowsOffline() {
    String alice = user("alice");
    String bob = user("bob");
    WsClient watcher = server.socket(alice);
    watcher.request("presence:subscribe", new JsonObject().put("userIds", new JsonArray().add(bob)));
    WsClient phone = throughProxy(bob);
    String token = phone.awaitEvent(Events.SESSION_WELCOME).getString("resumeToken");
    assertThat(token).startsWith("r_");
    watcher.awaitEvent(Events.PRESENCE_UPDATE, d -> bob.equals(d.getString("userId")) && "online".equals(d.getString("status")));

    String first = api.meeting(alice).title("Before").from(60).to(120).invite(bob).createId();
    long lastSeq = invited(phone, first).getLong("seq");

    proxy.cut();
    phone.awaitClose();
    String second = api.meeting(alice).title("Missed one").from(180).to(240).invite(bob).createId();
    String third = api.meeting(alice).title("Missed two").from(300).to(360).invite(bob).createId();
    awaitKept(token, third);

    WsClient back = resume(bob, token, lastSeq);
    JsonObject resumed = back.awaitEvent(Events.SESSION_RESUMED);
    List<JsonObject> frames = back.frames();
    assertThat(resumed.getInteger("replayed")).as(frames.toString()).isEqualTo(2);
    assertThat(frames).noneMatch(f -> Events.SESSION_WELCOME.equals(f.getString("type")));
    List<JsonObject> replayed = frames.subList(0, frames.indexOf(frames.stream()
        .filter(f -> Events.SESSION_RESUMED.equals(f.getString("type"))).findFirst().orElseThrow()));
    // in the order they reached the session: on a cluster, events published by two nodes may arrive either way
    if (nodes() == 1) {
      assertThat(replayed).extracting(f -> f.getJsonObject("data").getString("meetingId")).containsExactly(second, third);
    } else {
      assertThat(replayed).extracting(f -> f.getJsonObject("data").getString("meetingId"))
          .containsExactlyInAnyOrder(second, third);
    }
    assertThat(replayed).extracting(f -> f.getLong("seq")).containsExactly(lastSeq + 1, lastSeq + 2);

    String fourth = api.meeting(alice).title("After").from(420).to(480).invite(bob).createId();
    assertThat(invited(back, fourth).getLong("seq")).as("numbering goes on").isEqualTo(lastSeq + 3);
    assertThat(back.frames()).filteredOn(f -> Events.MEETING_CREATED.equals(f.getString("type"))).hasSize(3);

    back.close();
    awaitWhileTimePasses(watcher, d -> bob.equals(d.getString("userId")) && "offline".equals(d.getString("status")));
    assertThat(watcher.events(Events.PRESENCE_UPDATE)).filteredOn(d -> bob.equals(d.getString("userId"))
        && "offline".equals(d.getString("status"))).as("offline once: after the goodbye, not at the drop").hasSize(1);
  }

  @Test
  void aResumedSessionWatchesWhomItWatched() {
    String carol = user("carol");
    String dan = user("dan");
    WsClient phone = throughProxy(carol);
    String token = phone.awaitEvent(Events.SESSION_WELCOME).getString("resumeToken");
    phone.request("presence:subscribe", new JsonObject().put("userIds", new JsonArray().add(dan)));
    proxy.cut();
    phone.awaitClose();

    WsClient back = resume(carol, token, 0);
    back.awaitEvent(Events.SESSION_RESUMED);
    back.awaitEvent(Events.PRESENCE_BULK_UPDATE, d -> d.getJsonArray("users").stream()
        .anyMatch(u -> dan.equals(((JsonObject) u).getString("userId"))));
    WsClient danSocket = server.socket(dan);
    back.awaitEvent(Events.PRESENCE_UPDATE, d -> dan.equals(d.getString("userId")) && "online".equals(d.getString("status")));
    danSocket.close();
  }

  @Test
  void whatCannotBeResumedStartsAFreshSession() {
    String erin = user("erin");
    String frank = user("frank");
    WsClient phone = throughProxy(erin);
    String token = phone.awaitEvent(Events.SESSION_WELCOME).getString("resumeToken");
    proxy.cut();
    phone.awaitClose();

    JsonObject unknown = resume(erin, "r_nobody", 0).awaitEvent(Events.SESSION_WELCOME);
    assertThat(unknown.getBoolean("resumed")).isFalse();
    assertThat(unknown.getString("resumeToken")).isNotEqualTo("r_nobody");
    assertThat(resume(frank, token, 0).awaitEvent(Events.SESSION_WELCOME).getBoolean("resumed"))
        .as("someone else's session").isFalse();
    assertThat(resume(erin, token, 99).awaitEvent(Events.SESSION_WELCOME).getBoolean("resumed"))
        .as("frames it cannot have had").isFalse();
    assertThat(catchThrowable(() -> WsClient.attempt(vertx, server.port(0), "/ws?resume=x&last_seq=-1",
        server.token(erin)).await(10, TimeUnit.SECONDS))).as("malformed: 400").isNotNull();
  }

  @Test
  void aSessionNotResumedInTimeEndsAndItsUserGoesOffline() {
    String gina = user("gina");
    String hugo = user("hugo");
    WsClient watcher = server.socket(hugo);
    watcher.request("presence:subscribe", new JsonObject().put("userIds", new JsonArray().add(gina)));
    WsClient phone = throughProxy(gina);
    String token = phone.awaitEvent(Events.SESSION_WELCOME).getString("resumeToken");
    watcher.awaitEvent(Events.PRESENCE_UPDATE, d -> gina.equals(d.getString("userId")) && "online".equals(d.getString("status")));
    proxy.cut();
    phone.awaitClose();

    clock.advance(Duration.ofSeconds(30));
    awaitWhileTimePasses(watcher, d -> gina.equals(d.getString("userId")) && "offline".equals(d.getString("status")));
    assertThat(resume(gina, token, 0).awaitEvent(Events.SESSION_WELCOME).getBoolean("resumed")).isFalse();
  }
}
