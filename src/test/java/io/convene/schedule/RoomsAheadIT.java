package io.convene.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.bus.Addresses;
import io.convene.testing.EventRecorder;
import io.convene.testing.FakeLiveKit;
import io.convene.testing.ServerTestBase;
import io.convene.testing.SignedWebhooks;
import io.convene.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A scheduled meeting's LiveKit room is created {@code livekit.precreateMinutes} before its start, once,
 * whichever sweeper gets there; the start does not ask again. A meeting moved to a later start has its
 * early room closed and gets a new one before the new start; a cancelled meeting's early room is
 * closed; LiveKit finishing an early room leaves the meeting to come.
 */
@Timeout(180)
class RoomsAheadIT extends ServerTestBase {
  private static final int EMPTY_TIMEOUT = 120;
  private static final int AHEAD_MINUTES = 5;
  private static Vertx side;
  private static FakeLiveKit liveKit;
  private static WebClient hooks;

  @Override
  protected JsonObject overrides() {
    side = Vertx.vertx();
    liveKit = FakeLiveKit.start(side);
    hooks = WebClient.create(side);
    return new JsonObject()
        .put("presence", new JsonObject().put("heartbeatSeconds", 3600))
        .put("livekit", new JsonObject().put("url", liveKit.url()).put("apiKey", FakeLiveKit.KEY)
            .put("apiSecret", FakeLiveKit.SECRET).put("emptyTimeoutSeconds", EMPTY_TIMEOUT)
            .put("precreateMinutes", AHEAD_MINUTES));
  }

  @AfterAll
  void stopFake() {
    side.close().await();
  }

  /** A meeting planned to start at {@code start}. */
  private record Planned(String id, Instant start) {}

  /** A meeting of {@code owner} starting {@code minutes} from now on the test clock. */
  private static Planned meetingIn(String owner, int minutes) {
    Instant start = clock.instant().plus(Duration.ofMinutes(minutes));
    return new Planned(api.meeting(owner).title("Ahead").from(start).to(start.plus(Duration.ofHours(1)))
        .maxParticipants(8).createId(), start);
  }

  /** A meeting of {@code owner} starting in half an hour, the clock moved to when its room is created ahead. */
  private static Planned roomCreatedAhead(String owner) {
    Planned m = meetingIn(owner, 30);
    clock.set(m.start().minus(Duration.ofMinutes(AHEAD_MINUTES - 1)));
    liveKit.await("CreateRoom", c -> m.id().equals(c.request().getString("name")));
    return m;
  }

  /** Moves the clock to {@code at} and waits for {@code sweeps} sweeps that began at or after it. */
  private static void sweptAt(Instant at, EventRecorder swept, int sweeps) {
    clock.set(at);
    swept.awaitMessages(s -> !Instant.parse(s.getString("at")).isBefore(at), sweeps);
  }

  private static long creates(String id) {
    return liveKit.calls().stream()
        .filter(c -> c.method().equals("CreateRoom") && id.equals(c.request().getString("name"))).count();
  }

  /** Waits until every effect about the meeting was carried out (its LiveKit calls made). */
  private static void settled(String id) {
    server.awaitRows(List::isEmpty, "SELECT id FROM outbox WHERE payload->'body'->>'meetingId' = $1", id);
  }

  @Test
  void theRoomIsCreatedAheadOfTheStartOnceWhicheverSweeperComesAndNotAgainAtTheStart() {
    JsonObject secondConfig = server.config().copy();
    secondConfig.getJsonObject("redis").put("keyPrefix",
        "second-" + server.config().getJsonObject("redis").getString("keyPrefix"));
    TestServer second = TestServer.startWith(vertx, clock, secondConfig);
    try {
      EventRecorder swept = new EventRecorder(vertx, Addresses.SCHEDULE_SWEPT);
      String owner = user("owner");
      Planned m = meetingIn(owner, 30);
      String id = m.id();
      Instant start = m.start();

      sweptAt(start.minus(Duration.ofMinutes(AHEAD_MINUTES)).minusSeconds(1), swept, 2);
      settled(id);
      assertThat(creates(id)).as("not earlier than %s minutes before the start", AHEAD_MINUTES).isZero();

      Instant ahead = start.minus(Duration.ofMinutes(AHEAD_MINUTES));
      clock.set(ahead);
      FakeLiveKit.Call create = liveKit.await("CreateRoom", c -> id.equals(c.request().getString("name")));
      assertThat(create.request().getInteger("maxParticipants")).isEqualTo(8);
      assertThat(create.request().getInteger("emptyTimeout")).as("open, empty, until the empty timeout after the start")
          .isEqualTo(EMPTY_TIMEOUT + AHEAD_MINUTES * 60);
      assertThat(create.grant().getBoolean("roomCreate")).isTrue();
      sweptAt(ahead.plusSeconds(30), swept, 4);
      settled(id);
      assertThat(creates(id)).as("asked for once, by two sweepers sweeping again and again").isEqualTo(1);
      assertThat(server.rows("SELECT room_requested_at FROM meetings WHERE id = $1", id).get(0)
          .getValue("room_requested_at")).isNotNull();

      clock.set(start);
      server.awaitRows(rows -> "in_progress".equals(rows.get(0).getString("status")),
          "SELECT status FROM meetings WHERE id = $1", id);
      settled(id);
      assertThat(creates(id)).as("the start does not ask again").isEqualTo(1);
    } finally {
      second.close();
    }
  }

  @Test
  void aMeetingMovedLaterHasItsEarlyRoomClosedAndANewOneAheadOfTheNewStart() {
    EventRecorder swept = new EventRecorder(vertx, Addresses.SCHEDULE_SWEPT);
    String owner = user("owner");
    Planned m = roomCreatedAhead(owner);
    String id = m.id();
    Instant start = m.start();
    settled(id);

    Instant later = start.plus(Duration.ofHours(2));
    api.update(id, owner, new JsonObject().put("startTime", later.toString())
        .put("endTime", later.plus(Duration.ofHours(1)).toString()));
    liveKit.await("DeleteRoom", c -> id.equals(c.request().getString("room")));
    JsonObject row = server.rows("SELECT status, room_requested_at FROM meetings WHERE id = $1", id).get(0);
    assertThat(row.getString("status")).isEqualTo("scheduled");
    assertThat(row.getValue("room_requested_at")).as("forgotten: asked for again before the new start").isNull();
    // LiveKit reports the closed room finished: the meeting is still to come.
    Instant now = clock.instant();
    String finished = SignedWebhooks.event("room_finished", id, null);
    assertThat(hooks.post(server.port, "127.0.0.1", "/api/livekit/webhook")
        .putHeader("Content-Type", "application/webhook+json")
        .putHeader("Authorization", SignedWebhooks.sign(finished, FakeLiveKit.KEY, FakeLiveKit.SECRET, now))
        .sendBuffer(Buffer.buffer(finished)).await().statusCode()).isEqualTo(200);

    sweptAt(later.minus(Duration.ofMinutes(AHEAD_MINUTES)).minusSeconds(1), swept, 2);
    settled(id);
    assertThat(creates(id)).as("no new room before the new start is within reach").isEqualTo(1);
    assertThat(server.rows("SELECT status FROM meetings WHERE id = $1", id).get(0).getString("status"))
        .isEqualTo("scheduled");
    clock.set(later.minus(Duration.ofMinutes(AHEAD_MINUTES)));
    server.awaitRows(rows -> rows.get(0).getValue("room_requested_at") != null,
        "SELECT room_requested_at FROM meetings WHERE id = $1", id);
    settled(id);
    assertThat(creates(id)).isEqualTo(2);
  }

  @Test
  void aMeetingMovedEarlierKeepsItsEarlyRoom() {
    EventRecorder swept = new EventRecorder(vertx, Addresses.SCHEDULE_SWEPT);
    String owner = user("owner");
    Planned m = roomCreatedAhead(owner);
    String id = m.id();
    Instant start = m.start();
    Instant earlier = start.minus(Duration.ofMinutes(2));
    api.update(id, owner, new JsonObject().put("startTime", earlier.toString()));
    sweptAt(clock.instant().plusSeconds(10), swept, 2);
    settled(id);
    assertThat(liveKit.calls()).noneMatch(c -> c.method().equals("DeleteRoom") && id.equals(c.request().getString("room")));
    assertThat(creates(id)).isEqualTo(1);
  }

  @Test
  void aCancelledMeetingsEarlyRoomIsClosed() {
    String owner = user("owner");
    String id = roomCreatedAhead(owner).id();
    api.cancel(id, owner);
    liveKit.await("DeleteRoom", c -> id.equals(c.request().getString("room")));
    settled(id);
    assertThat(creates(id)).isEqualTo(1);
  }
}
