package io.convene.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.protocol.Events;
import io.convene.testing.DoomedNode;
import io.convene.testing.ManualClock;
import io.convene.testing.TestServer;
import io.convene.testing.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A three-node cluster whose third node is a separate process killed with SIGKILL: no goodbye, no
 * cleanup. Its users turn offline within 15 s, the rings it started still time out and are reported,
 * and the surviving nodes carry on.
 */
@Timeout(240)
class ClusterNodeLossIT {
  private static final Instant T0 = Instant.now();
  private final ManualClock clock = new ManualClock(T0);
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
  }

  @Test
  void aNodeThatDiesTakesItsDevicesButNotItsRings() throws Exception {
    survivors = TestServer.startCluster(2, clock, new JsonObject()
        .put("presence", new JsonObject().put("nodeLeaseSeconds", 2).put("heartbeatSeconds", 600)));
    int doomedPort = startDoomedNode(survivors.config());

    WsClient alice = survivors.socket("alice", 0);
    alice.request("presence:subscribe", new JsonObject().put("userIds", new JsonArray().add("bob")));
    WsClient bob = WsClient.connect(survivors.vertx(), doomedPort, survivors.token("bob"));
    alice.awaitEvent(Events.PRESENCE_UPDATE, d -> "bob".equals(d.getString("userId")) && "online".equals(d.getString("status")));
    WsClient dave = survivors.socket("dave", 1);
    dave.awaitEvent(Events.SESSION_WELCOME);

    String callId = new JsonObject(send(doomedPort, "POST", "/api/calls/instant", survivors.token("alice"),
        new JsonObject().put("participantIds", new JsonArray().add("dave")).encode()).body()).getString("meetingId");
    dave.awaitEvent(Events.CALL_INCOMING, d -> callId.equals(d.getString("meetingId")));

    doomed.kill();
    long killedAt = System.nanoTime();
    bob.awaitClose();

    alice.awaitEvent(Events.PRESENCE_UPDATE, d -> "bob".equals(d.getString("userId")) && "offline".equals(d.getString("status")));
    assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).isLessThan(Duration.ofSeconds(15));

    clock.advance(Duration.ofSeconds(90));
    assertThat(alice.awaitEvent(Events.CALL_DECLINED, d -> callId.equals(d.getString("meetingId"))).getString("reason"))
        .isEqualTo("timeout");
    dave.awaitEvent(Events.CALL_MISSED, d -> callId.equals(d.getString("meetingId")));

    assertThat(survivors.get("/api/meetings", survivors.token("alice")).statusCode()).isEqualTo(200);
    assertThat(survivors.get("/api/meetings", survivors.token("dave")).statusCode()).isEqualTo(200);
    String next = new JsonObject(survivors.post("/api/calls/instant", survivors.token("alice"),
        new JsonObject().put("participantIds", new JsonArray().add("dave"))).bodyAsString()).getString("meetingId");
    dave.awaitEvent(Events.CALL_INCOMING, d -> next.equals(d.getString("meetingId")));
  }

  /** Starts the packaged server as a third cluster member in its own process; returns its HTTP port. */
  private int startDoomedNode(JsonObject config) throws Exception {
    doomed = DoomedNode.start(config, Map.of("CONVENE_PRESENCE_NODE_LEASE_SECONDS", "2",
        "CONVENE_PRESENCE_HEARTBEAT_SECONDS", "600"));
    return doomed.port();
  }

  private static HttpResponse<String> send(int port, String method, String path, String token, String body) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .method(method, HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
  }
}
