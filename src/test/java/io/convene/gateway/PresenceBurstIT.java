package io.convene.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.protocol.Events;
import io.convene.testing.ServerTestBase;
import io.convene.testing.WsClient;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A storm of connects and disconnects far larger than the connection pools' wait queues: one connection
 * and 16 waiting places each for PostgreSQL and Redis, 300 devices at once. Every watcher still learns
 * every transition, because the connect path never queries PostgreSQL and reaches Redis in batches.
 */
@Timeout(180)
class PresenceBurstIT extends ServerTestBase {
  private static final int USERS = 300;

  @Override
  protected JsonObject overrides() {
    return new JsonObject()
        .put("db", new JsonObject().put("poolSize", 1).put("waitQueue", 16))
        .put("redis", new JsonObject().put("poolSize", 1).put("waitQueue", 16));
  }

  @Test
  void aBurstLargerThanThePoolQueuesLosesNoPresenceUpdate() {
    List<String> users = IntStream.range(0, USERS).mapToObj(i -> user("burst" + i)).toList();
    WsClient watcher = server.socket(user("watcher"));
    JsonArray ids = new JsonArray(users);
    JsonObject ack = watcher.request("presence:subscribe", new JsonObject().put("userIds", ids));
    assertThat(ack.getBoolean("ok")).as(ack.encode()).isTrue();

    List<WsClient> sockets = Future.all(users.stream()
            .map(u -> WsClient.attempt(vertx, server.port, "/ws", server.token(u))).toList())
        .await().list();
    sockets.forEach(s -> s.awaitEvent(Events.SESSION_WELCOME));
    awaitStatus(watcher, users, "online");

    sockets.forEach(WsClient::close);
    for (int i = 0; i < 40 && statuses(watcher, "offline").size() < USERS; i++) {
      clock.advance(Duration.ofSeconds(6));
      vertx.timer(250).await();
    }
    awaitStatus(watcher, users, "offline");
    assertThat(watcher.events(Events.PRESENCE_UPDATE)).as("one update per transition, none twice")
        .hasSize(2 * USERS);
    assertThat(server.get("/metrics", null).bodyAsString()).contains("convene_presence_untold_total 0");
    watcher.close();
  }

  private static void awaitStatus(WsClient watcher, List<String> users, String status) {
    watcher.awaitEvent(Events.PRESENCE_UPDATE, d -> statuses(watcher, status).containsAll(users), Duration.ofSeconds(60));
  }

  private static Set<String> statuses(WsClient watcher, String status) {
    return watcher.events(Events.PRESENCE_UPDATE).stream().filter(d -> status.equals(d.getString("status")))
        .map(d -> d.getString("userId")).collect(Collectors.toSet());
  }
}
