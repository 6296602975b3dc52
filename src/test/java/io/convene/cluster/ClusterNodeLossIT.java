package io.convene.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.protocol.Events;
import io.convene.testing.Api;
import io.convene.testing.ManualClock;
import io.convene.testing.TestServer;
import io.convene.testing.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
  private Process doomed;

  @AfterEach
  void cleanUp() {
    if (doomed != null) {
      doomed.descendants().forEach(ProcessHandle::destroyForcibly);
      doomed.destroyForcibly();
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

    doomed.descendants().forEach(ProcessHandle::destroyForcibly);
    doomed.destroyForcibly();
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
    JsonObject cluster = config.getJsonObject("cluster");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "--add-modules", "java.se",
        "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED", "--add-opens", "java.base/java.lang=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens", "java.management/sun.management=ALL-UNNAMED",
        "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
        "-jar", Path.of("target", "convene.jar").toAbsolutePath().toString()));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    var env = pb.environment();
    env.remove("CONVENE_CONFIG");
    env.put("CONVENE_CLUSTER_ENABLED", "true");
    env.put("CONVENE_CLUSTER_NAME", cluster.getString("name"));
    env.put("CONVENE_CLUSTER_MEMBERS", cluster.getString("members"));
    env.put("CONVENE_CLUSTER_HAZELCAST_PORT", String.valueOf(cluster.getInteger("hazelcastPort")));
    env.put("CONVENE_CLUSTER_HOST", "127.0.0.1");
    env.put("CONVENE_CLUSTER_MEMBER_TIMEOUT_SECONDS", "5");
    env.put("CONVENE_DB_URL", config.getJsonObject("db").getString("url"));
    env.put("CONVENE_REDIS_URL", config.getJsonObject("redis").getString("url"));
    env.put("CONVENE_REDIS_KEY_PREFIX", config.getJsonObject("redis").getString("keyPrefix"));
    env.put("CONVENE_LIVEKIT_URL", config.getJsonObject("livekit").getString("url"));
    env.put("CONVENE_LIVEKIT_API_SECRET", config.getJsonObject("livekit").getString("apiSecret"));
    env.put("CONVENE_HTTP_PORT", "0");
    env.put("CONVENE_HTTP_INSTANCES", "1");
    env.put("CONVENE_AUTH_JWT_SECRET", TestServer.SECRET);
    env.put("CONVENE_DEV_MODE", "off");
    env.put("CONVENE_PRESENCE_NODE_LEASE_SECONDS", "2");
    env.put("CONVENE_PRESENCE_HEARTBEAT_SECONDS", "600");
    env.put("CONVENE_DATA_DIR", Files.createTempDirectory("convene-doomed-").toString());
    doomed = pb.start();
    CompletableFuture<Integer> port = new CompletableFuture<>();
    StringBuilder log = new StringBuilder();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(doomed.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          log.append(line).append('\n');
          if (line.startsWith("Convene is listening on ")) {
            port.complete(Integer.parseInt(line.substring(line.lastIndexOf(':') + 1).trim()));
          }
        }
        port.completeExceptionally(new AssertionError("the third node exited:\n" + log));
      } catch (IOException e) {
        port.completeExceptionally(e);
      }
    });
    reader.setDaemon(true);
    reader.start();
    return port.get(120, TimeUnit.SECONDS);
  }
}
