package io.convene.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.embedded.EmbeddedServices;
import io.convene.testing.ManualClock;
import io.convene.testing.TestBackends;
import io.convene.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * PostgreSQL restarted while requests keep coming: meanwhile they are answered 503 (never 500, never
 * held), the server recovers by itself, and every meeting it acknowledged is still there.
 */
@Timeout(180)
class PostgresRestartIT {
  private final Vertx vertx = Vertx.vertx();
  private EmbeddedServices pgHost;

  @AfterEach
  void stop() {
    vertx.close().await();
    if (pgHost != null) {
      pgHost.close();
    }
  }

  @Test
  void requestsDuringARestartGet503AndNothingAcknowledgedIsLost() throws Exception {
    pgHost = EmbeddedServices.claim(Files.createTempDirectory("convene-pg-"));
    int port = EmbeddedServices.freePort();
    String url = pgHost.startPostgres(port);
    ManualClock clock = new ManualClock(Instant.now());
    TestServer server = TestServer.start(vertx, clock, new JsonObject()
        .put("db", new JsonObject().put("url", url).put("timeoutMillis", 1000))
        .put("redis", new JsonObject().put("url", TestBackends.redisUrl()))
        .put("http", new JsonObject().put("requestTimeoutMillis", 3000)));
    String token = server.token("olga");

    ConcurrentLinkedQueue<String> created = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Integer> statuses = new ConcurrentLinkedQueue<>();
    AtomicBoolean running = new AtomicBoolean(true);
    Thread load = new Thread(() -> {
      int n = 0;
      while (running.get()) {
        var r = server.post("/api/meetings", token, new JsonObject().put("title", "Load " + n++)
            .put("startTime", clock.instant().plusSeconds(3600).toString())
            .put("endTime", clock.instant().plusSeconds(7200).toString()));
        statuses.add(r.statusCode());
        if (r.statusCode() == 201) {
          created.add(r.bodyAsJsonObject().getString("meetingId"));
        }
      }
    });
    load.start();
    waitUntil(() -> created.size() >= 20);

    pgHost.stopPostgres();
    int before = statuses.size();
    waitUntil(() -> statuses.stream().skip(before).anyMatch(s -> s == 503));
    pgHost.startPostgres(port);
    int restarted = statuses.size();
    waitUntil(() -> statuses.stream().skip(restarted).anyMatch(s -> s == 201));
    running.set(false);
    load.join();

    assertThat(statuses).as("answers during the restart: " + statuses).allMatch(s -> s == 201 || s == 503);
    List<String> ids = new ArrayList<>(created);
    assertThat(server.rows("SELECT count(*) AS n FROM meetings WHERE id = ANY($1)", (Object) ids.toArray(String[]::new))
        .get(0).getLong("n")).as("every acknowledged meeting is stored").isEqualTo(ids.size());
    assertThat(server.get("/health/ready", null).statusCode()).isEqualTo(200);
  }

  private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not reached within 60 s");
      }
      Thread.sleep(20);
    }
  }
}
