package io.convene.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.testing.ServerTestBase;
import io.convene.testing.WebhookReceiver;
import io.convene.testing.WebhookReceiver.Received;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Webhook deliveries on a three-node cluster: every node stores and sends the events of the changes it
 * makes, every node (and the lease holder's sweep) claims due deliveries, and still each attempt is
 * sent by exactly one node.
 */
@Timeout(240)
class WebhooksClusterIT extends ServerTestBase {
  private static final Vertx SIDE = Vertx.vertx();
  private static WebhookReceiver receiver;

  @Override
  protected int nodes() {
    return 3;
  }

  @Override
  protected JsonObject overrides() {
    receiver = WebhookReceiver.start(SIDE);
    return new JsonObject().put("webhooks", new JsonObject().put("retryDelaysSeconds", "10,60,300")
        .put("sweepMillis", 50));
  }

  @AfterAll
  void stopReceiver() {
    receiver.close();
    SIDE.close().await();
  }

  @Test
  void eachAttemptOfEachEventIsSentByExactlyOneNode() {
    String admin = server.token(user("admin"), "Admin", List.of("admin"));
    json(server.post("/api/webhooks", admin, new JsonObject().put("url", receiver.url("/ok/cluster"))
        .put("events", new JsonArray().add("meeting.created"))), 201);
    json(server.post("/api/webhooks", admin, new JsonObject().put("url", receiver.url("/fail/1/cluster"))
        .put("events", new JsonArray().add("meeting.created"))), 201);
    String owner = user("owner");
    int meetings = 24;
    for (int i = 0; i < meetings; i++) {
      // Requests go to the nodes in turn: each node commits and sends a third of the events.
      json(server.post("/api/meetings", server.token(owner), new JsonObject().put("title", "M" + i)
          .put("startTime", at(60)).put("endTime", at(90))), 201);
    }

    List<Received> ok = receiver.await("/ok/cluster", meetings);
    assertThat(perId(ok)).hasSize(meetings).allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1L));

    // The failing receiver got every first attempt once; the retries come on the clock, once each.
    receiver.await("/fail/1/cluster", meetings);
    server.awaitRows(rows -> rows.get(0).getLong("n") == meetings,
        "SELECT count(*) AS n FROM webhook_deliveries d JOIN webhook_attempts a ON a.delivery_id = d.id"
            + " WHERE d.state = 'pending' AND a.attempt = 1");
    clock.advance(Duration.ofSeconds(10));
    List<Received> failing = receiver.await("/fail/1/cluster", 2 * meetings);
    server.awaitRows(rows -> rows.get(0).getLong("n") == 2L * meetings,
        "SELECT count(*) AS n FROM webhook_deliveries WHERE state = 'succeeded'");
    assertThat(perId(receiver.received("/fail/1/cluster"))).hasSize(meetings)
        .allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(2L));
    assertThat(receiver.received("/ok/cluster")).hasSize(meetings);
    assertThat(failing).hasSize(2 * meetings);
  }

  private static Map<String, Long> perId(List<Received> got) {
    return got.stream().collect(Collectors.groupingBy(r -> r.header("webhook-id"), Collectors.counting()));
  }
}
