package io.convene.meeting;

import static io.convene.meeting.MeetingRepository.odt;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * SQL of the timed sweeps over meetings: each claims its rows with {@code SKIP LOCKED}, so sweepers on
 * several nodes never take the same row, and {@link MeetingLifecycle} decides what changes.
 */
final class SweepRepository {
  /** Scheduled meetings whose start has come, locked. */
  Future<List<Meeting>> claimDueStarts(SqlClient db, Instant now, int batch) {
    return MeetingRepository.meetings(db, "SELECT " + MeetingRepository.COLUMNS + " FROM meetings m WHERE m.status = 'scheduled' AND m.start_time <= $1"
        + " ORDER BY m.start_time LIMIT $2 FOR UPDATE SKIP LOCKED", Tuple.of(odt(now), batch));
  }

  /** A meeting whose LiveKit room is to be created ahead of its start. */
  record RoomAhead(String meetingId, Integer maxParticipants) {}

  /**
   * Scheduled meetings starting within {@code lead} whose room was not asked for yet, recorded as asked
   * for now. Returns only what this call recorded, so concurrent sweepers never ask twice.
   */
  Future<List<RoomAhead>> claimRoomsAhead(SqlClient db, Instant now, Duration lead, int batch) {
    return db.preparedQuery("""
            UPDATE meetings SET room_requested_at = $1
            WHERE id IN (SELECT id FROM meetings WHERE status = 'scheduled' AND start_time <= $2
                           AND room_requested_at IS NULL AND NOT is_instant_call
                         ORDER BY start_time LIMIT $3 FOR UPDATE SKIP LOCKED)
              AND room_requested_at IS NULL
            RETURNING id, max_participants""")
        .execute(Tuple.of(odt(now), odt(now.plus(lead)), batch))
        .map(rows -> {
          List<RoomAhead> out = new ArrayList<>();
          rows.forEach(r -> out.add(new RoomAhead(r.getString(0), r.getInteger(1))));
          return out;
        });
  }

  /** Meetings (instant calls aside) past their scheduled end that are still live, locked. */
  Future<List<Meeting>> claimPastEnd(SqlClient db, Instant now, int batch) {
    return MeetingRepository.meetings(db, "SELECT " + MeetingRepository.COLUMNS + " FROM meetings m WHERE m.status IN ('scheduled', 'in_progress')"
        + " AND NOT m.is_instant_call AND m.end_time <= $1 ORDER BY m.end_time LIMIT $2 FOR UPDATE SKIP LOCKED",
        Tuple.of(odt(now), batch));
  }

  /** Calls in progress since before {@code startedBefore}, locked. */
  Future<List<Meeting>> claimOldCalls(SqlClient db, Instant startedBefore, int batch) {
    return MeetingRepository.meetings(db, "SELECT " + MeetingRepository.COLUMNS + " FROM meetings m WHERE m.status = 'in_progress' AND m.is_instant_call"
        + " AND m.started_at <= $1 ORDER BY m.started_at LIMIT $2 FOR UPDATE SKIP LOCKED",
        Tuple.of(odt(startedBefore), batch));
  }

  /**
   * Deletes ended and cancelled meetings whose retention ran out (counted from the scheduled end for
   * meetings, the actual end for calls) with everything that belongs to them. Returns their ids.
   */
  Future<List<String>> purge(SqlClient db, Instant cutoff, int batch) {
    return db.preparedQuery("""
            DELETE FROM meetings WHERE id IN (
              SELECT id FROM meetings WHERE status IN ('ended', 'cancelled')
                AND (CASE WHEN is_instant_call THEN COALESCE(ended_at, end_time) ELSE end_time END) <= $1
              LIMIT $2)
            RETURNING id""")
        .execute(Tuple.of(odt(cutoff), batch))
        .map(MeetingRepository::strings);
  }

  /**
   * Records every reminder that has come due (offset before the start; the at-start one stays due
   * until {@code lapse} after it) for attending participants, once per user, meeting and offset.
   * Returns only what this call recorded, so concurrent sweepers never send one twice. Reminders already
   * recorded are skipped before the batch limit, so a batch never fills up with them.
   */
  Future<List<DueReminder>> dueReminders(SqlClient db, Instant now, List<Integer> offsets, Duration lapse, int batch) {
    if (offsets.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    int maxOffset = offsets.stream().mapToInt(Integer::intValue).max().orElse(0);
    return db.preparedQuery("""
            WITH due AS (
              INSERT INTO reminders_sent (meeting_id, user_id, offset_minutes, sent_at)
              SELECT m.id, p.user_id, o.off, $1
              FROM meetings m
              JOIN unnest($2::int[]) AS o(off) ON m.start_time - make_interval(mins => o.off) <= $1
                AND $1 < CASE WHEN o.off = 0 THEN m.start_time + make_interval(secs => $3) ELSE m.start_time END
              JOIN meeting_participants p ON p.meeting_id = m.id AND p.status IN ('invited', 'accepted')
              WHERE m.status IN ('scheduled', 'in_progress') AND NOT m.is_instant_call
                AND m.start_time > $1 - make_interval(secs => $3) AND m.start_time <= $1 + make_interval(mins => $4)
                AND NOT EXISTS (SELECT 1 FROM reminders_sent r WHERE r.meeting_id = m.id AND r.user_id = p.user_id
                                AND r.offset_minutes = o.off)
              LIMIT $5
              ON CONFLICT DO NOTHING
              RETURNING meeting_id, user_id, offset_minutes)
            SELECT due.meeting_id, due.user_id, due.offset_minutes, m.title, m.start_time
            FROM due JOIN meetings m ON m.id = due.meeting_id""")
        .execute(Tuple.of(odt(now), offsets.toArray(Integer[]::new), (double) lapse.toSeconds(), maxOffset, batch))
        .map(rows -> {
          List<DueReminder> out = new ArrayList<>();
          rows.forEach(r -> out.add(new DueReminder(r.getString(0), r.getString(1), r.getInteger(2), r.getString(3),
              MeetingRepository.instant(r, 4))));
          return out;
        });
  }

  /** A meeting in progress and its attending participants. */
  record LiveMembers(String meetingId, List<String> attending) {}

  /** Meetings in progress after {@code afterId}, in id order, with their attending participants. */
  Future<List<LiveMembers>> liveMembers(SqlClient db, String afterId, int batch) {
    return db.preparedQuery("""
            SELECT m.id, array_agg(p.user_id) FROM meetings m
            JOIN meeting_participants p ON p.meeting_id = m.id AND p.status IN ('invited', 'accepted')
            WHERE m.status = 'in_progress' AND m.id > $1
            GROUP BY m.id ORDER BY m.id LIMIT $2""")
        .execute(Tuple.of(afterId, batch))
        .map(rows -> {
          List<LiveMembers> out = new ArrayList<>();
          rows.forEach(r -> out.add(new LiveMembers(r.getString(0), List.of(r.getArrayOfStrings(1)))));
          return out;
        });
  }
}
