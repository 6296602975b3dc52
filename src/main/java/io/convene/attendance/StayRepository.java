package io.convene.attendance;

import io.convene.attendance.AttendanceCalculator.Cycle;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** SQL of attendance_cycles: who is in a meeting's room, and every stay. */
final class StayRepository {
  /**
   * What recording a join did: whether the identity was already in, whether the room was empty, and
   * whether no member (guests aside) was in it.
   */
  record Joined(boolean alreadyIn, boolean firstInRoom, boolean noMemberBefore) {}

  /** How many distinct people (guests too) ever joined the meeting. */
  Future<Integer> uniqueCount(SqlClient db, String meetingId) {
    return db.preparedQuery("SELECT count(DISTINCT user_id) FROM attendance_cycles WHERE meeting_id = $1")
        .execute(Tuple.of(meetingId))
        .map(rows -> rows.iterator().next().getInteger(0));
  }

  /** Which of these meetings have an open stay (of a member, when {@code membersOnly}). */
  Future<List<String>> occupied(SqlClient db, List<String> meetingIds, boolean membersOnly) {
    return db.preparedQuery("SELECT DISTINCT meeting_id FROM attendance_cycles WHERE meeting_id = ANY($1)"
            + " AND left_at IS NULL" + (membersOnly ? " AND user_id NOT LIKE 'guest:%'" : ""))
        .execute(Tuple.of(meetingIds.toArray(String[]::new)))
        .map(StayRepository::strings);
  }

  /**
   * Opens a cycle for {@code identity}, reopening the previous one when it ended within {@code merge}.
   * Runs inside the caller's transaction with the meeting row locked.
   */
  Future<Joined> join(SqlClient db, String meetingId, String identity, Instant now, Duration merge) {
    return db.preparedQuery("SELECT count(*) FILTER (WHERE user_id = $2) AS mine, count(*) AS everyone,"
            + " count(*) FILTER (WHERE user_id NOT LIKE 'guest:%') AS members"
            + " FROM attendance_cycles WHERE meeting_id = $1 AND left_at IS NULL")
        .execute(Tuple.of(meetingId, identity))
        .compose(rows -> {
          var r = rows.iterator().next();
          boolean alreadyIn = r.getLong("mine") > 0;
          boolean firstInRoom = r.getLong("everyone") == 0;
          boolean noMemberBefore = r.getLong("members") == 0;
          if (alreadyIn) {
            return db.preparedQuery("UPDATE attendance_cycles SET last_seen_at = $3"
                    + " WHERE meeting_id = $1 AND user_id = $2 AND left_at IS NULL")
                .execute(Tuple.of(meetingId, identity, odt(now))).map(new Joined(true, false, false));
          }
          return db.preparedQuery("""
                  UPDATE attendance_cycles SET left_at = NULL, last_seen_at = $3
                  WHERE id = (SELECT id FROM attendance_cycles WHERE meeting_id = $1 AND user_id = $2
                              AND left_at >= $4 ORDER BY left_at DESC LIMIT 1)
                  RETURNING id""")
              .execute(Tuple.of(meetingId, identity, odt(now), odt(now.minus(merge))))
              .compose(reopened -> reopened.size() > 0 ? Future.succeededFuture()
                  : db.preparedQuery("INSERT INTO attendance_cycles (meeting_id, user_id, joined_at, last_seen_at)"
                      + " VALUES ($1, $2, $3, $3)").execute(Tuple.of(meetingId, identity, odt(now))))
              .map(new Joined(false, firstInRoom, noMemberBefore));
        });
  }

  /** Closes the open cycle of {@code identity}; false when there was none. */
  Future<Boolean> leave(SqlClient db, String meetingId, String identity, Instant now) {
    return db.preparedQuery("UPDATE attendance_cycles SET left_at = $3, last_seen_at = $3"
            + " WHERE meeting_id = $1 AND user_id = $2 AND left_at IS NULL RETURNING id")
        .execute(Tuple.of(meetingId, identity, odt(now)))
        .map(rows -> rows.size() > 0);
  }

  /** Closes every open cycle of a meeting (it ended). */
  Future<Void> closeAll(SqlClient db, String meetingId, Instant now) {
    return db.preparedQuery("UPDATE attendance_cycles SET left_at = $2 WHERE meeting_id = $1 AND left_at IS NULL")
        .execute(Tuple.of(meetingId, odt(now))).mapEmpty();
  }


  Future<List<Stay>> silentSince(SqlClient db, Instant before, int batch) {
    return db.preparedQuery("SELECT meeting_id, user_id, last_seen_at FROM attendance_cycles"
            + " WHERE left_at IS NULL AND last_seen_at < $1 ORDER BY last_seen_at LIMIT $2")
        .execute(Tuple.of(odt(before), batch))
        .map(rows -> {
          List<Stay> out = new ArrayList<>();
          rows.forEach(r -> out.add(new Stay(r.getString(0), r.getString(1), r.getOffsetDateTime(2).toInstant())));
          return out;
        });
  }

  /** A sign of life for an open stay. */
  Future<Void> touch(SqlClient db, String meetingId, String identity, Instant now) {
    return db.preparedQuery("UPDATE attendance_cycles SET last_seen_at = $3"
            + " WHERE meeting_id = $1 AND user_id = $2 AND left_at IS NULL")
        .execute(Tuple.of(meetingId, identity, odt(now))).mapEmpty();
  }

  /** Identities in the room now. */
  Future<List<String>> present(SqlClient db, String meetingId) {
    return db.preparedQuery("SELECT user_id FROM attendance_cycles WHERE meeting_id = $1 AND left_at IS NULL")
        .execute(Tuple.of(meetingId))
        .map(StayRepository::strings);
  }

  /** Meetings where {@code identity} has an open cycle. */
  Future<List<String>> openMeetingsOf(SqlClient db, String identity) {
    return db.preparedQuery("SELECT meeting_id FROM attendance_cycles WHERE user_id = $1 AND left_at IS NULL")
        .execute(Tuple.of(identity))
        .map(StayRepository::strings);
  }

  /** Every cycle of a meeting, by identity, in join order. */
  Future<Map<String, List<Cycle>>> cycles(SqlClient db, String meetingId) {
    return db.preparedQuery("SELECT user_id, joined_at, left_at FROM attendance_cycles WHERE meeting_id = $1"
            + " ORDER BY user_id, joined_at")
        .execute(Tuple.of(meetingId))
        .map(rows -> {
          Map<String, List<Cycle>> out = new LinkedHashMap<>();
          rows.forEach(r -> {
            OffsetDateTime left = r.getOffsetDateTime("left_at");
            out.computeIfAbsent(r.getString("user_id"), k -> new ArrayList<>()).add(
                new Cycle(r.getOffsetDateTime("joined_at").toInstant(), left == null ? null : left.toInstant()));
          });
          return out;
        });
  }

  private static List<String> strings(io.vertx.sqlclient.RowSet<io.vertx.sqlclient.Row> rows) {
    List<String> out = new ArrayList<>();
    rows.forEach(r -> out.add(r.getString(0)));
    return out;
  }

  private static OffsetDateTime odt(Instant i) {
    return i.atOffset(ZoneOffset.UTC);
  }
}
