package io.convene.recording;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.protocol.Events;
import io.convene.testing.DoomedNode;
import io.convene.testing.FakeEgress;
import io.convene.testing.FakeLiveKit;
import io.convene.testing.ManualClock;
import io.convene.testing.SignedWebhooks;
import io.convene.testing.TestServer;
import io.convene.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import livekit.LivekitEgress.EgressInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A three-node cluster whose third node, a separate process, starts a recording and is killed with
 * SIGKILL while LiveKit is still answering its start: the egress runs in LiveKit, the node that asked
 * for it is gone. A surviving node picks the recording up from LiveKit's state (no second egress), and
 * it goes on as any other.
 */
@Timeout(300)
class RecordingNodeLossIT {
  private static final Instant T0 = Instant.now();
  private final ManualClock clock = new ManualClock(T0);
  private final Vertx side = Vertx.vertx();
  private FakeLiveKit liveKit;
  private TestServer survivors;
  private DoomedNode doomed;

  @AfterEach
  void cleanUp() {
    if (doomed != null) {
      doomed.kill();
    }
    if (survivors != null) {
      survivors.close();
    }
    if (liveKit != null) {
      liveKit.close();
    }
    side.close().await();
  }

  @Test
  void aRecordingWhoseNodeDiedMidStartIsPickedUpFromLiveKitsStateByASurvivor() throws Exception {
    liveKit = FakeLiveKit.start(side);
    survivors = TestServer.startCluster(2, clock, new JsonObject()
        .put("livekit", new JsonObject().put("url", liveKit.url()).put("apiKey", FakeLiveKit.KEY)
            .put("apiSecret", FakeLiveKit.SECRET))
        .put("outbox", new JsonObject().put("redeliverAfterSeconds", 1).put("sweepMillis", 50))
        .put("recordings", new JsonObject().put("startTimeoutSeconds", 3600).put("reconcileSeconds", 30)));
    doomed = DoomedNode.start(survivors.config(), Map.of());

    String owner = "owner-" + T0.toEpochMilli();
    String member = "member-" + T0.toEpochMilli();
    WsClient memberSocket = survivors.socket(member, 1);
    memberSocket.awaitEvent(Events.SESSION_WELCOME);
    String id = new JsonObject(survivors.post("/api/meetings", survivors.token(owner), new JsonObject().put("title", "Board")
        .put("startTime", Instant.now().toString()).put("endTime", Instant.now().plus(Duration.ofHours(3)).toString())
        .put("participantIds", new JsonArray().add(member))).bodyAsString()).getString("meetingId");
    assertThat(survivors.post("/api/meetings/" + id + "/join", survivors.token(owner), null).statusCode()).isEqualTo(200);

    // LiveKit takes its time to answer the start; meanwhile the node that asked dies.
    liveKit.egress().delayStarts(Duration.ofSeconds(60));
    HttpResponse<String> started = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + doomed.port() + "/api/meetings/" + id + "/recordings"))
        .POST(HttpRequest.BodyPublishers.noBody()).header("Authorization", "Bearer " + survivors.token(owner)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
    String rec = new JsonObject(started.body()).getString("recordingId");
    memberSocket.awaitEvent(Events.MEETING_RECORDING_STARTED, d -> rec.equals(d.getString("recordingId")));
    liveKit.await("StartRoomCompositeEgress", c -> c.request().encode().contains(rec));
    doomed.kill();
    doomed = null;
    liveKit.egress().delayStarts(Duration.ZERO);
    EgressInfo egress = liveKit.egress().forRecording(rec).orElseThrow();
    assertThat(survivors.rows("SELECT status, egress_id FROM recordings WHERE id = $1", rec).get(0).getString("egress_id"))
        .as("the answer never reached the node that asked").isNull();

    // The survivors' outbox and sweep catch up with the dead node's work (their clock passes its deadlines).
    clock.set(Instant.now().plus(Duration.ofMinutes(5)));
    survivors.awaitRows(rows -> egress.getEgressId().equals(rows.get(0).getString("egress_id")),
        "SELECT egress_id FROM recordings WHERE id = $1", rec);
    assertThat(liveKit.count("StartRoomCompositeEgress")).as("LiveKit's egress adopted, not a second one started")
        .isEqualTo(1);

    // The jump of the clock silenced the sockets of the time before it; the member connects again.
    memberSocket.close();
    memberSocket = survivors.socket(member, 1);
    memberSocket.awaitEvent(Events.SESSION_WELCOME);
    WebClient hooks = WebClient.create(side);
    String body = SignedWebhooks.egressEvent("egress_started", liveKit.egress().update(rec, FakeEgress.active()));
    assertThat(hooks.post(survivors.port(0), "127.0.0.1", "/api/livekit/webhook")
        .putHeader("Authorization", SignedWebhooks.sign(body, FakeLiveKit.KEY, FakeLiveKit.SECRET, clock.instant()))
        .sendBuffer(Buffer.buffer(body)).await().statusCode()).isEqualTo(200);
    survivors.awaitRows(rows -> "recording".equals(rows.get(0).getString("status")),
        "SELECT status FROM recordings WHERE id = $1", rec);

    assertThat(survivors.post("/api/meetings/" + id + "/recordings/" + rec + "/stop", survivors.token(owner), null)
        .statusCode()).isEqualTo(202);
    // The stop may first be sent to the dead node's consumer (until the cluster drops the member): the
    // outbox tries it again after its backoff, on the survivors' clock.
    for (int i = 0; i < 50 && liveKit.calls().stream().noneMatch(c -> c.method().equals("StopEgress")); i++) {
      clock.advance(Duration.ofSeconds(2));
      side.timer(200).await();
    }
    liveKit.await("StopEgress", c -> egress.getEgressId().equals(c.request().getString("egressId")));
    assertThat(memberSocket.awaitEvent(Events.MEETING_RECORDING_STOPPED, d -> rec.equals(d.getString("recordingId")))
        .getString("status")).isEqualTo("processing");
    assertThat(liveKit.count("StartRoomCompositeEgress")).isEqualTo(1);
  }
}
