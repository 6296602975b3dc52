package io.convene.meeting;

import io.convene.bus.UserEvents;
import io.convene.config.AppConfig;
import io.convene.notify.NotificationService;
import io.convene.outbox.Outbox;
import io.convene.user.UserDirectory;
import io.vertx.sqlclient.Pool;
import java.time.Clock;

/** The meetings area as the rest of the server sees it, built once per node. */
public record Meetings(MeetingService meetings, ParticipantService participants, StatusChanges changes,
    MeetingSweeps sweeps) {

  public static Meetings create(Pool pool, Outbox outbox, LiveRoster roster, UserDirectory users, UserEvents events,
      NotificationService notifications, Clock clock, AppConfig.Meetings limits) {
    // the live roster is in place before anyone hears of the change (a meeting that ended refuses hands)
    outbox.handleFirst(LiveRoster.KIND, roster::apply);
    Transactions tx = new Transactions(pool, events, outbox, clock);
    MeetingRepository meetings = new MeetingRepository();
    ParticipantRepository participants = new ParticipantRepository();
    MeetingAccess access = new MeetingAccess(meetings, participants);
    StatusChanges changes = new StatusChanges(tx, meetings, participants, clock);
    Views views = new Views(participants, users);
    return new Meetings(
        new MeetingService(tx, meetings, participants, access, changes, views, roster, events, limits),
        new ParticipantService(tx, meetings, participants, access, views, changes, notifications, limits),
        changes,
        new MeetingSweeps(tx, new SweepRepository(), changes, roster));
  }
}
