package io.convene.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.bus.Addresses;
import io.convene.testing.ManualClock;
import io.convene.testing.TestServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A connection storm: 5,000 sockets (2,500 users with two devices each) connect at once, spread over
 * three nodes; every one ends up registered and reachable, and each gets an event exactly once.
 */
@Timeout(300)
class ClusterStormIT {
  private static final int USERS = 2500;
  private static final int DEVICES = 2;
  private static final int BATCH = 500;

  private final Vertx clients = Vertx.vertx();
  private TestServer cluster;

  @AfterEach
  void cleanUp() {
    clients.close().await();
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void fiveThousandSocketsConnectAtOnceAndAreAllReachable() throws Exception {
    cluster = TestServer.startCluster(3, new ManualClock(Instant.now()), new JsonObject()
        .put("gateway", new JsonObject().put("rateBurst", 1000)));
    WebSocketClient client = clients.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(20_000)
        .setConnectTimeout(30_000));
    int sockets = USERS * DEVICES;
    AtomicIntegerArray welcomed = new AtomicIntegerArray(sockets);
    AtomicIntegerArray received = new AtomicIntegerArray(sockets);
    CountDownLatch allWelcomed = new CountDownLatch(sockets);
    CountDownLatch allReceived = new CountDownLatch(sockets);
    List<WebSocket> open = new ArrayList<>();
    List<String> tokens = IntStream.range(0, USERS).mapToObj(u -> cluster.token("storm-" + u)).toList();

    long start = System.nanoTime();
    for (int from = 0; from < sockets; from += BATCH) {
      List<Future<WebSocket>> batch = new ArrayList<>();
      for (int i = from; i < Math.min(sockets, from + BATCH); i++) {
        int socket = i;
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1")
            .setPort(cluster.port(i % cluster.nodeCount())).setURI("/ws")
            .addHeader("Authorization", "Bearer " + tokens.get(i % USERS));
        // the handler is in place before the upgrade: a welcome right behind the 101 is not missed
        ClientWebSocket ws = client.webSocket();
        ws.textMessageHandler(text -> {
          String type = new JsonObject(text).getString("type");
          if ("session:welcome".equals(type) && welcomed.incrementAndGet(socket) == 1) {
            allWelcomed.countDown();
          } else if ("test:storm".equals(type) && received.incrementAndGet(socket) == 1) {
            allReceived.countDown();
          }
        });
        batch.add(ws.connect(options));
      }
      open.addAll(Future.all(batch).await().list());
    }
    assertThat(allWelcomed.await(60, TimeUnit.SECONDS)).as("every socket registered").isTrue();
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("%d sockets connected over %d nodes in %.1f s%n", sockets, cluster.nodeCount(), seconds);

    for (int u = 0; u < USERS; u++) {
      cluster.vertx().eventBus().publish(Addresses.USER_EVENTS, new JsonObject()
          .put("userIds", new JsonArray().add("storm-" + u)).put("type", "test:storm")
          .put("data", new JsonObject().put("u", u)).put("ts", Instant.now().toString()));
    }
    assertThat(allReceived.await(60, TimeUnit.SECONDS)).as("every socket reachable").isTrue();
    JsonObject marker = new JsonObject().put("userIds", new JsonArray().add("storm-0")).put("type", "test:marker")
        .put("data", new JsonObject()).put("ts", Instant.now().toString());
    CountDownLatch markers = new CountDownLatch(DEVICES);
    for (int d = 0; d < DEVICES; d++) {
      open.get(d * USERS).textMessageHandler(text -> {
        if (text.contains("test:marker")) {
          markers.countDown();
        }
      });
    }
    cluster.vertx().eventBus().publish(Addresses.USER_EVENTS, marker);
    assertThat(markers.await(30, TimeUnit.SECONDS)).isTrue();
    for (int i = 0; i < sockets; i++) {
      assertThat(received.get(i)).as("socket %d got the event exactly once", i).isEqualTo(1);
    }

    for (int from = 0; from < USERS; from += 500) {
      String ids = IntStream.range(from, Math.min(USERS, from + 500)).mapToObj(u -> "storm-" + u)
          .collect(Collectors.joining(","));
      JsonArray users = cluster.get("/api/presence/users?ids=" + ids, tokens.get(0)).bodyAsJsonObject().getJsonArray("users");
      assertThat(users.stream().map(o -> ((JsonObject) o).getString("status")).distinct().toList()).containsExactly("online");
    }
  }
}
