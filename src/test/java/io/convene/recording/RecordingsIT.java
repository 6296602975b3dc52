package io.convene.recording;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.protocol.Events;
import io.convene.testing.FakeEgress;
import io.convene.testing.FakeLiveKit;
import io.convene.testing.ServerTestBase;
import io.convene.testing.SignedWebhooks;
import io.convene.testing.WebhookReceiver;
import io.convene.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.List;
import livekit.LivekitEgress.EgressInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Recordings end to end: the REST routes, LiveKit's Egress service over its real wire format (a fake),
 * egress webhooks signed as LiveKit signs them, the events everyone in the meeting gets, who may see a
 * recording, the sweep that gives up on silent egresses, and the stop that follows the end of a meeting
 * even while LiveKit is down.
 */
@Timeout(180)
class RecordingsIT extends ServerTestBase {
  private static final Vertx SIDE = Vertx.vertx();
  private static FakeLiveKit liveKit;
  private static WebClient hooks;
  private static WebhookReceiver receiver;

  @Override
  protected JsonObject overrides() {
    liveKit = FakeLiveKit.start(SIDE);
    hooks = WebClient.create(SIDE);
    receiver = WebhookReceiver.start(SIDE);
    return new JsonObject()
        .put("livekit", new JsonObject().put("url", liveKit.url()).put("apiKey", FakeLiveKit.KEY)
            .put("apiSecret", FakeLiveKit.SECRET))
        .put("outbox", new JsonObject().put("redeliverAfterSeconds", 1).put("sweepMillis", 50))
        .put("recordings", new JsonObject().put("startTimeoutSeconds", 60).put("reconcileSeconds", 30)
            .put("processingTimeoutMinutes", 30)
            .put("s3", new JsonObject().put("bucket", "meetings").put("region", "eu-west-1")
                .put("endpoint", "https://minio.test:9000").put("accessKey", "AKIATEST")
                .put("secret", "s3-secret-for-tests").put("forcePathStyle", true)));
  }

  @AfterEach
  void liveKitAnswersAgain() {
    liveKit.failing(false);
    liveKit.egress().refuseStarts(false);
  }

  @AfterAll
  void stopFake() {
    liveKit.close();
    receiver.close();
    SIDE.close().await();
  }

  // ---- helpers ------------------------------------------------------------------------------------

  /** A meeting from now for {@code minutes}, the owner in its room (so it is in progress). */
  private static String liveMeeting(String owner, int minutes, JsonObject extra, String... invitees) {
    String id = json(server.post("/api/meetings", server.token(owner), new JsonObject().put("title", "Recorded")
        .put("startTime", clock.instant().toString()).put("endTime", clock.instant().plusSeconds(minutes * 60L).toString())
        .put("allowExternal", true).put("participantIds", new JsonArray(List.of(invitees))).mergeIn(extra)), 201)
        .getString("meetingId");
    json(server.post("/api/meetings/" + id + "/join", server.token(owner), null), 200);
    return id;
  }

  private static void makeManager(String owner, String meetingId, String userId) {
    json(server.post("/api/meetings/" + meetingId + "/roles", server.token(owner),
        new JsonObject().put("userId", userId).put("role", "manager")), 200);
  }

  private record Guest(String sessionId, String token, WsClient socket) {}

  /** A guest let in and in the room of a live meeting. */
  private static Guest guestInRoom(String owner, String meetingId) {
    String link = json(server.post("/api/meetings/" + meetingId + "/generate-link", server.token(owner), null), 200)
        .getString("token");
    JsonObject s = json(server.post("/api/external/register", null,
        new JsonObject().put("invitationToken", link).put("displayName", "Gina")), 201);
    Guest g = new Guest(s.getString("sessionId"), s.getString("guestToken"),
        WsClient.connect(vertx, server.port, "/ws?guest_token=" + s.getString("guestToken"), null));
    g.socket().awaitEvent(Events.SESSION_WELCOME);
    json(asGuest(g, "ask"), 200);
    json(server.post("/api/meetings/" + meetingId + "/guests/" + g.sessionId() + "/admit", server.token(owner), null), 200);
    return g;
  }

  private static HttpResponse<Buffer> asGuest(Guest g, String action) {
    return server.call(HttpMethod.POST, "/api/external/session/" + g.sessionId() + "/" + action, g.token(), null);
  }

  private static WsClient socket(String userId) {
    WsClient ws = server.socket(userId);
    ws.awaitEvent(Events.SESSION_WELCOME);
    return ws;
  }

  private static String start(String meetingId, String userId) {
    JsonObject started = json(server.post("/api/meetings/" + meetingId + "/recordings", server.token(userId), null), 202);
    assertThat(started.getString("status")).isEqualTo("starting");
    return started.getString("recordingId");
  }

  /** The egress LiveKit was asked to start for a recording, once the server stored its id. */
  private static EgressInfo egressOf(String recordingId) {
    liveKit.await("StartRoomCompositeEgress", c -> c.request().encode().contains(recordingId));
    server.awaitRows(rows -> rows.get(0).getString("egress_id") != null, "SELECT egress_id FROM recordings WHERE id = $1",
        recordingId);
    return liveKit.egress().forRecording(recordingId).orElseThrow();
  }

  private static HttpResponse<Buffer> deliver(String body) {
    return hooks.post(server.port, "127.0.0.1", "/api/livekit/webhook")
        .putHeader("Content-Type", "application/webhook+json")
        .putHeader("Authorization", SignedWebhooks.sign(body, FakeLiveKit.KEY, FakeLiveKit.SECRET, clock.instant()))
        .sendBuffer(Buffer.buffer(body)).await();
  }

  /** LiveKit's recorder moves on, and LiveKit says so in a webhook. */
  private static void egressMoves(String recordingId, String event, java.util.function.UnaryOperator<EgressInfo.Builder> change) {
    assertThat(deliver(SignedWebhooks.egressEvent(event, liveKit.egress().update(recordingId, change))).statusCode())
        .isEqualTo(200);
  }

  private static String status(String recordingId) {
    return server.rows("SELECT status FROM recordings WHERE id = $1", recordingId).get(0).getString("status");
  }

  private static void awaitStatus(String recordingId, String status) {
    server.awaitRows(rows -> status.equals(rows.get(0).getString("status")), "SELECT status FROM recordings WHERE id = $1",
        recordingId);
  }

  private static JsonObject recording(String recordingId, String userId) {
    return json(server.get("/api/recordings/" + recordingId, server.token(userId)), 200);
  }

  /** A recording taken from start to a finished file. */
  private static String finishedRecording(String meetingId, String owner) {
    String rec = start(meetingId, owner);
    egressOf(rec);
    egressMoves(rec, "egress_started", FakeEgress.active());
    egressMoves(rec, "egress_ended", FakeEgress.complete("https://minio.test:9000/meetings/" + rec + ".mp4", 60, 4096));
    awaitStatus(rec, "ready");
    return rec;
  }

  // ---- tests --------------------------------------------------------------------------------------

  @Test
  void anOwnerRecordsAManagerStopsAndEveryoneInTheMeetingIsToldGuestsIncluded() {
    String owner = user("owner");
    String manager = user("manager");
    String member = user("member");
    json(server.post("/api/webhooks", server.token(user("admin"), "Admin", List.of("admin")), new JsonObject()
        .put("url", receiver.url("/ready")).put("events", new JsonArray().add("recording.ready"))), 201);
    String id = liveMeeting(owner, 120, new JsonObject(), manager, member);
    makeManager(owner, id, manager);
    WsClient memberSocket = socket(member);
    Guest guest = guestInRoom(owner, id);
    assertThat(json(asGuest(guest, "join"), 200).getJsonObject("recording").getBoolean("active")).isFalse();

    assertThat(json(server.post("/api/meetings/" + id + "/recordings", server.token(member), null), 403)
        .getString("detail")).contains("record");
    String rec = start(id, owner);

    FakeLiveKit.Call call = liveKit.await("StartRoomCompositeEgress", c -> c.request().encode().contains(rec));
    assertThat(call.grant().getBoolean("roomRecord")).as("the Egress service needs the roomRecord grant").isTrue();
    assertThat(call.request().getString("roomName")).isEqualTo(id);
    JsonObject output = call.request().getJsonArray("fileOutputs").getJsonObject(0);
    assertThat(output.getString("filepath")).isEqualTo("recordings/" + id + "/" + rec + ".mp4");
    assertThat(output.getString("fileType")).isEqualTo("MP4");
    JsonObject s3 = output.getJsonObject("s3");
    assertThat(s3.getString("bucket")).isEqualTo("meetings");
    assertThat(s3.getString("region")).isEqualTo("eu-west-1");
    assertThat(s3.getString("endpoint")).isEqualTo("https://minio.test:9000");
    assertThat(s3.getString("accessKey")).isEqualTo("AKIATEST");
    assertThat(s3.getString("secret")).isEqualTo("s3-secret-for-tests");
    assertThat(s3.getBoolean("forcePathStyle")).isTrue();

    JsonObject told = memberSocket.awaitEvent(Events.MEETING_RECORDING_STARTED, d -> rec.equals(d.getString("recordingId")));
    assertThat(told.getString("meetingId")).isEqualTo(id);
    assertThat(told.getString("startedBy")).isEqualTo(owner);
    assertThat(told.getBoolean("auto")).isFalse();
    guest.socket().awaitEvent(Events.MEETING_RECORDING_STARTED, d -> rec.equals(d.getString("recordingId")));

    JsonObject second = json(server.post("/api/meetings/" + id + "/recordings", server.token(manager), null), 409);
    assertThat(second.getString("code")).isEqualTo("conflict");
    assertThat(second.getString("detail")).as("names the running recording").contains(rec);

    JsonObject memberJoin = json(server.post("/api/meetings/" + id + "/join", server.token(member), null), 200);
    assertThat(memberJoin.getJsonObject("recording").getBoolean("active")).isTrue();
    assertThat(memberJoin.getJsonObject("recording").getString("recordingId")).isEqualTo(rec);
    assertThat(json(asGuest(guest, "join"), 200).getJsonObject("recording").getString("recordingId")).isEqualTo(rec);

    EgressInfo egress = egressOf(rec);
    egressMoves(rec, "egress_started", FakeEgress.active());
    awaitStatus(rec, "recording");
    assertThat(recording(rec, member).getString("status")).isEqualTo("recording");

    json(server.post("/api/meetings/" + id + "/recordings/" + rec + "/stop", server.token(member), null), 403);
    JsonObject stopping = json(server.post("/api/meetings/" + id + "/recordings/" + rec + "/stop", server.token(manager), null), 202);
    assertThat(stopping.getBoolean("stopRequested")).isTrue();
    FakeLiveKit.Call stop = liveKit.await("StopEgress", c -> egress.getEgressId().equals(c.request().getString("egressId")));
    assertThat(stop.grant().getBoolean("roomRecord")).isTrue();
    JsonObject stopped = memberSocket.awaitEvent(Events.MEETING_RECORDING_STOPPED, d -> rec.equals(d.getString("recordingId")));
    assertThat(stopped.getString("status")).isEqualTo("processing");
    assertThat(stopped.getString("reason")).isEqualTo("stopped");
    assertThat(stopped.getString("stoppedBy")).isEqualTo(manager);
    guest.socket().awaitEvent(Events.MEETING_RECORDING_STOPPED, d -> rec.equals(d.getString("recordingId")));
    assertThat(status(rec)).isEqualTo("processing");
    assertThat(json(server.post("/api/meetings/" + id + "/recordings/" + rec + "/stop", server.token(owner), null), 409)
        .getString("code")).isEqualTo("invalid_state");
    assertThat(json(server.post("/api/meetings/" + id + "/join", server.token(member), null), 200)
        .getJsonObject("recording").getBoolean("active")).as("processing is not recording").isFalse();

    egressMoves(rec, "egress_ended", FakeEgress.complete("https://minio.test:9000/meetings/" + rec + ".mp4", 95, 7_340_032));
    awaitStatus(rec, "ready");
    JsonObject ready = recording(rec, owner);
    assertThat(ready.getString("location")).isEqualTo("https://minio.test:9000/meetings/" + rec + ".mp4");
    assertThat(ready.getDouble("durationSeconds")).isEqualTo(95.0);
    assertThat(ready.getLong("sizeBytes")).isEqualTo(7_340_032L);
    assertThat(ready.getString("error")).isNull();
    assertThat(ready.getString("startedAt")).isNotNull();
    JsonObject hook = receiver.await("/ready", got -> got.stream().anyMatch(r -> r.body().contains(rec))).stream()
        .filter(r -> r.body().contains(rec)).findFirst().orElseThrow().json();
    assertThat(hook.getString("type")).isEqualTo("recording.ready");
    assertThat(hook.getJsonObject("data").getString("meetingId")).isEqualTo(id);
    assertThat(hook.getJsonObject("data").getString("location")).isEqualTo(ready.getString("location"));
    assertThat(hook.getJsonObject("data").getLong("durationSeconds")).isEqualTo(95L);
    assertThat(hook.getJsonObject("data").getLong("sizeBytes")).isEqualTo(7_340_032L);
    assertThat(server.rows("SELECT action, actor_id, details->>'recordingId' AS rec FROM audit_log"
            + " WHERE meeting_id = $1 AND action LIKE 'recording.%' ORDER BY id", id))
        .extracting(r -> r.getString("action") + " " + r.getString("actor_id") + " " + r.getString("rec"))
        .containsExactly("recording.started " + owner + " " + rec, "recording.stopped " + manager + " " + rec);

    clock.advance(Duration.ofSeconds(1));
    String next = start(id, manager);
    assertThat(next).as("a new recording may start once the last one stopped").isNotEqualTo(rec);
    JsonObject list = json(server.get("/api/meetings/" + id + "/recordings", server.token(member)), 200);
    assertThat(list.getJsonArray("items").stream().map(o -> ((JsonObject) o).getString("recordingId"))).containsExactly(rec, next);
    JsonObject page = json(server.get("/api/meetings/" + id + "/recordings?limit=1", server.token(member)), 200);
    assertThat(page.getJsonArray("items")).hasSize(1);
    JsonObject rest = json(server.get("/api/meetings/" + id + "/recordings?limit=1&cursor=" + page.getString("nextCursor"),
        server.token(member)), 200);
    assertThat(rest.getJsonArray("items").getJsonObject(0).getString("recordingId")).isEqualTo(next);
    assertThat(rest.containsKey("nextCursor")).isFalse();
    guest.socket().close();
  }

  @Test
  void autoRecordStartsOneRecordingWhenTheMeetingStarts() {
    String owner = user("owner");
    String member = user("member");
    String id = json(server.post("/api/meetings", server.token(owner), new JsonObject().put("title", "Auto")
        .put("startTime", clock.instant().plusSeconds(3600).toString())
        .put("endTime", clock.instant().plusSeconds(7200).toString())
        .put("participantIds", new JsonArray().add(member))
        .put("settings", new JsonObject().put("autoRecord", true))), 201).getString("meetingId");
    JsonObject settings = json(server.get("/api/meetings/" + id, server.token(member)), 200).getJsonObject("settings");
    assertThat(settings.getBoolean("autoRecord")).isTrue();
    assertThat(settings.getString("recordingAccess")).isEqualTo("participants");
    WsClient memberSocket = socket(member);

    json(server.post("/api/meetings/" + id + "/start", server.token(owner), null), 200);
    JsonObject told = memberSocket.awaitEvent(Events.MEETING_RECORDING_STARTED, d -> id.equals(d.getString("meetingId")));
    assertThat(told.getBoolean("auto")).isTrue();
    assertThat(told.getString("startedBy")).isNull();
    String rec = told.getString("recordingId");
    egressOf(rec);
    JsonObject r = recording(rec, owner);
    assertThat(r.getBoolean("auto")).isTrue();
    assertThat(r.getString("status")).isEqualTo("starting");

    // The same command again (the outbox carried it out twice): still one automatic recording.
    server.rows("INSERT INTO outbox (kind, payload, created_at, next_attempt_at) VALUES ('command', $1, $2, $2)",
        new JsonObject().put("address", "convene.recording.autostart").put("body", new JsonObject().put("meetingId", id)),
        clock.instant().atOffset(java.time.ZoneOffset.UTC));
    server.awaitRows(List::isEmpty, "SELECT id FROM outbox WHERE payload->'body'->>'meetingId' = $1"
        + " AND payload->>'address' = 'convene.recording.autostart'", id);
    assertThat(server.rows("SELECT id FROM recordings WHERE meeting_id = $1", id)).hasSize(1);

    String plain = liveMeeting(owner, 60, new JsonObject());
    JsonObject patched = json(server.patch("/api/meetings/" + plain + "/settings", server.token(owner),
        new JsonObject().put("autoRecord", true).put("recordingAccess", "owners")), 200);
    assertThat(patched.getJsonObject("settings").getBoolean("autoRecord")).isTrue();
    assertThat(patched.getJsonObject("settings").getString("recordingAccess")).isEqualTo("owners");
    assertThat(server.rows("SELECT id FROM recordings WHERE meeting_id = $1", plain))
        .as("turning it on later does not start one; the meeting is already in progress").isEmpty();
  }

  @Test
  void egressWebhooksOutOfOrderAndRepeatedOnlyEverMoveTheStatusForwards() {
    String owner = user("owner");
    String member = user("member");
    String id = liveMeeting(owner, 120, new JsonObject(), member);
    WsClient memberSocket = socket(member);
    String rec = start(id, owner);
    EgressInfo starting = egressOf(rec);
    EgressInfo active = liveKit.egress().update(rec, FakeEgress.active());
    EgressInfo ending = liveKit.egress().update(rec, b -> b.setStatus(livekit.LivekitEgress.EgressStatus.EGRESS_ENDING));
    EgressInfo complete = liveKit.egress().update(rec, FakeEgress.complete("/out/" + rec + ".mp4", 30, 2048));

    String ended = SignedWebhooks.egressEvent("egress_ended", complete);
    assertThat(deliver(ended).statusCode()).as("the end arrives first").isEqualTo(200);
    awaitStatus(rec, "ready");
    JsonObject stopped = memberSocket.awaitEvent(Events.MEETING_RECORDING_STOPPED, d -> rec.equals(d.getString("recordingId")));
    assertThat(stopped.getString("status")).isEqualTo("ready");
    assertThat(stopped.getString("reason")).isEqualTo("egress_ended");

    assertThat(deliver(SignedWebhooks.egressEvent("egress_updated", ending)).statusCode()).isEqualTo(200);
    assertThat(deliver(SignedWebhooks.egressEvent("egress_started", active)).statusCode()).isEqualTo(200);
    assertThat(deliver(SignedWebhooks.egressEvent("egress_started", starting)).statusCode()).isEqualTo(200);
    assertThat(deliver(ended).statusCode()).as("the same delivery again").isEqualTo(200);
    assertThat(deliver(SignedWebhooks.egressEvent("egress_ended", complete)).statusCode()).as("the same news, a new event id")
        .isEqualTo(200);
    assertThat(status(rec)).isEqualTo("ready");
    JsonObject r = recording(rec, member);
    assertThat(r.getString("location")).isEqualTo("/out/" + rec + ".mp4");
    assertThat(r.getDouble("durationSeconds")).isEqualTo(30.0);

    // An event after all of those: the stop was announced exactly once.
    String next = start(id, owner);
    memberSocket.awaitEvent(Events.MEETING_RECORDING_STARTED, d -> next.equals(d.getString("recordingId")));
    assertThat(memberSocket.events(Events.MEETING_RECORDING_STOPPED).stream()
        .filter(d -> rec.equals(d.getString("recordingId")))).hasSize(1);

    String unknown = SignedWebhooks.egressEvent("egress_ended", complete.toBuilder().setEgressId("EG_not_ours")
        .setRoomName("some-other-room").build());
    assertThat(deliver(unknown).statusCode()).as("an egress that is not ours is ignored").isEqualTo(200);
  }

  @Test
  void whoSeesARecordingFollowsTheMeetingsRecordingAccess() {
    String owner = user("owner");
    String manager = user("manager");
    String member = user("member");
    String stranger = user("stranger");
    String admin = user("admin");
    String id = liveMeeting(owner, 120, new JsonObject(), manager, member);
    makeManager(owner, id, manager);
    Guest guest = guestInRoom(owner, id);
    String rec = finishedRecording(id, owner);

    record Seen(String access, boolean owner, boolean manager, boolean member, boolean stranger, boolean guest) {}
    for (Seen expected : List.of(
        new Seen("owners", true, true, false, false, false),
        new Seen("participants", true, true, true, false, false),
        new Seen("public", true, true, true, true, true))) {
      json(server.patch("/api/meetings/" + id + "/settings", server.token(owner),
          new JsonObject().put("recordingAccess", expected.access())), 200);
      String a = expected.access();
      assertThat(server.get("/api/recordings/" + rec, server.token(owner)).statusCode()).as("owner, %s", a)
          .isEqualTo(expected.owner() ? 200 : 404);
      assertThat(server.get("/api/recordings/" + rec, server.token(manager)).statusCode()).as("manager, %s", a)
          .isEqualTo(expected.manager() ? 200 : 404);
      assertThat(server.get("/api/recordings/" + rec, server.token(member)).statusCode()).as("member, %s", a)
          .isEqualTo(expected.member() ? 200 : 404);
      assertThat(server.get("/api/recordings/" + rec, server.token(stranger)).statusCode()).as("stranger, %s", a)
          .isEqualTo(expected.stranger() ? 200 : 404);
      assertThat(server.get("/api/recordings/" + rec, guest.token()).statusCode()).as("guest, %s", a)
          .isEqualTo(expected.guest() ? 200 : 404);
      assertThat(server.get("/api/recordings/" + rec, server.token(admin, "Admin", List.of("admin"))).statusCode())
          .as("admin, %s", a).isEqualTo(200);

      assertThat(server.get("/api/meetings/" + id + "/recordings", server.token(owner)).statusCode()).isEqualTo(200);
      assertThat(server.get("/api/meetings/" + id + "/recordings", server.token(manager)).statusCode())
          .isEqualTo(expected.manager() ? 200 : 404);
      assertThat(server.get("/api/meetings/" + id + "/recordings", server.token(member)).statusCode()).as("member list, %s", a)
          .isEqualTo(expected.member() ? 200 : 404);
      assertThat(server.get("/api/meetings/" + id + "/recordings", server.token(stranger)).statusCode())
          .as("the meeting stays hidden from strangers").isEqualTo(404);
      assertThat(server.get("/api/meetings/" + id + "/recordings", guest.token()).statusCode())
          .as("guests do not list a meeting's recordings (member routes refuse guest tokens)").isEqualTo(403);
    }
    JsonObject unknown = json(server.get("/api/recordings/rec_AAAAAAAAAAAAAAAAAAAAAA", server.token(owner)), 404);
    assertThat(unknown.getString("code")).isEqualTo("not_found");
    json(server.get("/api/recordings/" + rec, null), 401);

    assertThat(json(server.delete("/api/recordings/" + rec, server.token(stranger), null), 403).getString("code"))
        .isEqualTo("forbidden");
    json(server.delete("/api/recordings/" + rec, server.token(manager), null), 403);
    json(server.delete("/api/recordings/" + rec, guest.token(), null), 403);
    assertThat(server.delete("/api/recordings/" + rec, server.token(owner), null).statusCode()).isEqualTo(204);
    json(server.get("/api/recordings/" + rec, server.token(owner)), 404);
    json(server.delete("/api/recordings/" + rec, server.token(owner), null), 404);
    guest.socket().close();
  }

  @Test
  void aRecordingWhoseEgressStaysSilentFailsAndLiveKitIsToldToStopIt() {
    String owner = user("owner");
    String member = user("member");
    String id = liveMeeting(owner, 120, new JsonObject(), member);
    WsClient memberSocket = socket(member);
    String rec = start(id, owner);
    EgressInfo egress = egressOf(rec);

    clock.advance(Duration.ofSeconds(30));
    server.awaitRows(rows -> liveKit.calls().stream().anyMatch(c -> c.method().equals("ListEgress")
        && egress.getEgressId().equals(c.request().getString("egressId"))), "SELECT 1");
    assertThat(status(rec)).as("LiveKit still says it is starting; its deadline has not come").isEqualTo("starting");

    clock.advance(Duration.ofSeconds(31));
    JsonObject stopped = memberSocket.awaitEvent(Events.MEETING_RECORDING_STOPPED, d -> rec.equals(d.getString("recordingId")));
    assertThat(stopped.getString("status")).isEqualTo("failed");
    assertThat(stopped.getString("reason")).isEqualTo("failed");
    assertThat(stopped.getString("error")).contains("did not start");
    liveKit.await("StopEgress", c -> egress.getEgressId().equals(c.request().getString("egressId")));
    assertThat(recording(rec, owner).getString("error")).contains("did not start");

    // LiveKit's late news about a recording given up on changes nothing; its egress is stopped again.
    assertThat(deliver(SignedWebhooks.egressEvent("egress_started", liveKit.egress().get(egress.getEgressId())
        .toBuilder().setStatus(livekit.LivekitEgress.EgressStatus.EGRESS_ACTIVE).build())).statusCode()).isEqualTo(200);
    assertThat(status(rec)).isEqualTo("failed");
    assertThat(start(id, owner)).as("the meeting may be recorded again").isNotEqualTo(rec);
  }

  @Test
  void aRecordingLiveKitForgotFailsWhenTheSweepAsks() {
    String owner = user("owner");
    String id = liveMeeting(owner, 120, new JsonObject());
    WsClient ownerSocket = socket(owner);
    String rec = start(id, owner);
    EgressInfo egress = egressOf(rec);
    egressMoves(rec, "egress_started", FakeEgress.active());
    awaitStatus(rec, "recording");

    clock.advance(Duration.ofSeconds(31));
    server.awaitRows(rows -> liveKit.calls().stream().filter(c -> c.method().equals("ListEgress")
        && egress.getEgressId().equals(c.request().getString("egressId"))).count() >= 1, "SELECT 1");
    assertThat(status(rec)).as("LiveKit says it records: it does").isEqualTo("recording");

    liveKit.egress().forget(egress.getEgressId());
    clock.advance(Duration.ofSeconds(31));
    JsonObject stopped = ownerSocket.awaitEvent(Events.MEETING_RECORDING_STOPPED, d -> rec.equals(d.getString("recordingId")));
    assertThat(stopped.getString("error")).contains("no longer knows");
    assertThat(status(rec)).isEqualTo("failed");
  }

  @Test
  void endingTheMeetingStopsItsRecordingOnceLiveKitAnswersAgain() {
    String owner = user("owner");
    String member = user("member");
    String id = liveMeeting(owner, 120, new JsonObject(), member);
    WsClient memberSocket = socket(member);
    String rec = start(id, owner);
    EgressInfo egress = egressOf(rec);
    egressMoves(rec, "egress_started", FakeEgress.active());
    awaitStatus(rec, "recording");

    liveKit.failing(true);
    json(server.post("/api/meetings/" + id + "/end", server.token(owner), null), 200);
    memberSocket.awaitEvent(Events.MEETING_ENDED, d -> id.equals(d.getString("meetingId")));
    liveKit.await("ListEgress", c -> c.request().getBoolean("refused", false));
    JsonObject row = server.awaitRows(rows -> rows.get(0).getString("stop_reason") != null,
        "SELECT status, stop_reason, stop_requested_at FROM recordings WHERE id = $1", rec).get(0);
    assertThat(row.getString("status")).as("LiveKit did not answer: still recording as far as anyone knows")
        .isEqualTo("recording");
    assertThat(row.getString("stop_reason")).isEqualTo("meeting_ended");
    assertThat(server.rows("SELECT 1 FROM outbox WHERE payload->>'address' = 'convene.recording.stop'"
        + " AND payload->'body'->>'recordingId' = $1", rec)).as("the stop waits in the outbox").hasSize(1);

    liveKit.failing(false);
    for (int i = 0; i < 20 && liveKit.calls().stream().noneMatch(c -> c.method().equals("StopEgress")
        && egress.getEgressId().equals(c.request().getString("egressId"))); i++) {
      clock.advance(Duration.ofMinutes(1));
      vertx.timer(200).await();
    }
    liveKit.await("StopEgress", c -> egress.getEgressId().equals(c.request().getString("egressId")));
    JsonObject stopped = memberSocket.awaitEvent(Events.MEETING_RECORDING_STOPPED, d -> rec.equals(d.getString("recordingId")));
    assertThat(stopped.getString("reason")).isEqualTo("meeting_ended");
    assertThat(stopped.getString("status")).isEqualTo("processing");
    server.awaitRows(List::isEmpty, "SELECT id FROM outbox WHERE payload->'body'->>'recordingId' = $1", rec);
  }

  @Test
  void aStartLiveKitRefusesFailsTheRecording() {
    String owner = user("owner");
    String id = liveMeeting(owner, 120, new JsonObject());
    WsClient ownerSocket = socket(owner);
    liveKit.egress().refuseStarts(true);
    String rec = start(id, owner);
    JsonObject stopped = ownerSocket.awaitEvent(Events.MEETING_RECORDING_STOPPED, d -> rec.equals(d.getString("recordingId")));
    assertThat(stopped.getString("status")).isEqualTo("failed");
    assertThat(stopped.getString("error")).contains("refused");
    server.awaitRows(List::isEmpty, "SELECT id FROM outbox WHERE payload->'body'->>'recordingId' = $1", rec);
  }

  @Test
  void twoStartsAtTheSameMomentStartOneRecording() {
    String owner = user("owner");
    String manager = user("manager");
    String id = liveMeeting(owner, 120, new JsonObject(), manager);
    makeManager(owner, id, manager);
    var first = java.util.concurrent.CompletableFuture.supplyAsync(() ->
        server.post("/api/meetings/" + id + "/recordings", server.token(owner), null));
    var second = java.util.concurrent.CompletableFuture.supplyAsync(() ->
        server.post("/api/meetings/" + id + "/recordings", server.token(manager), null));
    List<Integer> statuses = java.util.stream.Stream.of(first.join(), second.join()).map(HttpResponse::statusCode).sorted()
        .toList();
    assertThat(statuses).containsExactly(202, 409);
    assertThat(server.rows("SELECT id FROM recordings WHERE meeting_id = $1", id)).hasSize(1);
  }

  @Test
  void badInputGetsAClearAnswer() {
    String owner = user("owner");
    String member = user("member");
    String stranger = user("stranger");
    String id = liveMeeting(owner, 120, new JsonObject(), member);
    String other = liveMeeting(owner, 120, new JsonObject());
    String rec = finishedRecording(id, owner);

    json(server.post("/api/meetings/mtg_doesnotexist/recordings", server.token(owner), null), 404);
    json(server.post("/api/meetings/not-a-meeting/recordings", server.token(owner), null), 404);
    json(server.post("/api/meetings/" + id + "/recordings", server.token(stranger), null), 404);
    json(server.get("/api/meetings/" + id + "/recordings", server.token(stranger)), 404);
    json(server.post("/api/meetings/" + id + "/recordings", null, null), 401);
    json(server.post("/api/meetings/" + other + "/recordings/" + rec + "/stop", server.token(owner), null), 404);
    json(server.post("/api/meetings/" + id + "/recordings/rec_unknown/stop", server.token(owner), null), 404);
    json(server.post("/api/meetings/" + id + "/recordings/rec_AAAAAAAAAAAAAAAAAAAAAA/stop", server.token(owner), null), 404);
    assertThat(json(server.post("/api/meetings/" + id + "/recordings/" + rec + "/stop", server.token(owner), null), 409)
        .getString("detail")).contains("ready");
    json(server.get("/api/recordings/not-a-recording", server.token(owner)), 404);
    json(server.delete("/api/recordings/rec_AAAAAAAAAAAAAAAAAAAAAA", server.token(owner), null), 404);

    assertThat(json(server.get("/api/meetings/" + id + "/recordings?limit=0", server.token(owner)), 400)
        .getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo("limit");
    json(server.get("/api/meetings/" + id + "/recordings?limit=lots", server.token(owner)), 400);
    assertThat(json(server.get("/api/meetings/" + id + "/recordings?cursor=nonsense", server.token(owner)), 400)
        .getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo("cursor");

    String later = json(server.post("/api/meetings", server.token(owner), new JsonObject().put("title", "Later")
        .put("startTime", clock.instant().plusSeconds(7200).toString())
        .put("endTime", clock.instant().plusSeconds(10800).toString())), 201).getString("meetingId");
    assertThat(json(server.post("/api/meetings/" + later + "/recordings", server.token(owner), null), 409)
        .getString("code")).isEqualTo("invalid_state");

    String running = start(id, owner);
    egressOf(running);
    assertThat(json(server.delete("/api/recordings/" + running, server.token(owner), null), 409).getString("code"))
        .isEqualTo("invalid_state");

    JsonObject badAccess = json(server.patch("/api/meetings/" + id + "/settings", server.token(owner),
        new JsonObject().put("recordingAccess", "everyone")), 400);
    assertThat(badAccess.getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo("recordingAccess");
    JsonObject badAuto = json(server.patch("/api/meetings/" + id + "/settings", server.token(owner),
        new JsonObject().put("autoRecord", "yes")), 400);
    assertThat(badAuto.getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo("autoRecord");
    JsonObject badCreate = json(server.post("/api/meetings", server.token(owner), new JsonObject().put("title", "X")
        .put("startTime", clock.instant().toString()).put("endTime", clock.instant().plusSeconds(600).toString())
        .put("settings", new JsonObject().put("recordingAccess", 3))), 400);
    assertThat(badCreate.getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo("settings.recordingAccess");
    json(server.patch("/api/meetings/" + id + "/settings", server.token(member),
        new JsonObject().put("recordingAccess", "public")), 403);
  }

  @Test
  void recordingsArePurgedWithTheirMeeting() {
    String owner = user("owner");
    String id = liveMeeting(owner, 30, new JsonObject());
    String rec = finishedRecording(id, owner);
    json(server.post("/api/meetings/" + id + "/end", server.token(owner), null), 200);
    assertThat(json(server.patch("/api/meetings/" + id + "/settings", server.token(owner),
        new JsonObject().put("recordingAccess", "public")), 200).getJsonObject("settings").getString("recordingAccess"))
        .as("who sees the recordings still changes after the meeting").isEqualTo("public");
    assertThat(json(server.patch("/api/meetings/" + id + "/settings", server.token(owner),
        new JsonObject().put("recordingAccess", "owners").put("voiceOnly", true)), 409).getString("code"))
        .isEqualTo("invalid_state");
    clock.advance(Duration.ofHours(9));
    server.awaitRows(List::isEmpty, "SELECT id FROM meetings WHERE id = $1", id);
    assertThat(server.rows("SELECT id FROM recordings WHERE id = $1", rec)).isEmpty();
    assertThat(liveKit.egress().forRecording(rec)).as("the file is LiveKit's; Convene only forgets the row").isPresent();
  }
}
