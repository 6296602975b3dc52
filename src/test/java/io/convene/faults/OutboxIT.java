package io.convene.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.protocol.Events;
import io.convene.testing.FakeLiveKit;
import io.convene.testing.ServerTestBase;
import io.convene.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a committed change must cause happens, even when the node that made it dies before carrying it
 * out or a dependency is down for long: the outbox keeps it and whichever node holds its lease carries
 * it out until it succeeds.
 */
@Timeout(120)
class OutboxIT extends ServerTestBase {
  private static final Vertx SIDE = Vertx.vertx();
  private static FakeLiveKit liveKit;

  @Override
  protected JsonObject overrides() {
    liveKit = FakeLiveKit.start(SIDE);
    return new JsonObject()
        .put("livekit", new JsonObject().put("url", liveKit.url()).put("apiKey", FakeLiveKit.KEY)
            .put("apiSecret", FakeLiveKit.SECRET))
        .put("outbox", new JsonObject().put("redeliverAfterSeconds", 1).put("sweepMillis", 50).put("maxAttempts", 13));
  }

  @AfterEach
  void liveKitAnswersAgain() {
    liveKit.failing(false);
  }

  @AfterAll
  void stopFake() {
    liveKit.close();
    SIDE.close().await();
  }

  @Test
  void anEventWhoseNodeDiedAfterTheCommitIsDeliveredByTheDispatcherOnce() {
    String bob = user("bob");
    WsClient b = server.socket(bob);
    b.awaitEvent(Events.SESSION_WELCOME);
    String eventId = UUID.randomUUID().toString();
    JsonObject message = new JsonObject().put("eventId", eventId).put("userIds", new JsonArray().add(bob))
        .put("type", Events.MEETING_CANCELLED).put("data", new JsonObject().put("meetingId", "mtg_gone"))
        .put("ts", clock.instant().toString()).put("durable", true);
    // As a node leaves it when it dies right after its commit: the effect stored, not carried out.
    OffsetDateTime now = clock.instant().atOffset(ZoneOffset.UTC);
    for (int copy = 0; copy < 2; copy++) {
      server.rows("INSERT INTO outbox (kind, payload, created_at, next_attempt_at) VALUES ('event', $1, $2, $2)",
          message, now);
    }

    b.awaitEvent(Events.MEETING_CANCELLED, d -> "mtg_gone".equals(d.getString("meetingId")));
    server.awaitRows(List::isEmpty, "SELECT id FROM outbox WHERE payload->>'eventId' = $1", eventId);
    assertThat(b.request("presence:heartbeat", new JsonObject()).getBoolean("ok")).isTrue();
    assertThat(b.events(Events.MEETING_CANCELLED)).as("the same event twice reaches the device once").hasSize(1);
  }

  @Test
  void closingTheLiveKitRoomIsRetriedUntilLiveKitAnswersHoweverLongItTakes() {
    String owner = user("owner");
    String id = json(server.post("/api/meetings", server.token(owner), new JsonObject().put("title", "Room")
        .put("startTime", at(0)).put("endTime", at(60))), 201).getString("meetingId");
    json(server.post("/api/meetings/" + id + "/join", server.token(owner), null), 200);
    liveKit.await("CreateRoom", c -> id.equals(c.request().getString("name")));
    // the room is open (the join's own CreateRoom and the one the start queued are both done)
    server.awaitRows(List::isEmpty, "SELECT id FROM outbox WHERE payload->'body'->>'meetingId' = $1", id);

    liveKit.failing(true);
    json(server.post("/api/meetings/" + id + "/end", server.token(owner), null), 200);
    // Twelve failed attempts (LiveKit refusing, or its circuit breaker open), more than any in-memory
    // retry ever made; the backoff follows the clock.
    String closing = "SELECT attempts, state FROM outbox WHERE payload->>'address' = 'convene.room.close'"
        + " AND payload->'body'->>'meetingId' = $1";
    for (int attempt = 1; attempt <= 12; attempt++) {
      int failed = attempt;
      server.awaitRows(rows -> rows.size() == 1 && rows.get(0).getInteger("attempts") >= failed, closing, id);
      clock.advance(Duration.ofMinutes(6));
    }
    assertThat(server.rows(closing, id).get(0).getString("state")).isEqualTo("pending");

    liveKit.failing(false);
    clock.advance(Duration.ofMinutes(6));
    liveKit.await("DeleteRoom", c -> id.equals(c.request().getString("room")));
    server.awaitRows(List::isEmpty, "SELECT id FROM outbox WHERE payload->'body'->>'meetingId' = $1", id);
  }

  @Test
  void anEffectThatKeepsFailingIsDeadVisibleToOperatorsAndCanBeRetried() {
    OffsetDateTime now = clock.instant().atOffset(ZoneOffset.UTC);
    long id = server.rows("INSERT INTO outbox (kind, payload, created_at, next_attempt_at) VALUES ('no-such-kind', $1, $2, $2)"
        + " RETURNING id", new JsonObject().put("what", "nothing handles this"), now).get(0).getLong("id");
    String dead = "SELECT attempts, state, last_error FROM outbox WHERE id = $1";
    for (int attempt = 1; attempt <= 13; attempt++) {
      int failed = attempt;
      server.awaitRows(rows -> rows.get(0).getInteger("attempts") >= failed, dead, id);
      clock.advance(Duration.ofMinutes(6));
    }
    JsonObject row = server.awaitRows(rows -> "dead".equals(rows.get(0).getString("state")), dead, id).get(0);
    assertThat(row.getString("last_error")).contains("no handler");

    String admin = server.token(user("ops"), "Ops", List.of("admin"));
    json(server.get("/api/admin/outbox/dead", server.token(user("someone"))), 403);
    JsonObject page = json(server.get("/api/admin/outbox/dead", admin), 200);
    assertThat(page.getJsonArray("items").stream().map(o -> ((JsonObject) o).getLong("id"))).contains(id);
    assertThat(server.get("/metrics", null).bodyAsString()).containsPattern("(?m)^convene_outbox_dead [1-9]");

    assertThat(json(server.post("/api/admin/outbox/" + id + "/retry", admin, null), 200).getString("state")).isEqualTo("pending");
    // tried again from its first attempt (the dispatcher may already have made it, and fails it again)
    server.awaitRows(rows -> rows.get(0).getInteger("attempts") == 1 && "pending".equals(rows.get(0).getString("state")),
        dead, id);
    json(server.post("/api/admin/outbox/" + id + "/retry", admin, null), 404);
    json(server.post("/api/admin/outbox/abc/retry", admin, null), 400);
  }
}
