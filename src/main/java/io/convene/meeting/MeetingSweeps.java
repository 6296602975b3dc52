package io.convene.meeting;

import io.convene.meeting.MeetingLifecycle.Cause;
import io.convene.outbox.Effect;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The meetings' part of the timed work: rooms are created a little ahead of the start, meetings start
 * on time, meetings nobody is in end after their scheduled end, calls end after the longest allowed
 * call, reminders come due, and what outlived its retention is deleted. Each step claims its rows with
 * {@code SKIP LOCKED} and changes them through {@link MeetingLifecycle}, so a second sweeper at the same
 * time does no harm.
 */
public final class MeetingSweeps {
  private final Transactions tx;
  private final SweepRepository meetings;
  private final StatusChanges changes;
  private final LiveRoster roster;
  private String rosterCursor = "";

  MeetingSweeps(Transactions tx, SweepRepository meetings, StatusChanges changes, LiveRoster roster) {
    this.tx = tx;
    this.meetings = meetings;
    this.changes = changes;
    this.roster = roster;
  }

  /**
   * Writes the roster of the next {@code batch} meetings in progress again (in id order, wrapping
   * around), so a Redis that lost its data heals within a few sweeps. Returns how many it wrote.
   */
  public Future<Integer> refreshRoster(int batch) {
    return meetings.liveMembers(tx.pool(), rosterCursor, batch).compose(live -> {
      rosterCursor = live.size() < batch ? "" : live.get(live.size() - 1).meetingId();
      return Future.all(live.stream().map(m -> roster.apply(LiveRoster.opened(m.meetingId(), m.attending()).payload()))
          .toList()).map(v -> live.size());
    });
  }

  /** Which of these meetings have someone in their live room, read on {@code db} (the sweep's own connection). */
  @FunctionalInterface
  public interface Occupancy {
    Future<Set<String>> occupied(SqlClient db, List<String> meetingIds);
  }

  /** Starts scheduled meetings whose start has come. Returns how many. */
  public Future<Integer> startDue(int batch) {
    Instant now = changes.now();
    return tx.run((db, after) -> meetings.claimDueStarts(db, now, batch)
        .compose(due -> changes.applyAll(db, after, due, Cause.START_TIME)));
  }

  /**
   * Asks for the LiveKit room of each scheduled meeting starting within {@code lead}, once per meeting
   * (recorded with the request, in one transaction; the start then does not ask again). Returns how
   * many. A zero {@code lead} does nothing: rooms are created at the start.
   */
  public Future<Integer> openRoomsAhead(Duration lead, int batch) {
    if (lead.isZero() || lead.isNegative()) {
      return Future.succeededFuture(0);
    }
    Instant now = changes.now();
    return tx.run((db, after) -> meetings.claimRoomsAhead(db, now, lead, batch).map(due -> {
      due.forEach(r -> after.openRoom(r.meetingId(), r.maxParticipants()));
      return due.size();
    }));
  }

  /** Ends meetings past their end that nobody is in, and calls older than {@code maxCall}. Returns how many. */
  public Future<Integer> endDue(Occupancy rooms, Duration maxCall, int batch) {
    Instant now = changes.now();
    return tx.run((db, after) -> meetings.claimPastEnd(db, now, batch)
        .compose(past -> rooms.occupied(db, past.stream().map(Meeting::id).toList())
            .compose(occupied -> changes.applyAll(db, after,
                past.stream().filter(m -> !occupied.contains(m.id())).toList(), Cause.SCHEDULED_END)))
        .compose(n -> meetings.claimOldCalls(db, now.minus(maxCall), batch)
            .compose(calls -> changes.applyAll(db, after, calls, Cause.MAX_DURATION))
            .map(c -> n + c)));
  }

  /** Deletes what outlived its retention ({@code retention} zero keeps everything); returns the ids. */
  public Future<List<String>> purge(Duration retention, int batch) {
    if (retention.isZero()) {
      return Future.succeededFuture(List.of());
    }
    return meetings.purge(tx.pool(), changes.now().minus(retention), batch);
  }

  /**
   * Reminders newly due, each recorded once per user, meeting and offset; {@code notice} makes the
   * effect (the notification to store and announce) of each, written in the same transaction as the
   * record, so a reminder recorded is a reminder sent. Returns how many.
   */
  public Future<Integer> remind(List<Integer> offsets, Duration lapse, int batch, Function<DueReminder, Effect> notice) {
    return tx.run((db, after) -> meetings.dueReminders(db, changes.now(), offsets, lapse, batch).map(due -> {
      due.forEach(r -> after.effect(notice.apply(r)));
      return due.size();
    }));
  }
}
