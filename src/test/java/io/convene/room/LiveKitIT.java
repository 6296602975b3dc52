package io.convene.room;

import static org.assertj.core.api.Assertions.assertThat;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.interfaces.DecodedJWT;
import io.convene.protocol.Events;
import io.convene.testing.Api;
import io.convene.testing.FakeLiveKit;
import io.convene.testing.ServerTestBase;
import io.convene.testing.SignedWebhooks;
import io.convene.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class LiveKitIT extends ServerTestBase {
  private static final AtomicInteger deliveries = new AtomicInteger();
  /** The fake LiveKit and the webhook sender, in a Vert.x of their own made per class (subclasses too). */
  private static Vertx side;
  private static FakeLiveKit liveKit;
  private static WebClient hooks;

  @Override
  protected JsonObject overrides() {
    side = Vertx.vertx();
    liveKit = FakeLiveKit.start(side);
    hooks = WebClient.create(side);
    return new JsonObject().put("livekit", new JsonObject().put("url", liveKit.url())
        .put("apiKey", FakeLiveKit.KEY).put("apiSecret", FakeLiveKit.SECRET));
  }

  @AfterAll
  void stopFake() {
    side.close().await();
  }

  private static Api.MeetingDraft meeting(String owner, int startMin, String... invitees) {
    return api.meeting(owner).title("Room").from(startMin).to(startMin + 60).invite(invitees);
  }

  private static DecodedJWT token(JsonObject join) {
    return JWT.require(Algorithm.HMAC256(FakeLiveKit.SECRET)).withIssuer(FakeLiveKit.KEY).build()
        .verify(join.getString("token"));
  }

  /** Delivered to the nodes in turn, as a load balancer in front of a cluster would. */
  private static HttpResponse<Buffer> webhook(String body, String authorization) {
    int port = server.port(Math.floorMod(deliveries.getAndIncrement(), server.nodeCount()));
    var req = hooks.post(port, "127.0.0.1", "/api/livekit/webhook").putHeader("Content-Type", "application/webhook+json");
    if (authorization != null) {
      req.putHeader("Authorization", authorization);
    }
    return req.sendBuffer(Buffer.buffer(body)).await();
  }

  private static HttpResponse<Buffer> signed(String body) {
    return webhook(body, SignedWebhooks.sign(body, FakeLiveKit.KEY, FakeLiveKit.SECRET, clock.instant()));
  }

  @Test
  void tokensCarryExactlyTheGrantsOfTheRoleAndSettings() {
    String owner = user("owner");
    String member = user("member");
    String id = meeting(owner, 0, member).muteOnJoin().createId();
    JsonObject ownerJoin = api.signedIn(owner, server.token(owner, "Olga", List.of())).join(id, owner);
    assertThat(ownerJoin.getString("serverUrl")).isEqualTo(liveKit.url());
    assertThat(ownerJoin.getString("roomName")).isEqualTo(id);
    assertThat(ownerJoin.getString("identity")).isEqualTo(owner);
    DecodedJWT jwt = token(ownerJoin);
    assertThat(jwt.getSubject()).isEqualTo(owner);
    assertThat(jwt.getClaim("name").asString()).isEqualTo("Olga");
    JsonObject video = new JsonObject(jwt.getClaim("video").toString());
    assertThat(video.getBoolean("roomJoin")).isTrue();
    assertThat(video.getString("room")).isEqualTo(id);
    assertThat(video.getBoolean("canSubscribe")).isTrue();
    assertThat(video.getBoolean("canPublishData")).isTrue();
    assertThat(video.getBoolean("roomAdmin")).isTrue();
    assertThat(video.getJsonArray("canPublishSources")).containsExactly("camera", "microphone", "screen_share", "screen_share_audio");
    JsonObject metadata = new JsonObject(jwt.getClaim("metadata").asString());
    assertThat(metadata.getString("role")).isEqualTo("owner");
    assertThat(metadata.getString("meetingId")).isEqualTo(id);
    assertThat(metadata.getBoolean("guest")).isFalse();
    assertThat(metadata.getBoolean("muteOnJoin")).isTrue();
    assertThat(jwt.getExpiresAt().toInstant()).as("valid for what a join needs: ten minutes")
        .isBetween(java.time.Instant.now().plus(Duration.ofMinutes(9)), java.time.Instant.now().plus(Duration.ofMinutes(11)));
    assertThat(Duration.between(clock.instant(), java.time.Instant.parse(ownerJoin.getString("expiresAt")))).isEqualTo(Duration.ofMinutes(10));

    JsonObject memberJoin = api.join(id, member);
    JsonObject memberVideo = new JsonObject(token(memberJoin).getClaim("video").toString());
    assertThat(memberVideo.getBoolean("roomAdmin", false)).isFalse();
    assertThat(new JsonObject(token(memberJoin).getClaim("metadata").asString()).getString("role")).isEqualTo("member");

    String voice = meeting(owner, 0, member).voiceOnly().createId();
    JsonObject voiceJoin = api.join(voice, member);
    assertThat(new JsonObject(token(voiceJoin).getClaim("video").toString()).getJsonArray("canPublishSources"))
        .containsExactly("microphone");
    assertThat(voiceJoin.getJsonObject("permissions").getJsonArray("canPublishSources")).containsExactly("microphone");
  }

  @Test
  void joiningStartsTheMeetingCreatesTheRoomAndLeavingEmptiesIt() {
    String owner = user("owner");
    String member = user("member");
    String id = meeting(owner, 0, member).createId();
    WsClient ownerSocket = server.socket(owner);
    ownerSocket.awaitEvent(Events.SESSION_WELCOME);
    api.join(id, owner);
    FakeLiveKit.Call create = liveKit.await("CreateRoom", c -> id.equals(c.request().getString("name")));
    assertThat(create.grant().getBoolean("roomCreate")).isTrue();
    assertThat(server.rows("SELECT status FROM meetings WHERE id = $1", id).get(0).getString("status")).isEqualTo("in_progress");

    api.join(id, member);
    ownerSocket.awaitEvent(Events.MEETING_PARTICIPANT_JOINED, d -> member.equals(d.getString("userId")));
    assertThat(server.rows("SELECT unique_participant_count FROM meetings WHERE id = $1", id).get(0).getInteger("unique_participant_count")).isEqualTo(2);

    api.leave(id, member);
    ownerSocket.awaitEvent(Events.MEETING_PARTICIPANT_LEFT, d -> member.equals(d.getString("userId")));
    api.leave(id, owner);
    ownerSocket.awaitEvent(Events.MEETING_ENDED, d -> id.equals(d.getString("meetingId")));
    liveKit.await("DeleteRoom", c -> id.equals(c.request().getString("room")));
    assertThat(server.rows("SELECT status FROM meetings WHERE id = $1", id).get(0).getString("status")).isEqualTo("ended");
    api.expect(409).join(id, owner);
  }

  @Test
  void aCallEndedByItsRingIsTornDownLikeAMeeting() {
    String alice = user("alice");
    String bob = user("bob");
    WsClient a = server.socket(alice);
    a.awaitEvent(Events.SESSION_WELCOME);
    WsClient b = server.socket(bob);
    b.awaitEvent(Events.SESSION_WELCOME);
    String id = api.instantCall(alice, bob).getString("meetingId");
    api.join(id, alice);
    liveKit.await("CreateRoom", c -> id.equals(c.request().getString("name")));
    b.awaitEvent(Events.CALL_INCOMING, d -> id.equals(d.getString("meetingId")));

    assertThat(b.request("call:decline", new JsonObject().put("meetingId", id)).getBoolean("ok")).isTrue();
    a.awaitEvent(Events.CALL_ENDED, d -> id.equals(d.getString("meetingId")));
    assertThat(a.awaitEvent(Events.MEETING_ENDED, d -> id.equals(d.getString("meetingId"))).getString("reason"))
        .isEqualTo("call_ended");
    liveKit.await("DeleteRoom", c -> id.equals(c.request().getString("room")));
    assertThat(server.rows("SELECT status FROM meetings WHERE id = $1", id).get(0).getString("status")).isEqualTo("ended");
    server.awaitRows(List::isEmpty, "SELECT user_id FROM attendance_cycles WHERE meeting_id = $1 AND left_at IS NULL", id);
  }

  @Test
  void joinChecksMembershipTimeAndCapacity() {
    String owner = user("owner");
    String a = user("a");
    String b = user("b");
    String later = meeting(owner, 120, a).createId();
    assertThat(api.expect(409).join(later, a).getString("detail")).contains("not started");
    api.expect(404).join(later, user("stranger"));

    String small = meeting(owner, 0, a, b).maxParticipants(2).createId();
    api.join(small, owner);
    api.join(small, a);
    assertThat(api.expect(409).join(small, b).getString("code")).isEqualTo("meeting_full");
    api.join(small, a);
  }

  @Test
  void webhooksAreVerifiedBeforeParsing() {
    String owner = user("owner");
    String id = meeting(owner, 0).createId();
    String body = SignedWebhooks.event("participant_joined", id, owner);
    String good = SignedWebhooks.sign(body, FakeLiveKit.KEY, FakeLiveKit.SECRET, clock.instant());
    assertThat(webhook(body.replace(owner, "mallory"), good).statusCode()).as("tampered body").isEqualTo(401);
    assertThat(webhook(body, SignedWebhooks.sign(body, FakeLiveKit.KEY, "wrong-secret-wrong-secret", clock.instant())).statusCode()).isEqualTo(401);
    assertThat(webhook(body, SignedWebhooks.sign(body, "other-key", FakeLiveKit.SECRET, clock.instant())).statusCode()).isEqualTo(401);
    assertThat(webhook(body, null).statusCode()).isEqualTo(401);
    assertThat(webhook(body, SignedWebhooks.sign(body, FakeLiveKit.KEY, FakeLiveKit.SECRET, clock.instant().plusSeconds(60))).statusCode())
        .as("issued a minute in the future").isEqualTo(401);
    assertThat(webhook(body, "Bearer " + SignedWebhooks.sign(body, FakeLiveKit.KEY, FakeLiveKit.SECRET, clock.instant().plusSeconds(5))).statusCode())
        .as("Bearer prefix, 5 s of skew").isEqualTo(200);
    assertThat(server.rows("SELECT user_id FROM attendance_cycles WHERE meeting_id = $1 AND left_at IS NULL", id))
        .extracting(r -> r.getString("user_id")).containsExactly(owner);
    String notJson = "{not json";
    assertThat(webhook(notJson, SignedWebhooks.sign(notJson, FakeLiveKit.KEY, FakeLiveKit.SECRET, clock.instant())).statusCode()).isEqualTo(400);
  }

  @Test
  void eachEventIsProcessedOnceAndOddOrdersAreReconciled() {
    String owner = user("owner");
    String member = user("member");
    String id = meeting(owner, 0, member).createId();
    WsClient ownerSocket = server.socket(owner);
    ownerSocket.awaitEvent(Events.SESSION_WELCOME);
    String joined = SignedWebhooks.event("participant_joined", id, member);
    assertThat(signed(joined).statusCode()).isEqualTo(200);
    assertThat(signed(joined).statusCode()).as("the same delivery again").isEqualTo(200);
    ownerSocket.awaitEvent(Events.MEETING_PARTICIPANT_JOINED, d -> member.equals(d.getString("userId")));
    assertThat(server.rows("SELECT count(*) AS n FROM attendance_cycles WHERE meeting_id = $1", id).get(0).getLong("n")).isEqualTo(1);

    liveKit.inRoom(id, owner);
    assertThat(signed(SignedWebhooks.event("participant_left", id, owner)).statusCode()).as("left without joined").isEqualTo(200);
    liveKit.await("ListParticipants", c -> id.equals(c.request().getString("room")));
    ownerSocket.awaitEvent(Events.MEETING_PARTICIPANT_LEFT, d -> member.equals(d.getString("userId")));
    assertThat(server.rows("SELECT user_id FROM attendance_cycles WHERE meeting_id = $1 AND left_at IS NULL", id))
        .extracting(r -> r.getString("user_id")).as("reconciled with LiveKit: only the owner is in").containsExactly(owner);

    assertThat(signed(SignedWebhooks.event("room_finished", id, null)).statusCode()).isEqualTo(200);
    ownerSocket.awaitEvent(Events.MEETING_ENDED, d -> id.equals(d.getString("meetingId")));
    assertThat(signed(SignedWebhooks.event("room_started", id, null)).statusCode()).as("room_started after room_finished").isEqualTo(200);
    liveKit.await("DeleteRoom", c -> id.equals(c.request().getString("room")));
    assertThat(server.rows("SELECT status FROM meetings WHERE id = $1", id).get(0).getString("status")).isEqualTo("ended");
  }

  @Test
  void muteGoesThroughRoomServiceAndTellsTheMutedUser() {
    String owner = user("owner");
    String member = user("member");
    String id = meeting(owner, 0, member).createId();
    liveKit.inRoom(id, member);
    WsClient memberSocket = server.socket(member);
    memberSocket.awaitEvent(Events.SESSION_WELCOME);
    assertThat(api.expect(403).mute(id, member, owner).getString("code")).isEqualTo("forbidden");
    JsonObject muted = api.mute(id, owner, member);
    assertThat(muted.getInteger("mutedTracks")).isEqualTo(1);
    FakeLiveKit.Call call = liveKit.await("MutePublishedTrack", c -> id.equals(c.request().getString("room")));
    assertThat(call.request().getString("trackSid")).isEqualTo("TR_audio_" + member);
    assertThat(call.request().getBoolean("muted")).isTrue();
    assertThat(call.grant().getBoolean("roomAdmin")).isTrue();
    assertThat(call.grant().getString("room")).isEqualTo(id);
    memberSocket.awaitEvent(Events.MEETING_MUTED, d -> id.equals(d.getString("meetingId")));
  }

  @Test
  void tokensAreRefreshedOverTheSocketOnlyWhileThePersonIsEntitled() {
    String owner = user("owner");
    String member = user("member");
    String outsider = user("outsider");
    String id = meeting(owner, 0, member).createId();
    api.join(id, owner);
    api.join(id, member);
    WsClient memberSocket = server.socket(member);
    memberSocket.awaitEvent(Events.SESSION_WELCOME);
    JsonObject refreshed = memberSocket.request("room:refresh_token", new JsonObject().put("meetingId", id));
    assertThat(refreshed.getBoolean("ok")).as(refreshed.encode()).isTrue();
    assertThat(token(refreshed.getJsonObject("data")).getSubject()).isEqualTo(member);
    assertThat(refreshed.getJsonObject("data").getString("roomName")).isEqualTo(id);

    WsClient outsiderSocket = server.socket(outsider);
    outsiderSocket.awaitEvent(Events.SESSION_WELCOME);
    JsonObject stranger = outsiderSocket.request("room:refresh_token", new JsonObject().put("meetingId", id));
    assertThat(stranger.getJsonObject("error").getString("code")).isEqualTo("not_found");

    api.ban(id, owner, member);
    JsonObject banned = memberSocket.request("room:refresh_token", new JsonObject().put("meetingId", id));
    assertThat(banned.getBoolean("ok")).isFalse();
    assertThat(banned.getJsonObject("error").getString("code")).isEqualTo("not_found");
  }

  @Test
  void someoneNotEntitledWhomLiveKitReportsIsRemovedFromTheRoomAndNotCounted() {
    String owner = user("owner");
    String member = user("member");
    String stranger = user("stranger");
    String id = meeting(owner, 0, member).allowExternal().createId();
    api.join(id, owner);
    api.join(id, member);
    api.ban(id, owner, member);
    liveKit.await("RemoveParticipant", c -> member.equals(c.request().getString("identity")));
    long removalsOfMember = liveKit.calls().stream().filter(c -> c.method().equals("RemoveParticipant")
        && member.equals(c.request().getString("identity"))).count();

    assertThat(signed(SignedWebhooks.event("participant_joined", id, member)).statusCode()).isEqualTo(200);
    assertThat(signed(SignedWebhooks.event("participant_joined", id, stranger)).statusCode()).isEqualTo(200);
    liveKit.await("RemoveParticipant", c -> stranger.equals(c.request().getString("identity")));
    awaitRemovals(member, removalsOfMember + 1);

    var guest = api.register(api.link(id, owner).getString("token"), "Gone");
    guest.ask();
    api.admitGuest(id, owner, guest);
    guest.join();
    api.removeGuest(guest, owner);
    liveKit.await("RemoveParticipant", c -> guest.userId().equals(c.request().getString("identity")));
    assertThat(signed(SignedWebhooks.event("participant_joined", id, guest.userId())).statusCode()).isEqualTo(200);
    awaitRemovals(guest.userId(), 2);

    assertThat(server.rows("SELECT user_id FROM attendance_cycles WHERE meeting_id = $1 AND left_at IS NULL", id))
        .extracting(r -> r.getString("user_id")).as("none of them counted").containsExactly(owner);
  }

  /** Waits until LiveKit was asked {@code n} times to remove {@code identity}. */
  private static void awaitRemovals(String identity, long n) {
    long deadline = System.nanoTime() + 15_000_000_000L;
    while (liveKit.calls().stream().filter(c -> c.method().equals("RemoveParticipant")
        && identity.equals(c.request().getString("identity"))).count() < n) {
      assertThat(System.nanoTime()).as("LiveKit asked to remove " + identity + " " + n + " times").isLessThan(deadline);
      vertx.timer(20).await();
    }
  }

  @Test
  void aFailedMuteDoesNotPassOnWhatLiveKitSaid() {
    String owner = user("owner");
    String member = user("member");
    String id = meeting(owner, 0, member).createId();
    liveKit.inRoom(id, member);
    liveKit.failing(true);
    try {
      JsonObject problem = api.expect(503).mute(id, owner, member);
      assertThat(problem.getString("code")).isEqualTo("unavailable");
      assertThat(problem.encode()).doesNotContain("overloaded").doesNotContain("LiveKit is");
    } finally {
      liveKit.failing(false);
    }
  }

  @Test
  void attendanceAsJsonAndCsv() {
    String owner = user("owner");
    String member = user("member");
    String absent = user("absent");
    String id = meeting(owner, 0, member, absent).createId();
    api.join(id, owner);
    api.join(id, member);
    clock.advance(Duration.ofMinutes(20));
    api.leave(id, member);
    api.expect(403).attendance(id, member);
    JsonObject report = api.attendance(id, owner);
    JsonObject m = report.getJsonArray("items").stream().map(o -> (JsonObject) o).filter(o -> member.equals(o.getString("userId"))).findFirst().orElseThrow();
    assertThat(m.getLong("minutes")).isEqualTo(20);
    assertThat(m.getString("status")).isEqualTo("partial");
    JsonObject none = report.getJsonArray("items").stream().map(o -> (JsonObject) o).filter(o -> absent.equals(o.getString("userId"))).findFirst().orElseThrow();
    assertThat(none.getString("status")).isEqualTo("absent");
    var csv = server.get("/api/meetings/" + id + "/attendance?format=csv", server.token(owner));
    assertThat(csv.getHeader("Content-Type")).startsWith("text/csv");
    assertThat(csv.bodyAsString()).startsWith("userId,firstJoin,lastLeave,cycles,minutes,percentage,status,late\n").contains(member + ",");
    assertThat(server.get("/api/meetings/" + id + "/attendance?format=xml", server.token(owner)).statusCode()).isEqualTo(400);
    api.leave(id, owner);
  }
}
