package io.convene.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.bus.Addresses;
import io.convene.protocol.Events;
import io.convene.testing.EventRecorder;
import io.convene.testing.ServerTestBase;
import io.convene.testing.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The timed sweep with small batches: work larger than a batch is done in one sweep, and a step that
 * fails does not keep the others from running.
 */
@Timeout(120)
class SweepFaultsIT extends ServerTestBase {

  @Override
  protected JsonObject overrides() {
    // Minutes pass on the clock here: sockets stay up (no silence close) while they do.
    return new JsonObject().put("schedule", new JsonObject().put("batchSize", 2))
        .put("presence", new JsonObject().put("heartbeatSeconds", 3600));
  }

  @AfterEach
  void repair() {
    server.rows("DROP TRIGGER IF EXISTS reminders_fail ON reminders_sent");
    server.rows("DROP TRIGGER IF EXISTS notifications_fail ON notifications");
  }

  @Test
  void everyGuestLeftAloneIsLetGoNotOnlyTheFirstBatch() {
    String owner = user("owner");
    String id = json(server.post("/api/meetings", server.token(owner), new JsonObject().put("title", "Many guests")
        .put("startTime", at(0)).put("endTime", at(60)).put("allowExternal", true)), 201).getString("meetingId");
    json(server.post("/api/meetings/" + id + "/join", server.token(owner), null), 200);
    String link = json(server.post("/api/meetings/" + id + "/generate-link", server.token(owner), null), 200).getString("token");
    List<WsClient> guests = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      JsonObject g = json(server.post("/api/external/register", null, new JsonObject().put("invitationToken", link)
          .put("displayName", "Guest " + i)), 201);
      WsClient socket = WsClient.connect(vertx, server.port, "/ws?guest_token=" + g.getString("guestToken"), null);
      socket.awaitEvent(Events.SESSION_WELCOME);
      guests.add(socket);
    }

    json(server.post("/api/meetings/" + id + "/leave", server.token(owner), null), 200);
    guests.forEach(g -> g.awaitEvent(Events.EXTERNAL_ALL_SERVER_USERS_LEFT, d -> id.equals(d.getString("meetingId"))));
    clock.advance(Duration.ofSeconds(6));
    for (WsClient g : guests) {
      assertThat(g.awaitClose()).as("every guest, past the first batch too").isEqualTo((short) 4004);
    }
  }

  @Test
  void aFailingStepDoesNotKeepTheOthersFromRunning() {
    String owner = user("owner");
    String bob = user("bob");
    int now = clockMinutes();
    // The reminders step fails on every run: recording a reminder is refused.
    server.rows("CREATE OR REPLACE FUNCTION reminders_refused() RETURNS trigger LANGUAGE plpgsql AS"
        + " $$ BEGIN RAISE EXCEPTION 'disk full' USING ERRCODE = '53100'; END $$");
    server.rows("CREATE TRIGGER reminders_fail BEFORE INSERT ON reminders_sent FOR EACH ROW"
        + " EXECUTE FUNCTION reminders_refused()");
    json(server.post("/api/meetings", server.token(owner), new JsonObject().put("title", "Reminded")
        .put("startTime", at(now + 20)).put("endTime", at(now + 80)).put("participantIds", new JsonArray().add(bob))), 201);
    String over = json(server.post("/api/meetings", server.token(owner), new JsonObject().put("title", "Short")
        .put("startTime", at(now + 1)).put("endTime", at(now + 3))), 201).getString("meetingId");

    EventRecorder sweeps = new EventRecorder(vertx, Addresses.SCHEDULE_SWEPT);
    clock.advance(Duration.ofMinutes(6));
    JsonObject sweep = sweeps.awaitMessage(s -> s.getInteger("errors", 0) > 0 && s.getInteger("ended", 0) > 0);
    assertThat(sweep.getInteger("reminders")).isNull();
    assertThat(server.rows("SELECT status FROM meetings WHERE id = $1", over).get(0).getString("status"))
        .as("a later step ran").isEqualTo("ended");
  }

  @Test
  void remindersAndMissedCallsTheDatabaseRefusedAreStoredAndSentOnceItTakesThem() {
    String owner = user("owner");
    String bob = user("bob");
    String carol = user("carol");
    int now = clockMinutes();
    json(server.post("/api/meetings", server.token(owner), new JsonObject().put("title", "Reminded")
        .put("startTime", at(now + 20)).put("endTime", at(now + 80)).put("participantIds", new JsonArray().add(bob))), 201);
    WsClient b = server.socket(bob);
    b.awaitEvent(Events.SESSION_WELCOME);
    server.rows("CREATE OR REPLACE FUNCTION notifications_refused() RETURNS trigger LANGUAGE plpgsql AS"
        + " $$ BEGIN RAISE EXCEPTION 'disk full' USING ERRCODE = '53100'; END $$");
    server.rows("CREATE TRIGGER notifications_fail BEFORE INSERT ON notifications FOR EACH ROW"
        + " EXECUTE FUNCTION notifications_refused()");

    clock.advance(Duration.ofMinutes(6));
    server.awaitRows(rows -> !rows.isEmpty(), "SELECT 1 FROM reminders_sent WHERE user_id = $1", bob);
    // carol is offline: she gets a missed call, which cannot be stored either
    String callId = json(server.post("/api/calls/instant", server.token(owner),
        new JsonObject().put("participantIds", new JsonArray().add(carol))), 201).getString("meetingId");
    assertThat(server.rows("SELECT 1 FROM notifications WHERE user_id IN ($1, $2)", bob, carol)).isEmpty();

    server.rows("DROP TRIGGER notifications_fail ON notifications");
    clock.advance(Duration.ofMinutes(1));
    b.awaitEvent(Events.MEETING_REMINDER, d -> d.getInteger("offsetMinutes") == 15);
    server.awaitRows(rows -> rows.size() == 2, "SELECT type FROM notifications WHERE (user_id = $1 AND type = 'reminder')"
        + " OR (user_id = $2 AND meeting_id = $3 AND type = 'missed_call')", bob, carol, callId);
  }

  private static int clockMinutes() {
    return (int) Duration.between(T0, clock.instant()).toMinutes();
  }
}
