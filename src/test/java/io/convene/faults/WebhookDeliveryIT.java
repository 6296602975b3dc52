package io.convene.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.protocol.Events;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * LiveKit's webhooks are handled at least once: a delivery that failed here is handled when LiveKit
 * sends it again, and what needs LiveKit to answer when it does not is done later, not lost. An unknown
 * answer from LiveKit is not taken for "left".
 */
@Timeout(120)
class WebhookDeliveryIT extends ServerTestBase {
  private static final Vertx SIDE = Vertx.vertx();
  private static FakeLiveKit liveKit;
  private static WebClient hooks;

  @Override
  protected JsonObject overrides() {
    liveKit = FakeLiveKit.start(SIDE);
    hooks = WebClient.create(SIDE);
    return new JsonObject()
        .put("livekit", new JsonObject().put("url", liveKit.url()).put("apiKey", FakeLiveKit.KEY)
            .put("apiSecret", FakeLiveKit.SECRET))
        .put("presence", new JsonObject().put("graceMillis", 0))
        .put("outbox", new JsonObject().put("redeliverAfterSeconds", 1).put("sweepMillis", 50));
  }

  @AfterEach
  void liveKitAnswersAgain() {
    liveKit.failing(false);
    server.rows("DROP TRIGGER IF EXISTS stays_fail ON attendance_cycles");
  }

  @AfterAll
  void stopFake() {
    liveKit.close();
    SIDE.close().await();
  }

  private static HttpResponse<Buffer> deliver(String body) {
    return hooks.post(server.port, "127.0.0.1", "/api/livekit/webhook")
        .putHeader("Content-Type", "application/webhook+json")
        .putHeader("Authorization", SignedWebhooks.sign(body, FakeLiveKit.KEY, FakeLiveKit.SECRET, clock.instant()))
        .sendBuffer(Buffer.buffer(body)).await();
  }

  private static String liveMeeting(String owner, String... invitees) {
    return json(server.post("/api/meetings", server.token(owner), new JsonObject().put("title", "Live")
        .put("startTime", at(0)).put("endTime", at(60)).put("participantIds", new io.vertx.core.json.JsonArray(
            List.of(invitees)))), 201).getString("meetingId");
  }

  @Test
  void aDeliveryThatFailedHereIsHandledWhenLiveKitSendsItAgain() {
    String owner = user("owner");
    String member = user("member");
    String id = liveMeeting(owner, member);
    // The database refuses the stay for a moment, as one that is restarting does.
    server.rows("CREATE OR REPLACE FUNCTION stays_refused() RETURNS trigger LANGUAGE plpgsql AS"
        + " $$ BEGIN RAISE EXCEPTION 'restarting' USING ERRCODE = '57P03'; END $$");
    server.rows("CREATE TRIGGER stays_fail BEFORE INSERT ON attendance_cycles FOR EACH ROW EXECUTE FUNCTION stays_refused()");
    String joined = SignedWebhooks.event("participant_joined", id, member);
    assertThat(deliver(joined).statusCode()).isEqualTo(503);
    assertThat(server.rows("SELECT 1 FROM attendance_cycles WHERE meeting_id = $1", id)).isEmpty();

    server.rows("DROP TRIGGER stays_fail ON attendance_cycles");
    assertThat(deliver(joined).statusCode()).as("LiveKit's second delivery of the same event").isEqualTo(200);
    assertThat(server.rows("SELECT user_id FROM attendance_cycles WHERE meeting_id = $1 AND left_at IS NULL", id))
        .extracting(r -> r.getString("user_id")).containsExactly(member);
    assertThat(deliver(joined).statusCode()).as("a third delivery changes nothing").isEqualTo(200);
    assertThat(server.rows("SELECT 1 FROM attendance_cycles WHERE meeting_id = $1", id)).hasSize(1);
  }

  @Test
  void aLeaveWithoutAJoinWhileLiveKitIsDownIsReconciledOnceItAnswers() {
    String owner = user("owner");
    String member = user("member");
    String id = liveMeeting(owner, member);
    WsClient ownerSocket = server.socket(owner);
    ownerSocket.awaitEvent(Events.SESSION_WELCOME);
    assertThat(deliver(SignedWebhooks.event("participant_joined", id, member)).statusCode()).isEqualTo(200);
    assertThat(deliver(SignedWebhooks.event("participant_joined", id, owner)).statusCode()).isEqualTo(200);

    liveKit.failing(true);
    assertThat(deliver(SignedWebhooks.event("participant_left", id, user("stranger"))).statusCode())
        .as("accepted and reconciled later, not a 5xx for LiveKit to repeat").isEqualTo(200);
    liveKit.failing(false);
    liveKit.inRoom(id, owner);
    clock.advance(Duration.ofSeconds(2));
    ownerSocket.awaitEvent(Events.MEETING_PARTICIPANT_LEFT, d -> member.equals(d.getString("userId")));
    assertThat(server.rows("SELECT user_id FROM attendance_cycles WHERE meeting_id = $1 AND left_at IS NULL", id))
        .extracting(r -> r.getString("user_id")).containsExactly(owner);
  }

  @Test
  void whenLiveKitCannotTellWhetherSomeoneIsInTheirLastSocketGoingIsNotALeave() {
    String owner = user("owner");
    String id = liveMeeting(owner);
    WsClient socket = server.socket(owner);
    socket.awaitEvent(Events.SESSION_WELCOME);
    json(server.post("/api/meetings/" + id + "/join", server.token(owner), null), 200);

    liveKit.failing(true);
    socket.close();
    clock.advance(Duration.ofSeconds(1));
    server.awaitRows(rows -> liveKit.count("ListParticipants") > 0, "SELECT 1");
    assertThat(server.rows("SELECT status FROM meetings WHERE id = $1", id).get(0).getString("status"))
        .as("the only participant is not taken for gone").isEqualTo("in_progress");
    assertThat(server.rows("SELECT 1 FROM attendance_cycles WHERE meeting_id = $1 AND left_at IS NULL", id)).hasSize(1);

    liveKit.failing(false);
    liveKit.inRoom(id, owner);
    clock.advance(Duration.ofSeconds(2));
    server.awaitRows(rows -> liveKit.count("ListParticipants") > 1, "SELECT 1");
    assertThat(server.rows("SELECT status FROM meetings WHERE id = $1", id).get(0).getString("status")).isEqualTo("in_progress");
  }
}
