package io.convene.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.protocol.Events;
import io.convene.bus.Addresses;
import io.convene.testing.EventRecorder;
import io.convene.testing.ServerTestBase;
import io.convene.testing.TestServer;
import io.convene.testing.WsClient;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Meetings start on time, reminders arrive once on every device (with a second sweeper racing the
 * first), dismissed reminders stay dismissed, meetings nobody joined end when due, and calls end after
 * the longest allowed call.
 */
@Timeout(180)
class ScheduleIT extends ServerTestBase {

  /** Hours pass on the clock here: sockets stay up (no silence close) while they do. */
  @Override
  protected JsonObject overrides() {
    return new JsonObject().put("presence", new JsonObject().put("heartbeatSeconds", 3600))
        .put("calls", new JsonObject().put("maxCallHours", 1));
  }

  private static String meeting(String owner, int startMin, int endMin, String... invitees) {
    return api.meeting(owner).title("Planned").from(startMin).to(endMin).invite(invitees).createId();
  }

  /** Moves the clock to {@code minutes} after T0 (tests share one clock and only ever move it forward). */
  private static void moveTo(Duration sinceT0) {
    if (clock.instant().isBefore(T0.plus(sinceT0))) {
      clock.set(T0.plus(sinceT0));
    }
  }

  @Test
  void remindersArriveOnceOnEveryDeviceEvenWithTwoSweepers() {
    JsonObject secondConfig = server.config().copy();
    secondConfig.getJsonObject("redis").put("keyPrefix", "second-" + server.config().getJsonObject("redis").getString("keyPrefix"));
    TestServer second = TestServer.startWith(vertx, clock, secondConfig);
    try {
      String owner = user("owner");
      String bob = user("bob");
      String carol = user("carol");
      Duration base = clock.instant().isAfter(T0) ? Duration.between(T0, clock.instant()) : Duration.ZERO;
      int start = (int) base.toMinutes() + 20;
      String id = meeting(owner, start, start + 30, bob, carol);
      List<WsClient> devices = List.of(server.socket(bob), server.socket(bob), server.socket(carol), server.socket(carol),
          server.socket(owner));
      devices.forEach(d -> d.awaitEvent(Events.SESSION_WELCOME));

      EventRecorder sweeps = new EventRecorder(vertx, Addresses.SCHEDULE_SWEPT);
      moveTo(Duration.ofMinutes(start - 15).minusSeconds(1));
      Instant justBefore = clock.instant();
      sweeps.awaitMessage(s -> !Instant.parse(s.getString("at")).isBefore(justBefore));
      assertThat(server.rows("SELECT count(*) AS n FROM reminders_sent WHERE meeting_id = $1", id).get(0).getLong("n"))
          .as("just before the offset").isZero();
      moveTo(Duration.ofMinutes(start - 15));
      for (WsClient d : devices) {
        JsonObject r = d.awaitEvent(Events.MEETING_REMINDER, x -> id.equals(x.getString("meetingId")) && x.getInteger("offsetMinutes") == 15);
        assertThat(r.getString("kind")).isEqualTo("before_start");
      }
      moveTo(Duration.ofMinutes(start));
      for (WsClient d : devices) {
        d.awaitEvent(Events.MEETING_REMINDER, x -> id.equals(x.getString("meetingId")) && x.getInteger("offsetMinutes") == 0);
        d.awaitEvent(Events.MEETING_STARTED, x -> id.equals(x.getString("meetingId")));
        assertThat(d.events(Events.MEETING_REMINDER)).filteredOn(x -> id.equals(x.getString("meetingId")))
            .as("one reminder per offset per device").hasSize(2);
        assertThat(d.events(Events.MEETING_STARTED)).filteredOn(x -> id.equals(x.getString("meetingId"))).hasSize(1);
      }
      assertThat(server.rows("SELECT status FROM meetings WHERE id = $1", id).get(0).getString("status")).isEqualTo("in_progress");
      assertThat(server.rows("SELECT count(*) AS n FROM reminders_sent WHERE meeting_id = $1", id).get(0).getLong("n")).isEqualTo(6);
    } finally {
      second.close();
    }
  }

  @Test
  void aDismissedReminderStaysDismissedAndOthersReachLateDevicesWhileRelevant() {
    String owner = user("owner");
    String dana = user("dana");
    String eve = user("eve");
    Duration base = Duration.between(T0, clock.instant());
    int start = (int) base.toMinutes() + 40;
    String id = meeting(owner, start, start + 30, dana, eve);
    WsClient d1 = server.socket(dana);
    d1.awaitEvent(Events.SESSION_WELCOME);
    moveTo(Duration.ofMinutes(start - 15));
    d1.awaitEvent(Events.MEETING_REMINDER, x -> id.equals(x.getString("meetingId")));
    api.dismiss(id, dana, "reminder");
    api.expect(400).dismiss(id, dana, "birthday");

    WsClient d2 = server.socket(dana);
    d2.awaitEvent(Events.SESSION_WELCOME);
    WsClient e1 = server.socket(eve);
    JsonObject unread = e1.awaitEvent(Events.NOTIFICATIONS_UNREAD);
    assertThat(unread.getJsonArray("items").stream().map(o -> ((JsonObject) o).getString("meetingId"))).contains(id);
    assertThat(api.unreadNotifications(dana).getJsonArray("items").stream()
        .map(o -> ((JsonObject) o).getString("meetingId"))).doesNotContain(id);
    assertThat(d2.events(Events.NOTIFICATIONS_UNREAD)).allSatisfy(u -> assertThat(u.getJsonArray("items").stream()
        .map(o -> ((JsonObject) o).getString("meetingId"))).doesNotContain(id));

    moveTo(Duration.ofMinutes(start + 6));
    WsClient e2 = server.socket(eve);
    e2.awaitEvent(Events.SESSION_WELCOME);
    assertThat(api.unreadNotifications(eve).getJsonArray("items").stream()
        .map(o -> ((JsonObject) o).getString("meetingId"))).as("reminders lapse after the start").doesNotContain(id);
  }

  @Test
  void aMeetingNobodyJoinedEndsWhenDue() {
    String owner = user("owner");
    String bob = user("bob");
    Duration base = Duration.between(T0, clock.instant());
    int start = (int) base.toMinutes() + 60;
    String id = meeting(owner, start, start + 5, bob);
    WsClient b = server.socket(bob);
    b.awaitEvent(Events.SESSION_WELCOME);
    moveTo(Duration.ofMinutes(start + 5));
    JsonObject ended = b.awaitEvent(Events.MEETING_ENDED, x -> id.equals(x.getString("meetingId")));
    assertThat(ended.getString("reason")).isEqualTo("scheduled_end");
    assertThat(server.rows("SELECT status FROM meetings WHERE id = $1", id).get(0).getString("status")).isEqualTo("ended");
  }

  @Test
  void aCallLongerThanTheLongestCallEndsAndIsTornDown() {
    String alice = user("alice");
    String bob = user("bob");
    WsClient a = server.socket(alice);
    a.awaitEvent(Events.SESSION_WELCOME);
    WsClient b = server.socket(bob);
    b.awaitEvent(Events.SESSION_WELCOME);
    String id = api.instantCall(alice, bob).getString("meetingId");
    b.awaitEvent(Events.CALL_INCOMING, x -> id.equals(x.getString("meetingId")));
    assertThat(b.request("call:accept", new JsonObject().put("meetingId", id)).getBoolean("ok")).isTrue();

    clock.advance(Duration.ofMinutes(61));
    for (WsClient device : List.of(a, b)) {
      assertThat(device.awaitEvent(Events.MEETING_ENDED, x -> id.equals(x.getString("meetingId"))).getString("reason"))
          .isEqualTo("max_duration");
      device.awaitEvent(Events.CALL_ENDED, x -> id.equals(x.getString("meetingId")));
    }
    assertThat(server.rows("SELECT status FROM meetings WHERE id = $1", id).get(0).getString("status")).isEqualTo("ended");
  }
}
