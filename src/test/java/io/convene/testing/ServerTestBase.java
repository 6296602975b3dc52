package io.convene.testing;

import io.convene.metrics.NodeMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * One server per test class on a manual clock; each test uses user ids of its own. A subclass that
 * returns more than one from {@link #nodes()} runs the same tests against a cluster, with clients
 * spread over the nodes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ServerTestBase {
  /** The manual clock starts at the real time, so tokens signed now are valid on it. */
  public static final Instant T0 = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
  private static final AtomicInteger USERS = new AtomicInteger();

  protected static Vertx vertx;
  protected static ManualClock clock;
  protected static TestServer server;
  protected static Api api;

  /** Configuration the tests of a class need on top of the defaults. */
  protected JsonObject overrides() {
    return new JsonObject();
  }

  /** How many nodes the tests run against. */
  protected int nodes() {
    return 1;
  }

  @BeforeAll
  void startServer() {
    vertx = null;
    server = null;
    api = null;
    clock = new ManualClock(T0);
    if (nodes() == 1) {
      vertx = NodeMetrics.builder(new VertxOptions()).build();
      server = TestServer.start(vertx, clock, overrides());
    } else {
      server = TestServer.startCluster(nodes(), clock, overrides());
      vertx = server.vertx();
    }
    api = Api.of(server);
  }

  /** Stops what {@link #startServer()} started, also when it failed half-way. */
  @AfterAll
  void stopServer() {
    if (nodes() == 1 && vertx != null) {
      vertx.close().await();
    } else if (nodes() > 1 && server != null) {
      server.close();
    }
  }

  /** A user id no other test uses. */
  protected static String user(String name) {
    return name + "-" + USERS.incrementAndGet();
  }

  protected static JsonObject json(HttpResponse<Buffer> response, int expectedStatus) {
    if (response.statusCode() != expectedStatus) {
      throw new AssertionError("expected HTTP " + expectedStatus + " but got " + response.statusCode() + ": "
          + response.bodyAsString());
    }
    return response.bodyAsJsonObject();
  }

  protected static String at(int minutesFromT0) {
    return T0.plusSeconds(minutesFromT0 * 60L).toString();
  }
}
