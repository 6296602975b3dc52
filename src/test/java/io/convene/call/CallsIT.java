package io.convene.call;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.protocol.Events;
import io.convene.testing.Api;
import io.convene.testing.ManualClock;
import io.convene.testing.ServerTestBase;
import io.convene.testing.TestServer;
import io.convene.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(180)
class CallsIT extends ServerTestBase {

  private static WsClient online(String user) {
    WsClient ws = server.socket(user);
    ws.awaitEvent(Events.SESSION_WELCOME);
    return ws;
  }

  /** Alice and Bob are online, Alice rings Bob, and Bob's socket has been told. */
  private record Ringing(String alice, String bob, WsClient a, WsClient b, String id) {}

  private Ringing aliceRingsBob() {
    String alice = user("alice");
    String bob = user("bob");
    WsClient a = online(alice);
    WsClient b = online(bob);
    String id = api.instantCall(alice, bob).getString("meetingId");
    b.awaitEvent(Events.CALL_INCOMING);
    return new Ringing(alice, bob, a, b, id);
  }

  private static String statusOf(JsonObject call, String user) {
    return call.getJsonArray("callees").stream().map(o -> (JsonObject) o).filter(c -> user.equals(c.getString("userId")))
        .findFirst().orElseThrow().getString("status");
  }

  @Test
  void oneToOneCallAcceptedOnOneOfTwoDevices() {
    String alice = user("alice");
    String bob = user("bob");
    WsClient a = online(alice);
    WsClient b1 = online(bob);
    WsClient b2 = online(bob);

    JsonObject created = api.instantCall(alice, bob);
    String id = created.getString("meetingId");
    assertThat(id).startsWith("call_");
    assertThat(created.getBoolean("isInstantCall")).isTrue();
    assertThat(created.getString("status")).isEqualTo("in_progress");
    assertThat(statusOf(created, bob)).isEqualTo("ringing");

    for (WsClient device : List.of(b1, b2)) {
      JsonObject incoming = device.awaitEvent(Events.CALL_INCOMING, d -> id.equals(d.getString("meetingId")));
      assertThat(incoming.getString("callerId")).isEqualTo(alice);
      assertThat(incoming.getString("deadline")).isEqualTo(clock.instant().plusSeconds(30).toString());
    }
    a.awaitEvent(Events.CALL_RINGING, d -> bob.equals(d.getString("userId")));

    JsonObject ack = b1.request("call:accept", new JsonObject().put("meetingId", id));
    assertThat(ack.getBoolean("ok")).as(ack.encode()).isTrue();
    a.awaitEvent(Events.CALL_ACCEPTED, d -> bob.equals(d.getString("userId")));
    assertThat(b2.awaitEvent(Events.CALL_CANCELLED, d -> id.equals(d.getString("meetingId"))).getString("reason"))
        .isEqualTo("answered_elsewhere");
    JsonObject late = b2.request("call:accept", new JsonObject().put("meetingId", id));
    assertThat(late.getJsonObject("error").getString("code")).isEqualTo("too_late");
    assertThat(late.getJsonObject("error").getString("message")).isEqualTo("answered on another device");
    assertThat(b1.events(Events.CALL_CANCELLED)).isEmpty();
    server.awaitRows(rows -> "accepted".equals(rows.get(0).getString("status")),
        "SELECT status FROM meeting_participants WHERE meeting_id = $1 AND user_id = $2", id, bob);

    JsonObject state = api.callState(id, alice);
    assertThat(state.getJsonObject("ring").getJsonArray("inCall")).containsExactlyInAnyOrder(alice, bob);
  }

  @Test
  void declinedOneToOneCallEnds() {
    Ringing r = aliceRingsBob();
    api.declineCall(r.id(), r.bob());
    assertThat(r.a().awaitEvent(Events.CALL_DECLINED, d -> r.bob().equals(d.getString("userId"))).getString("reason")).isEqualTo("declined");
    r.a().awaitEvent(Events.CALL_ENDED, d -> r.id().equals(d.getString("meetingId")));
    r.b().awaitEvent(Events.CALL_ENDED, d -> r.id().equals(d.getString("meetingId")));
    assertThat(server.rows("SELECT status FROM meetings WHERE id = $1", r.id()).get(0).getString("status")).isEqualTo("ended");
    assertThat(api.declineCall(r.id(), r.bob()).getBoolean("already")).isTrue();
  }

  @Test
  void unansweredCallTimesOutIntoAMissedCall() {
    Ringing r = aliceRingsBob();
    clock.advance(Duration.ofSeconds(30));
    assertThat(r.a().awaitEvent(Events.CALL_DECLINED, d -> r.bob().equals(d.getString("userId"))).getString("reason")).isEqualTo("timeout");
    JsonObject missed = r.b().awaitEvent(Events.CALL_MISSED, d -> r.id().equals(d.getString("meetingId")));
    assertThat(missed.getString("callerId")).isEqualTo(r.alice());
    r.a().awaitEvent(Events.CALL_ENDED, d -> r.id().equals(d.getString("meetingId")));

    JsonObject late = r.b().request("call:accept", new JsonObject().put("meetingId", r.id()));
    assertThat(late.getJsonObject("error").getString("code")).isEqualTo("too_late");
    JsonObject list = api.unreadNotifications(r.bob());
    assertThat(list.getJsonArray("items").getJsonObject(0).getString("notificationId")).isEqualTo(missed.getString("notificationId"));
    assertThat(list.getJsonArray("items").getJsonObject(0).getString("type")).isEqualTo("missed_call");
  }

  @Test
  void offlineCalleeIsNotRungAndFindsTheMissedCallOnConnect() {
    String alice = user("alice");
    String carol = user("carol");
    WsClient a = online(alice);
    JsonObject created = api.instantCall(alice, carol);
    String id = created.getString("meetingId");
    assertThat(statusOf(created, carol)).isEqualTo("offline");
    assertThat(created.getString("status")).isEqualTo("ended");
    a.awaitEvent(Events.CALL_ENDED, d -> id.equals(d.getString("meetingId")) && "unreachable".equals(d.getString("reason")));
    // the missed call is stored from the outbox, right after the call ended
    server.awaitRows(rows -> !rows.isEmpty(), "SELECT id FROM notifications WHERE user_id = $1 AND meeting_id = $2", carol, id);

    WsClient c = server.socket(carol);
    JsonObject unread = c.awaitEvent(Events.NOTIFICATIONS_UNREAD);
    JsonObject item = unread.getJsonArray("items").getJsonObject(0);
    assertThat(item.getString("meetingId")).isEqualTo(id);
    assertThat(item.getJsonObject("data").getString("callerId")).isEqualTo(alice);

    api.markRead(item.getString("notificationId"), carol);
    assertThat(api.unreadNotifications(carol).getJsonArray("items")).isEmpty();
    assertThat(api.notifications(carol).getJsonArray("items").getJsonObject(0).getString("readAt")).isNotNull();
    api.expect(404).markRead(item.getString("notificationId"), alice);
  }

  @Test
  void groupCallWhereOneAcceptsOneDeclinesAndOneTimesOut() {
    String alice = user("alice");
    String bob = user("bob");
    String carol = user("carol");
    String dave = user("dave");
    WsClient a = online(alice);
    WsClient b = online(bob);
    WsClient c = online(carol);
    WsClient d = online(dave);
    String id = api.instantCall(alice, bob, carol, dave).getString("meetingId");
    for (WsClient ws : List.of(b, c, d)) {
      ws.awaitEvent(Events.CALL_INCOMING, x -> id.equals(x.getString("meetingId")));
    }
    assertThat(b.request("call:accept", new JsonObject().put("meetingId", id)).getBoolean("ok")).isTrue();
    assertThat(c.request("call:decline", new JsonObject().put("meetingId", id)).getBoolean("ok")).isTrue();
    clock.advance(Duration.ofSeconds(30));
    a.awaitEvent(Events.CALL_DECLINED, x -> dave.equals(x.getString("userId")) && "timeout".equals(x.getString("reason")));
    a.awaitEvent(Events.CALL_DECLINED, x -> carol.equals(x.getString("userId")) && "declined".equals(x.getString("reason")));
    a.awaitEvent(Events.CALL_ACCEPTED, x -> bob.equals(x.getString("userId")));
    d.awaitEvent(Events.CALL_MISSED, x -> id.equals(x.getString("meetingId")));
    assertThat(a.events(Events.CALL_ENDED)).filteredOn(x -> id.equals(x.getString("meetingId"))).isEmpty();

    api.leaveCall(id, bob);
    a.awaitEvent(Events.CALL_LEFT, x -> bob.equals(x.getString("userId")));
    assertThat(c.awaitEvent(Events.CALL_ENDED, x -> id.equals(x.getString("meetingId"))).getString("reason")).isEqualTo("everyone_left");
    server.awaitRows(rows -> "ended".equals(rows.get(0).getString("status")), "SELECT status FROM meetings WHERE id = $1", id);
  }

  @Test
  void midCallInviteRingsMorePeopleIntoTheSameCall() {
    String alice = user("alice");
    String bob = user("bob");
    String erin = user("erin");
    online(alice);
    WsClient b = online(bob);
    WsClient e = online(erin);
    String id = api.instantCall(alice, bob).getString("meetingId");
    b.awaitEvent(Events.CALL_INCOMING);
    b.request("call:accept", new JsonObject().put("meetingId", id));
    JsonObject invited = api.inviteToCall(id, bob, erin, "nobody-online");
    assertThat(statusOf(invited, erin)).isEqualTo("ringing");
    assertThat(statusOf(invited, "nobody-online")).isEqualTo("offline");
    JsonObject incoming = e.awaitEvent(Events.CALL_INCOMING, x -> id.equals(x.getString("meetingId")));
    assertThat(incoming.getString("invitedBy")).isEqualTo(bob);
    assertThat(e.request("call:accept", new JsonObject().put("meetingId", id)).getBoolean("ok")).isTrue();
    // answers are recorded from the outbox, right after the ring decided
    assertThat(server.awaitRows(rows -> rows.size() == 3,
            "SELECT user_id FROM meeting_participants WHERE meeting_id = $1 AND status = 'accepted'", id))
        .extracting(r -> r.getString("user_id")).containsExactlyInAnyOrder(alice, bob, erin);
    api.expect(404).inviteToCall(id, "stranger", erin);
  }

  @Test
  void callerCancelsBeforeAnyoneAnswers() {
    Ringing r = aliceRingsBob();
    assertThat(r.b().request("call:cancel", new JsonObject().put("meetingId", r.id())).getJsonObject("error").getString("code")).isEqualTo("forbidden");
    assertThat(r.a().request("call:cancel", new JsonObject().put("meetingId", r.id())).getBoolean("ok")).isTrue();
    assertThat(r.b().awaitEvent(Events.CALL_CANCELLED, x -> r.id().equals(x.getString("meetingId"))).getString("reason")).isEqualTo("caller_cancelled");
    r.b().awaitEvent(Events.CALL_ENDED, x -> r.id().equals(x.getString("meetingId")));
    assertThat(api.unreadNotifications(r.bob()).getJsonArray("items")).isNotEmpty();
    assertThat(api.cancelCall(r.id(), r.alice()).getBoolean("already")).isTrue();
  }

  @Test
  void endingTheCallThroughTheMeetingsApiStopsTheRinging() {
    Ringing r = aliceRingsBob();
    api.end(r.id(), r.alice());
    assertThat(r.b().awaitEvent(Events.CALL_CANCELLED, x -> r.id().equals(x.getString("meetingId"))).getString("reason")).isEqualTo("call_ended");
    assertThat(r.b().awaitEvent(Events.CALL_ENDED, x -> r.id().equals(x.getString("meetingId"))).getString("reason")).isEqualTo("ended_by_owner");
    assertThat(r.b().request("call:accept", new JsonObject().put("meetingId", r.id())).getJsonObject("error").getString("code")).isEqualTo("too_late");
  }

  @Test
  void aCalleeInAnotherCallIsBusy() {
    String alice = user("alice");
    String bob = user("bob");
    String dave = user("dave");
    online(alice);
    WsClient b = online(bob);
    online(dave);
    String first = api.instantCall(alice, bob).getString("meetingId");
    b.awaitEvent(Events.CALL_INCOMING);
    b.request("call:accept", new JsonObject().put("meetingId", first));
    JsonObject second = api.instantCall(dave, bob);
    assertThat(statusOf(second, bob)).isEqualTo("busy");
    b.awaitEvent(Events.CALL_MISSED, x -> second.getString("meetingId").equals(x.getString("meetingId")));
  }

  @Test
  void glare_callingSomeoneWhoIsCallingYouAnswersTheirCall() {
    Ringing r = aliceRingsBob();
    JsonObject answer = api.instantCall(r.bob(), r.alice());
    assertThat(answer.getString("meetingId")).isEqualTo(r.id());
    assertThat(answer.getBoolean("merged")).isTrue();
    r.a().awaitEvent(Events.CALL_ACCEPTED, x -> r.bob().equals(x.getString("userId")));
    assertThat(server.rows("SELECT count(*) AS n FROM meetings WHERE is_instant_call AND created_by = $1", r.bob()).get(0).getLong("n")).isZero();
  }

  @Test
  void badCallRequests() {
    String alice = user("alice");
    assertThat(server.post("/api/calls/instant", server.token(alice), new JsonObject()).statusCode()).isEqualTo(400);
    api.expect(400).instantCall(alice);
    api.expect(400).instantCall(alice, alice);
    String[] many = new String[51];
    for (int i = 0; i < many.length; i++) {
      many[i] = "u" + i;
    }
    api.expect(400).instantCall(alice, many);
    api.expect(404).callState("call_unknown", alice);
    api.expect(404).acceptCall("call_unknown", alice);
    api.expect(404).acceptCall("mtg_abc", alice);
    String id = api.instantCall(alice, user("bob")).getString("meetingId");
    api.expect(404).acceptCall(id, "mallory");
    WsClient ws = online(alice);
    assertThat(ws.request("call:accept", new JsonObject()).getJsonObject("error").getString("code")).isEqualTo("validation_failed");
  }

  @Test
  void aRingSurvivesARestartAndItsDeadlineStillFires() {
    org.junit.jupiter.api.Assumptions.assumeTrue(nodes() == 1, "a single node restarting");
    Vertx first = Vertx.vertx();
    Vertx second = Vertx.vertx();
    try {
      ManualClock shared = new ManualClock(T0);
      JsonObject config = TestServer.config(new JsonObject());
      TestServer one = TestServer.startWith(first, shared, config);
      String alice = "restart-alice";
      String bob = "restart-bob";
      WsClient b = WsClient.connect(first, one.port, one.token(bob));
      b.awaitEvent(Events.SESSION_WELCOME);
      WsClient a = WsClient.connect(first, one.port, one.token(alice));
      a.awaitEvent(Events.SESSION_WELCOME);
      String id = Api.of(one).instantCall(alice, bob).getString("meetingId");
      b.awaitEvent(Events.CALL_INCOMING);
      first.close().await();

      TestServer two = TestServer.startWith(second, shared, config);
      WsClient a2 = WsClient.connect(second, two.port, two.token(alice));
      WsClient b2 = WsClient.connect(second, two.port, two.token(bob));
      a2.awaitEvent(Events.SESSION_WELCOME);
      b2.awaitEvent(Events.SESSION_WELCOME);
      shared.advance(Duration.ofSeconds(31));
      assertThat(a2.awaitEvent(Events.CALL_DECLINED, x -> id.equals(x.getString("meetingId"))).getString("reason")).isEqualTo("timeout");
      b2.awaitEvent(Events.CALL_MISSED, x -> id.equals(x.getString("meetingId")));
    } finally {
      first.close().await();
      second.close().await();
    }
  }
}
