package io.convene.schedule;

import io.convene.attendance.Attendance;
import io.convene.audit.AuditLog;
import io.convene.bus.UserEvents;
import io.convene.config.AppConfig;
import io.convene.guest.GuestSessions;
import io.convene.meeting.MeetingSweeps;
import io.convene.notify.NotificationService;
import io.convene.presence.PresenceService;
import io.convene.presence.PresenceState;
import io.convene.protocol.Events;
import io.convene.recording.Recordings;
import io.convene.room.RoomService;
import io.convene.webhook.Webhooks;
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
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The timed work, one bounded step after another: meetings start on time (their LiveKit rooms are
 * created a few minutes before), meetings and calls end when due, reminders go out once, silent stays
 * close, recordings LiveKit went quiet about are checked, and what outlived its retention is removed
 * (meetings, read notifications, audit entries, finished webhook deliveries). Each step changes only rows
 * it claims and only from the state it found, so a second sweeper running at the same time (or the same
 * sweep again after a crash) does no harm.
 */
public final class ScheduleService {
  private static final Logger LOG = LoggerFactory.getLogger(ScheduleService.class);
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
  private final Recordings recordings;
  private final AuditLog audit;
  private final Duration auditRetention;
  private final Webhooks webhooks;
  private final Duration roomsAhead;

  /** {@code roomsAhead}: how long before a scheduled start its LiveKit room is created (zero: at the start). */
  public ScheduleService(MeetingSweeps meetings, Attendance attendance, NotificationService notifications,
      RoomService room, PresenceService presence, GuestSessions guests, Recordings recordings, UserEvents events,
      AppConfig.Schedule config, Duration maxCall, Clock clock, AuditLog audit, Duration auditRetention,
      Webhooks webhooks, Duration roomsAhead) {
    this.roomsAhead = roomsAhead;
    this.recordings = recordings;
    this.audit = audit;
    this.auditRetention = auditRetention;
    this.webhooks = webhooks;
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

  /**
   * One sweep: every step in turn, each on its own (a step that fails is logged and counted under
   * {@code errors}; the others still run), each repeated while it fills whole batches, within the
   * sweep's time budget.
   */
  public Future<Report> sweep() {
    Instant at = clock.instant();
    int batch = config.batchSize();
    long budgetEnd = System.nanoTime() + Duration.ofSeconds(config.sweepSeconds()).toNanos() / 2;
    Map<String, Integer> counts = new LinkedHashMap<>();
    List<Step> steps = List.of(
        new Step("started", () -> meetings.startDue(batch)),
        new Step("roomsOpenedAhead", () -> meetings.openRoomsAhead(roomsAhead, batch)),
        new Step("reminders", () -> sendReminders(batch)),
        new Step("silentStaysClosed", () -> room.closeSilentStays(Duration.ofMinutes(config.staleStayMinutes()),
            this::online, batch)),
        new Step("ended", () -> meetings.endDue(attendance::occupied, maxCall, batch)),
        new Step("guestSessionsEnded", () -> guests.endDueSessions(batch)),
        new Step("recordingsChecked", () -> recordings.reconcile(batch)),
        new Step("purged", () -> meetings.purge(Duration.ofHours(config.retentionHours()), batch)
            .compose(ids -> notifications.forgetMeetings(ids).map(ids.size()))),
        new Step("rosterRefreshed", () -> meetings.refreshRoster(batch), false),
        new Step("unreadFlagsRefreshed", () -> notifications.refreshFlags(batch), false),
        new Step("notificationsRemoved", () -> notifications.cleanUp(Duration.ofDays(config.readNotificationDays()), batch)),
        // The audit log has a retention of its own: its entries outlive the meetings purged above.
        new Step("auditRemoved", () -> audit.purge(auditRetention, batch)),
        new Step("webhookDeliveriesRemoved", () -> webhooks.purgeFinished(
            Duration.ofDays(webhooks.config().keepDeliveriesDays()), batch)));
    Future<Void> chain = Future.succeededFuture();
    for (Step step : steps) {
      chain = chain.compose(v -> repeat(step, batch, budgetEnd, 0)
          .map(n -> {
            counts.merge(step.name(), n, Integer::sum);
            return (Void) null;
          })
          .recover(err -> {
            LOG.warn("schedule step {} failed: {}", step.name(), err.getMessage());
            counts.merge("errors", 1, Integer::sum);
            return Future.succeededFuture();
          }));
    }
    return chain.map(v -> new Report(at, counts));
  }

  /** A step of the sweep; one that {@code drains} runs again while it fills whole batches. */
  private record Step(String name, Supplier<Future<Integer>> run, boolean drains) {
    Step(String name, Supplier<Future<Integer>> run) {
      this(name, run, true);
    }
  }

  /** Runs a step again while it fills whole batches and the budget lasts; returns how many it did. */
  private static Future<Integer> repeat(Step step, int batch, long budgetEnd, int done) {
    return step.run().get().compose(n -> step.drains() && n >= batch && System.nanoTime() < budgetEnd
        ? repeat(step, batch, budgetEnd, done + n)
        : Future.succeededFuture(done + n));
  }

  /** Sends each newly due reminder to every device of its user, stored until it stops mattering. */
  private Future<Integer> sendReminders(int batch) {
    Duration lapse = Duration.ofMinutes(config.atStartLapseMinutes());
    return meetings.remind(config.reminderOffsetsMinutes(), lapse, batch, r -> {
      boolean atStart = r.offsetMinutes() == 0;
      JsonObject data = new JsonObject()
          .put("meetingId", r.meetingId())
          .put("title", r.title())
          .put("startTime", r.startTime().toString())
          .put("offsetMinutes", r.offsetMinutes())
          .put("kind", atStart ? "at_start" : "before_start");
      return notifications.notice(r.userId(), NotificationService.REMINDER, r.meetingId(), data,
          atStart ? r.startTime().plus(lapse) : r.startTime(), Events.MEETING_REMINDER);
    });
  }

  private Future<Set<String>> online(List<String> identities) {
    return presence.status(identities).map(states -> states.stream().filter(PresenceState::online)
        .map(PresenceState::userId).collect(Collectors.toSet()));
  }
}
