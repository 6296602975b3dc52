package io.convene.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convene.bus.Addresses;
import io.convene.protocol.Events;
import io.convene.testing.EventRecorder;
import io.convene.testing.ServerTestBase;
import io.convene.testing.StalledClient;
import io.convene.testing.WsClient;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(180)
class GatewayIT extends ServerTestBase {

  private static int rejection(String uri, String bearer) {
    var attempt = WsClient.attempt(vertx, server.port, uri, bearer);
    try {
      attempt.await();
    } catch (UpgradeRejectedException e) {
      return e.getStatus();
    }
    throw new AssertionError("the upgrade was accepted");
  }

  @Test
  void handshakeRefusesMissingForgedAndExpiredTokensBeforeTheUpgrade() {
    assertThat(rejection("/ws", null)).isEqualTo(401);
    assertThat(rejection("/ws", "not.a.token")).isEqualTo(401);
    assertThat(rejection("/ws", server.token("someone", -60))).isEqualTo(401);
    assertThat(rejection("/ws?access_token=forged", null)).isEqualTo(401);
    assertThat(rejection("/elsewhere", server.token("someone"))).isEqualTo(404);

    String user = user("query");
    WsClient viaQuery = WsClient.connect(vertx, server.port, "/ws?access_token=" + server.token(user), null);
    JsonObject welcome = viaQuery.awaitEvent(Events.SESSION_WELCOME);
    assertThat(welcome.getString("userId")).isEqualTo(user);
    String metrics = server.get("/metrics", null).bodyAsString();
    assertThat(metrics).contains("# TYPE convene_sockets_open gauge").contains("jvm_memory_heap_used_bytes ");
    assertThat(Double.parseDouble(metrics.lines().filter(l -> l.startsWith("convene_sockets_accepted_total "))
        .findFirst().orElseThrow().split(" ")[1])).isPositive();
    assertThat(welcome.getString("connectionId")).startsWith("c_");
    viaQuery.close();
  }

  @Test
  void everyRequestGetsOneAckAndBadFramesKeepTheSocketOpen() {
    WsClient ws = server.socket(user("frames"));
    ws.sendRaw("{not json");
    JsonObject malformed = ws.awaitFrame(f -> "ack".equals(f.getString("type")) && !f.getBoolean("ok"), "error ack");
    assertThat(malformed.getJsonObject("error").getString("code")).isEqualTo("malformed_json");

    ws.sendRaw("[1,2,3]");
    ws.awaitFrame(f -> "ack".equals(f.getString("type")) && f.getJsonObject("error") != null
        && "bad_request".equals(f.getJsonObject("error").getString("code")), "bad_request ack");
    ws.sendRaw("{\"type\":\"presence:heartbeat\"}");
    ws.awaitFrame(f -> f.getJsonObject("error") != null && f.getJsonObject("error").getString("message").startsWith("id "), "missing id ack");

    JsonObject unknown = ws.request("meeting:teleport", new JsonObject());
    assertThat(unknown.getBoolean("ok")).isFalse();
    assertThat(unknown.getJsonObject("error").getString("code")).isEqualTo("unknown_type");

    JsonObject missing = ws.request("presence:subscribe", new JsonObject());
    assertThat(missing.getJsonObject("error").getString("code")).isEqualTo("validation_failed");
    assertThat(missing.getJsonObject("error").getString("message")).contains("userIds");

    ws.sendRaw(new JsonObject().put("id", "d1").put("type", "presence:heartbeat").put("data", "x").encode());
    ws.awaitFrame(f -> "d1".equals(f.getString("id")) && !f.getBoolean("ok"), "ack d1");

    JsonObject ok = ws.request("presence:heartbeat", new JsonObject());
    assertThat(ok.getBoolean("ok")).isTrue();
    assertThat(ws.closed()).isFalse();
    ws.close();
  }

  @Test
  void oversizedFramesAreClosedWith1009() {
    WsClient ws = server.socket(user("big"));
    ws.awaitEvent(Events.SESSION_WELCOME);
    ws.socket().writeTextMessage("{\"id\":\"x\",\"type\":\"presence:heartbeat\",\"data\":{\"pad\":\"" + "x".repeat(70_000) + "\"}}");
    assertThat(ws.awaitClose()).isEqualTo((short) 1009);
  }

  @Test
  void floodsAreClosedWith4008() {
    WsClient ws = server.socket(user("flood"));
    ws.awaitEvent(Events.SESSION_WELCOME);
    for (int i = 0; i < 150; i++) {
      ws.socket().writeTextMessage("{\"id\":\"f" + i + "\",\"type\":\"presence:heartbeat\"}");
    }
    assertThat(ws.awaitClose()).isEqualTo((short) 4008);
  }

  @Test
  void anExpiringTokenClosesTheSocketWith4001() {
    String user = user("expiring");
    WsClient ws = WsClient.connect(vertx, server.port, server.token(user, clock.instant().plusSeconds(60)));
    ws.awaitEvent(Events.SESSION_WELCOME);
    clock.advance(Duration.ofSeconds(61));
    assertThat(ws.awaitClose()).isEqualTo((short) 4001);
  }

  @Test
  void aSilentConnectionIsClosedWith4010() {
    WsClient ws = server.socket(user("silent"));
    ws.awaitEvent(Events.SESSION_WELCOME);
    clock.advance(Duration.ofSeconds(121));
    assertThat(ws.awaitClose()).isEqualTo((short) 4010);
  }

  @Test
  void aClientThatStopsReadingIsClosedWith4009() throws Exception {
    String user = user("slow");
    EventRecorder closes = new EventRecorder(vertx, Addresses.CONNECTION_CLOSED);
    EventRecorder presence = new EventRecorder(vertx, Addresses.PRESENCE_CHANGED);
    try (StalledClient stalled = StalledClient.connect(server.port, server.token(user))) {
      // online once its socket is registered
      presence.awaitMessage(m -> m.getJsonArray("changes").stream()
          .anyMatch(c -> user.equals(((JsonObject) c).getString("userId"))));
      String pad = "x".repeat(8 * 1024);
      for (int i = 0; i < 4000; i++) {
        vertx.eventBus().publish(Addresses.USER_EVENTS, new JsonObject().put("userIds", new JsonArray().add(user))
            .put("type", "test:filler").put("data", new JsonObject().put("i", i).put("pad", pad)).put("ts", T0.toString()));
      }
      JsonObject closed = closes.awaitMessage(m -> user.equals(m.getString("userId")));
      assertThat(closed.getInteger("code")).isEqualTo(4009);
      StalledClient.Drained drained = stalled.drainUntilClose();
      assertThat(drained.closeCode()).isEqualTo(4009);
      assertThat(drained.textFrames()).as("frames delivered before the close").isLessThan(4000);
    }
  }

  @Test
  void aNewConnectionOfTheSameDeviceReplacesTheOld() {
    String user = user("device");
    WsClient first = WsClient.connect(vertx, server.port(0), "/ws?device_id=phone-1", server.token(user));
    first.awaitEvent(Events.SESSION_WELCOME);
    WsClient second = WsClient.connect(vertx, server.port(server.nodeCount() - 1), "/ws?device_id=phone-1", server.token(user));
    second.awaitEvent(Events.SESSION_WELCOME);
    assertThat(first.awaitClose()).isEqualTo((short) 4003);
    assertThat(second.closed()).isFalse();
    second.close();
  }

  @Test
  void meetingEventsReachEveryDeviceOfEveryAffectedUserOnce() {
    String alice = user("alice");
    String bob = user("bob");
    String carol = user("carol");
    List<WsClient> aliceDevices = List.of(server.socket(alice), server.socket(alice));
    List<WsClient> bobDevices = List.of(server.socket(bob), server.socket(bob));
    WsClient carolDevice = server.socket(carol);
    for (WsClient c : List.of(aliceDevices.get(0), aliceDevices.get(1), bobDevices.get(0), bobDevices.get(1), carolDevice)) {
      c.awaitEvent(Events.SESSION_WELCOME);
    }

    String id = api.meeting(alice).title("Fan-out").from(60).to(90).invite(bob).createId();
    api.update(id, alice, new JsonObject().put("title", "Fan-out 2"));
    api.invite(id, alice, carol);

    for (WsClient device : List.of(aliceDevices.get(0), aliceDevices.get(1), bobDevices.get(0), bobDevices.get(1))) {
      device.awaitEvent(Events.MEETING_UPDATED, d -> "Fan-out 2".equals(d.getString("title")));
      assertThat(device.events(Events.MEETING_CREATED)).filteredOn(d -> id.equals(d.getString("meetingId"))).hasSize(1);
    }
    carolDevice.awaitEvent(Events.MEETING_INVITED, d -> id.equals(d.getString("meetingId")));
    assertThat(carolDevice.events(Events.MEETING_CREATED)).isEmpty();
    assertThat(carolDevice.events(Events.MEETING_UPDATED)).isEmpty();
  }

  @Test
  void onlyAUsersOtherDevicesHearOfAConnect() {
    String dana = user("dana");
    WsClient first = server.socket(dana);
    String firstId = first.awaitEvent(Events.SESSION_WELCOME).getString("connectionId");
    WsClient second = server.socket(dana);
    String secondId = second.awaitEvent(Events.SESSION_WELCOME).getString("connectionId");
    first.awaitEvent(Events.PRESENCE_USER_CONNECTED, d -> secondId.equals(d.getString("connectionId")));
    server.events.await(dana, Events.PRESENCE_USER_CONNECTED, d -> secondId.equals(d.getString("connectionId")));
    // no other device of Dana's was registered to hear of the first
    assertThat(server.events.of(dana, Events.PRESENCE_USER_CONNECTED))
        .noneMatch(d -> firstId.equals(d.getString("connectionId")));
  }

  @Test
  void presenceFollowsDevicesWithoutFlapping() {
    String watcher = user("watcher");
    String bob = user("bob");
    WsClient a = server.socket(watcher);
    JsonObject ack = a.request("presence:subscribe", new JsonObject().put("userIds", new JsonArray().add(bob)));
    assertThat(ack.getJsonObject("data").getJsonArray("users").getJsonObject(0).getString("status")).isEqualTo("offline");

    WsClient b1 = server.socket(bob);
    a.awaitEvent(Events.PRESENCE_UPDATE, d -> bob.equals(d.getString("userId")) && "online".equals(d.getString("status")));
    WsClient b2 = server.socket(bob);
    b1.awaitEvent(Events.PRESENCE_USER_CONNECTED, d -> bob.equals(d.getString("userId")));
    b1.close();
    b2.awaitEvent(Events.PRESENCE_USER_DISCONNECTED, d -> bob.equals(d.getString("userId")));
    b2.close();

    WsClient b3 = server.socket(bob);
    b3.awaitEvent(Events.SESSION_WELCOME);
    clock.advance(Duration.ofSeconds(6));
    JsonObject still = a.request("presence:subscribe", new JsonObject().put("userIds", new JsonArray().add(bob)));
    assertThat(still.getJsonObject("data").getJsonArray("users").getJsonObject(0).getString("status")).isEqualTo("online");

    b3.close();
    JsonObject offline = awaitWhileAdvancing(a, Events.PRESENCE_UPDATE,
        d -> bob.equals(d.getString("userId")) && "offline".equals(d.getString("status")));
    assertThat(offline.getString("lastSeen")).isNotNull();
    assertThat(a.events(Events.PRESENCE_UPDATE)).filteredOn(d -> bob.equals(d.getString("userId")))
        .extracting(d -> d.getString("status")).containsExactly("online", "offline");

    JsonObject bulk = a.awaitEvent(Events.PRESENCE_BULK_UPDATE, d -> d.getJsonArray("users").stream()
        .anyMatch(u -> bob.equals(((JsonObject) u).getString("userId")) && "offline".equals(((JsonObject) u).getString("status"))));
    assertThat(bulk.getJsonArray("users")).hasSize(1);
    a.close();
  }

  /**
   * The server records a disconnect a moment after the client sees its socket closed; the grace runs
   * from then. Moving the clock a grace at a time until the event arrives tolerates that moment.
   */
  private static JsonObject awaitWhileAdvancing(WsClient ws, String type, java.util.function.Predicate<JsonObject> test) {
    for (int i = 0; i < 20; i++) {
      clock.advance(Duration.ofSeconds(6));
      var found = ws.events(type).stream().filter(test).findFirst();
      if (found.isPresent()) {
        return found.get();
      }
      try {
        return ws.awaitEvent(type, test, Duration.ofMillis(500));
      } catch (AssertionError notYet) {
        // advance again
      }
    }
    return ws.awaitEvent(type, test);
  }

  @Test
  void subscriptionsAreCappedPerConnection() {
    WsClient a = server.socket(user("many"));
    JsonArray first = new JsonArray();
    IntStream.range(0, 300).forEach(i -> first.add("w-" + i));
    assertThat(a.request("presence:subscribe", new JsonObject().put("userIds", first)).getBoolean("ok")).isTrue();
    JsonArray second = new JsonArray();
    IntStream.range(300, 600).forEach(i -> second.add("w-" + i));
    JsonObject refused = a.request("presence:subscribe", new JsonObject().put("userIds", second));
    assertThat(refused.getJsonObject("error").getString("code")).isEqualTo("limit_exceeded");
    assertThat(a.request("presence:unsubscribe", new JsonObject().put("userIds", first)).getJsonObject("data").getInteger("watching")).isZero();
    assertThat(a.request("presence:subscribe", new JsonObject().put("userIds", second)).getBoolean("ok")).isTrue();
    a.close();
  }

  @Test
  void coParticipantsOfAMeetingInProgressHearPresenceWithoutSubscribing() {
    String alice = user("alice");
    String bob = user("bob");
    String id = api.meeting(alice).title("Live").from(0).to(60).invite(bob).createId();
    api.start(id, alice);
    WsClient a = server.socket(alice);
    a.awaitEvent(Events.SESSION_WELCOME);
    WsClient b = server.socket(bob);
    a.awaitEvent(Events.PRESENCE_UPDATE, d -> bob.equals(d.getString("userId")) && "online".equals(d.getString("status")));
    b.close();
    a.close();
  }

  @Test
  void restPresenceForSocketlessClients() {
    String watcher = user("watcher");
    String rest = user("rest-only");
    WsClient a = server.socket(watcher);
    a.request("presence:subscribe", new JsonObject().put("userIds", new JsonArray().add(rest)));
    JsonObject beat = json(server.post("/api/presence/heartbeat", server.token(rest), null), 200);
    assertThat(beat.getString("status")).isEqualTo("online");
    a.awaitEvent(Events.PRESENCE_UPDATE, d -> rest.equals(d.getString("userId")) && "online".equals(d.getString("status")));

    JsonObject users = json(server.get("/api/presence/users?ids=" + rest + "," + watcher + ",never-seen", server.token(watcher)), 200);
    assertThat(users.getJsonArray("users").stream().map(u -> ((JsonObject) u).getString("status")))
        .containsExactly("online", "online", "offline");

    clock.advance(Duration.ofSeconds(70));
    a.request("presence:heartbeat", new JsonObject());
    assertThat(a.events(Events.PRESENCE_UPDATE)).filteredOn(d -> "offline".equals(d.getString("status"))).isEmpty();
    clock.advance(Duration.ofSeconds(51));
    a.awaitEvent(Events.PRESENCE_UPDATE, d -> rest.equals(d.getString("userId")) && "offline".equals(d.getString("status")));

    String longest = String.join(",", IntStream.range(0, 500).mapToObj(i -> String.format("%0128d", i)).toList());
    JsonObject all = json(server.get("/api/presence/users?ids=" + longest, server.token(watcher)), 200);
    assertThat(all.getJsonArray("users")).hasSize(500);
    String tooMany = String.join(",", IntStream.range(0, 501).mapToObj(i -> "u" + i).toList());
    assertThat(server.get("/api/presence/users?ids=" + tooMany, server.token(watcher)).statusCode()).isEqualTo(400);
    assertThat(server.get("/api/presence/users", server.token(watcher)).statusCode()).isEqualTo(400);
    a.close();
  }
}
