package io.convene.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.protocol.Events;
import io.convene.testing.Api;
import io.convene.testing.DoomedNode;
import io.convene.testing.ManualClock;
import io.convene.testing.TestServer;
import io.convene.testing.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A three-node cluster whose third node is a separate process killed with SIGKILL: no goodbye, no
 * cleanup. Its users turn offline within 15 s, the rings it started still time out and are reported, a
 * guest who knocked through it is still in the lobby and can be let in, and the surviving nodes carry on.
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
  void aNodeThatDiesTakesItsDevicesButNotItsRingsNorItsLobby() throws Exception {
    survivors = TestServer.startCluster(2, clock, new JsonObject()
        .put("presence", new JsonObject().put("nodeLeaseSeconds", 2).put("heartbeatSeconds", 600)));
    int doomedPort = startDoomedNode(survivors.config());

    WsClient alice = survivors.socket("alice", 0);
    alice.request("presence:subscribe", new JsonObject().put("userIds", new JsonArray().add("bob")));
    WsClient bob = WsClient.connect(survivors.vertx(), doomedPort, survivors.token("bob"));
    alice.awaitEvent(Events.PRESENCE_UPDATE, d -> "bob".equals(d.getString("userId")) && "online".equals(d.getString("status")));
    WsClient dave = survivors.socket("dave", 1);
    dave.awaitEvent(Events.SESSION_WELCOME);

    // A guest knocks through the doomed node while the host is in the meeting.
    Api api = Api.of(survivors);
    Api throughDoomed = Api.at(survivors.vertx(), doomedPort, survivors::token);
    String meetingId = api.meeting("erin").title("Open").from(T0).to(T0.plusSeconds(3600)).allowExternal().createId();
    WsClient erin = survivors.socket("erin", 0);
    erin.awaitEvent(Events.SESSION_WELCOME);
    api.join(meetingId, "erin");
    Api.Guest gus = throughDoomed.register(api.link(meetingId, "erin").getString("token"), "Gus");
    gus.ask();
    erin.awaitEvent(Events.MEETING_GUEST_WAITING, d -> gus.sessionId().equals(d.getString("sessionId")));

    String callId = throughDoomed.instantCall("alice", "dave").getString("meetingId");
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

    JsonObject lobby = api.waitingRoom(meetingId, "erin");
    assertThat(lobby.getJsonArray("guests").getJsonObject(0).getString("sessionId")).isEqualTo(gus.sessionId());
    WsClient gusSocket = WsClient.connect(survivors.vertx(), survivors.port(1), "/ws?guest_token=" + gus.token(), null);
    gusSocket.awaitEvent(Events.SESSION_WELCOME);
    api.admitGuest(meetingId, "erin", gus);
    gusSocket.awaitEvent(Events.MEETING_GUEST_ADMITTED, d -> gus.sessionId().equals(d.getString("sessionId")));
    assertThat(gus.via(api).join().getString("token")).isNotBlank();

    api.list("alice", "");
    api.list("dave", "");
    String next = api.instantCall("alice", "dave").getString("meetingId");
    dave.awaitEvent(Events.CALL_INCOMING, d -> next.equals(d.getString("meetingId")));
  }

  /** Starts the packaged server as a third cluster member in its own process; returns its HTTP port. */
  private int startDoomedNode(JsonObject config) throws Exception {
    doomed = DoomedNode.start(config, Map.of("CONVENE_PRESENCE_NODE_LEASE_SECONDS", "2",
        "CONVENE_PRESENCE_HEARTBEAT_SECONDS", "600"));
    return doomed.port();
  }
}
