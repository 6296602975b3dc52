package io.convene.schedule;

import io.convene.attendance.Attendance;
import io.convene.bus.UserEvents;
import io.convene.config.AppConfig;
import io.convene.guest.GuestSessions;
import io.convene.meeting.MeetingSweeps;
import io.convene.notify.NotificationService;
import io.convene.presence.PresenceService;
import io.convene.presence.PresenceState;
import io.convene.protocol.Events;
import io.convene.room.RoomService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The timed work, one bounded step after another: meetings start on time, meetings and calls end when
 * due, reminders go out once, silent stays close, and what outlived its retention is removed. Each
 * step changes only rows it claims and only from the state it found, so a second sweeper running at
 * the same time (or the same sweep again after a crash) does no harm.
 */
public final class ScheduleService {
  private final MeetingSweeps meetings;
  private final Attendance attendance;
  private final NotificationService notifications;
  private final RoomService room;
  private final PresenceService presence;
  private final UserEvents events;
  private final AppConfig.Schedule config;
  private final Duration maxCall;
  private final Clock clock;
  private final GuestSessions guests;

  public ScheduleService(MeetingSweeps meetings, Attendance attendance, NotificationService notifications,
      RoomService room, PresenceService presence, GuestSessions guests, UserEvents events, AppConfig.Schedule config,
      Duration maxCall, Clock clock) {
    this.attendance = attendance;
    this.clock = clock;
    this.guests = guests;
    this.meetings = meetings;
    this.notifications = notifications;
    this.room = room;
    this.presence = presence;
    this.events = events;
    this.config = config;
    this.maxCall = maxCall;
  }

  public AppConfig.Schedule config() {
    return config;
  }

  /** What one sweep did, step by step. */
  public record Report(Instant at, Map<String, Integer> counts) {
    public int total() {
      return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    @Override
    public String toString() {
      return counts.entrySet().stream().filter(e -> e.getValue() > 0)
          .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
    }
  }

  public Future<Report> sweep() {
    Instant at = clock.instant();
    int batch = config.batchSize();
    Map<String, Integer> counts = new LinkedHashMap<>();
    return meetings.startDue(batch).map(n -> counts.put("started", n))
        .compose(v -> sendReminders(batch)).map(n -> counts.put("reminders", n))
        .compose(v -> room.closeSilentStays(Duration.ofMinutes(config.staleStayMinutes()), this::online, batch))
        .map(n -> counts.put("silentStaysClosed", n))
        .compose(v -> meetings.endDue(attendance::occupied, maxCall, batch)).map(n -> counts.put("ended", n))
        .compose(v -> guests.endDueSessions(batch)).map(n -> counts.put("guestSessionsEnded", n))
        .compose(v -> meetings.purge(Duration.ofHours(config.retentionHours()), batch))
        .compose(ids -> notifications.forgetMeetings(ids).map(ids.size())).map(n -> counts.put("purged", n))
        .compose(v -> notifications.cleanUp(Duration.ofDays(config.readNotificationDays()), batch))
        .map(n -> counts.put("notificationsRemoved", n))
        .map(v -> new Report(at, counts));
  }

  /** Sends each newly due reminder to every device of its user, stored until it stops mattering. */
  private Future<Integer> sendReminders(int batch) {
    Duration lapse = Duration.ofMinutes(config.atStartLapseMinutes());
    return meetings.dueReminders(config.reminderOffsetsMinutes(), lapse, batch).compose(due -> {
      List<Future<?>> work = new ArrayList<>();
      for (var r : due) {
        boolean atStart = r.offsetMinutes() == 0;
        Instant expires = atStart ? r.startTime().plus(lapse) : r.startTime();
        JsonObject data = new JsonObject()
            .put("meetingId", r.meetingId())
            .put("title", r.title())
            .put("startTime", r.startTime().toString())
            .put("offsetMinutes", r.offsetMinutes())
            .put("kind", atStart ? "at_start" : "before_start");
        work.add(notifications.create(r.userId(), NotificationService.REMINDER, r.meetingId(), data, expires)
            .onSuccess(n -> events.publish(List.of(r.userId()), Events.MEETING_REMINDER,
                data.copy().put("notificationId", n.getString("notificationId")))));
      }
      return Future.join(work).map(due.size());
    });
  }

  private Future<Set<String>> online(List<String> identities) {
    return presence.status(identities).map(states -> states.stream().filter(PresenceState::online)
        .map(PresenceState::userId).collect(Collectors.toSet()));
  }
}
