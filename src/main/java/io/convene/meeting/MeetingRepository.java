package io.convene.meeting;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * SQL of the meetings table: one meeting (or a series) created with its seats in one statement, reads,
 * the caller's pages and overlap warnings. Participants' rows are {@link ParticipantRepository}'s, the
 * timed sweeps' queries {@link SweepRepository}'s.
 */
final class MeetingRepository {
  static final String COLUMNS =
      """
      m.id, m.title, m.description, m.created_by, m.start_time, m.end_time, m.status, m.is_instant_call,
      m.max_participants, m.allow_external, m.voice_only, m.mute_on_join, m.waiting_room, m.auto_record,
      m.recording_access, m.recurrence, m.parent_meeting_id, m.started_at, m.ended_at, m.unique_participant_count, m.created_at, m.updated_at
      """;

  /**
   * New meetings of one shape (one meeting, or the instances of a series: the first carries the
   * recurrence) with their participants, in one statement; answers the participants of the first.
   */
  private static final String CREATE_MEETINGS =
      """
      WITH new_meetings AS (
        INSERT INTO meetings (id, title, description, created_by, start_time, end_time, status, is_instant_call,
          max_participants, allow_external, voice_only, mute_on_join, waiting_room, recurrence, parent_meeting_id,
          started_at, ended_at, unique_participant_count, created_at, updated_at, auto_record, recording_access)
        SELECT w.id, $5, $6, $7, w.s, w.e, $8, $9, $10, $11, $12, $13, $14,
          CASE WHEN w.n = 1 THEN $15::jsonb END, w.parent, $16, NULL, 0, $17, $17, $22, $23
        FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[], $4::text[]) WITH ORDINALITY AS w(id, s, e, parent, n)
        RETURNING id, start_time, end_time, status),
      new_participants AS (
        INSERT INTO meeting_participants (meeting_id, user_id, role, status, invited_by, invited_at, start_time, end_time,
          meeting_open)
        SELECT nm.id, x.user_id, x.role, x.status, $7, $17, nm.start_time, nm.end_time,
          nm.status IN ('scheduled', 'in_progress')
        FROM new_meetings nm CROSS JOIN unnest($18::text[], $19::text[], $20::text[]) AS x(user_id, role, status)
        RETURNING meeting_id, user_id, role, status, invited_by, invited_at, responded_at)
      SELECT p.meeting_id, p.user_id, p.role, p.status, p.invited_by, p.invited_at, p.responded_at
      FROM new_participants p
      WHERE p.meeting_id = ($1::text[])[1]
      ORDER BY p.user_id
      LIMIT $21
      """;

  /** Updates a meeting, and its seats' copy of its window and openness when either changed. */
  private static final String UPDATE_MEETING =
      """
      WITH m AS (
        UPDATE meetings SET title = $2, description = $3, start_time = $4, end_time = $5, status = $6,
          max_participants = $7, allow_external = $8, voice_only = $9, mute_on_join = $10, waiting_room = $11,
          started_at = $12, ended_at = $13, updated_at = $14, auto_record = $15, recording_access = $16
        WHERE id = $1
        RETURNING id, start_time, end_time, status IN ('scheduled', 'in_progress') AS open)
      UPDATE meeting_participants p SET start_time = m.start_time, end_time = m.end_time, meeting_open = m.open
      FROM m
      WHERE p.meeting_id = m.id
        AND (p.start_time <> m.start_time OR p.end_time <> m.end_time OR p.meeting_open <> m.open)
      """;

  /**
   * Per person, the first {@link #OVERLAPS_PER_PERSON} of their open meetings (earliest end first)
   * overlapping any window, read from their seats alone (see V14): what they attended before is never read,
   * a person with hundreds of meetings in the window costs as much as one with a few, and one with fewer
   * overlaps than the limit costs their open meetings still to come. $5 is the per-person limit, $6 the
   * overall one.
   */
  private static final String OVERLAPS =
      """
      SELECT o.user_id, o.meeting_id, o.start_time, o.end_time
      FROM (SELECT DISTINCT unnest($1::text[])) AS u(id)
      CROSS JOIN LATERAL (
        SELECT p.user_id, p.meeting_id, p.start_time, p.end_time
        FROM meeting_participants p
        WHERE p.user_id = u.id AND p.meeting_open AND p.status IN ('invited', 'accepted')
          AND p.end_time > (SELECT min(s) FROM unnest($2::timestamptz[]) AS s)
          AND p.start_time < (SELECT max(e) FROM unnest($3::timestamptz[]) AS e)
          AND EXISTS (SELECT 1 FROM unnest($2::timestamptz[], $3::timestamptz[]) AS w(s, e)
                      WHERE p.start_time < w.e AND p.end_time > w.s)
          AND NOT (p.meeting_id = ANY($4))
        ORDER BY p.end_time, p.meeting_id
        LIMIT $5) AS o
      ORDER BY o.start_time, o.meeting_id, o.user_id
      LIMIT $6
      """;

  /** Overlap warnings given per person, and in all, for one create or invite. */
  static final int OVERLAPS_PER_PERSON = 3;
  static final int OVERLAPS_IN_ALL = 100;

  /** A meeting of {@code userId} that overlaps a requested window. */
  record Overlap(String userId, String meetingId, Instant startTime, Instant endTime) {
    JsonObject toJson() {
      return new JsonObject()
          .put("code", "overlap")
          .put("userId", userId)
          .put("meetingId", meetingId)
          .put("startTime", startTime.toString())
          .put("endTime", endTime.toString());
    }
  }

  /** A listed meeting with the caller's role in it (null when the caller is not a participant). */
  record Listed(Meeting meeting, Role myRole, ParticipantStatus myStatus) {}

  /**
   * Inserts {@code meetings} (sharing everything but id, times, recurrence and series link; see
   * {@link #CREATE_MEETINGS}) and seats everyone of {@code seats} in each. Returns the first meeting's
   * participants in user id order, at most {@code limit}.
   */
  Future<List<Participant>> createMeetings(SqlClient db, List<Meeting> meetings, List<Seat> seats, int limit) {
    Meeting m = meetings.get(0);
    return db.preparedQuery(CREATE_MEETINGS)
        .execute(
            Tuple.tuple()
                .addArrayOfString(meetings.stream().map(Meeting::id).toArray(String[]::new))
                .addArrayOfOffsetDateTime(meetings.stream().map(x -> odt(x.startTime())).toArray(OffsetDateTime[]::new))
                .addArrayOfOffsetDateTime(meetings.stream().map(x -> odt(x.endTime())).toArray(OffsetDateTime[]::new))
                .addArrayOfString(meetings.stream().map(Meeting::parentMeetingId).toArray(String[]::new))
                .addString(m.title())
                .addString(m.description())
                .addString(m.createdBy())
                .addString(m.status().wire())
                .addBoolean(m.instantCall())
                .addInteger(m.maxParticipants())
                .addBoolean(m.allowExternal())
                .addBoolean(m.settings().voiceOnly())
                .addBoolean(m.settings().muteOnJoin())
                .addBoolean(m.settings().waitingRoom())
                .addValue(m.recurrence() == null ? null : m.recurrence().toJson())
                .addOffsetDateTime(odt(m.startedAt()))
                .addOffsetDateTime(odt(m.createdAt()))
                .addArrayOfString(seats.stream().map(Seat::userId).toArray(String[]::new))
                .addArrayOfString(seats.stream().map(x -> x.role().wire()).toArray(String[]::new))
                .addArrayOfString(seats.stream().map(x -> x.status().wire()).toArray(String[]::new))
                .addInteger(limit)
                .addBoolean(m.settings().autoRecord())
                .addString(m.settings().recordingAccess().wire()))
        .map(rows -> {
          List<Participant> out = new ArrayList<>();
          rows.forEach(r -> out.add(ParticipantRepository.participant(r)));
          return out;
        });
  }

  /**
   * Writes a meeting and its seats' copy of its window and openness. The caller must hold the meeting's
   * row lock from an earlier statement of its transaction (FOR UPDATE): only then does the seats' update
   * see seats added by a transaction it waited for.
   */
  Future<Void> updateMeeting(SqlClient db, Meeting m) {
    return db.preparedQuery(UPDATE_MEETING)
        .execute(
            Tuple.tuple()
                .addString(m.id())
                .addString(m.title())
                .addString(m.description())
                .addOffsetDateTime(odt(m.startTime()))
                .addOffsetDateTime(odt(m.endTime()))
                .addString(m.status().wire())
                .addInteger(m.maxParticipants())
                .addBoolean(m.allowExternal())
                .addBoolean(m.settings().voiceOnly())
                .addBoolean(m.settings().muteOnJoin())
                .addBoolean(m.settings().waitingRoom())
                .addOffsetDateTime(odt(m.startedAt()))
                .addOffsetDateTime(odt(m.endedAt()))
                .addOffsetDateTime(odt(m.updatedAt()))
                .addBoolean(m.settings().autoRecord())
                .addString(m.settings().recordingAccess().wire()))
        .mapEmpty();
  }

  Future<Optional<Meeting>> find(SqlClient db, String id, boolean forUpdate) {
    return db.preparedQuery("SELECT " + COLUMNS + " FROM meetings m WHERE m.id = $1" + (forUpdate ? " FOR UPDATE" : ""))
        .execute(Tuple.of(id))
        .map(rows -> first(rows).map(MeetingRepository::meeting));
  }

  /** The other scheduled instances of a series, locked, in start order. */
  Future<List<Meeting>> scheduledSeriesInstances(SqlClient db, String seriesId) {
    return db.preparedQuery(
            "SELECT " + COLUMNS + " FROM meetings m WHERE (m.parent_meeting_id = $1 OR m.id = $1)"
                + " AND m.status = 'scheduled' ORDER BY m.start_time, m.id FOR UPDATE")
        .execute(Tuple.of(seriesId))
        .map(rows -> {
          List<Meeting> out = new ArrayList<>();
          rows.forEach(r -> out.add(meeting(r)));
          return out;
        });
  }

  /**
   * Records that the meeting's LiveKit room is asked for now; false when it was asked for already (ahead
   * of the start), so it is not asked for twice.
   */
  Future<Boolean> claimRoomRequest(SqlClient db, String id, Instant now) {
    return db.preparedQuery("UPDATE meetings SET room_requested_at = $2 WHERE id = $1 AND room_requested_at IS NULL"
            + " RETURNING id")
        .execute(Tuple.of(id, odt(now)))
        .map(rows -> rows.size() == 1);
  }

  /**
   * Forgets that the room of a meeting that has not started was asked for, so it is asked for again;
   * true when it had been.
   */
  Future<Boolean> forgetRoomRequest(SqlClient db, String id) {
    return db.preparedQuery("UPDATE meetings SET room_requested_at = NULL WHERE id = $1 AND status = 'scheduled'"
            + " AND room_requested_at IS NOT NULL RETURNING id")
        .execute(Tuple.of(id))
        .map(rows -> rows.size() == 1);
  }

  Future<Void> deleteMeeting(SqlClient db, String id) {
    return db.preparedQuery("DELETE FROM meetings WHERE id = $1").execute(Tuple.of(id)).mapEmpty();
  }

  /** Records a join: the meeting's count of distinct people who ever joined. */
  Future<Void> setUniqueParticipants(SqlClient db, String meetingId, int count) {
    return db.preparedQuery("UPDATE meetings SET unique_participant_count = GREATEST(unique_participant_count, $2)"
            + " WHERE id = $1")
        .execute(Tuple.of(meetingId, count))
        .mapEmpty();
  }

  /** The owner of a meeting. */
  Future<Optional<String>> owner(SqlClient db, String meetingId) {
    return db.preparedQuery("SELECT user_id FROM meeting_participants WHERE meeting_id = $1 AND role = 'owner'")
        .execute(Tuple.of(meetingId))
        .map(rows -> first(rows).map(r -> r.getString(0)));
  }

  /** Active meetings of {@code userIds} overlapping any of the windows, other than {@code excludeIds}. */
  Future<List<Overlap>> overlaps(
      SqlClient db, Collection<String> userIds, List<Recurrence.Window> windows, Collection<String> excludeIds) {
    if (userIds.isEmpty() || windows.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return db.preparedQuery(OVERLAPS)
        .execute(
            Tuple.of(
                userIds.toArray(String[]::new),
                windows.stream().map(w -> odt(w.start())).toArray(OffsetDateTime[]::new),
                windows.stream().map(w -> odt(w.end())).toArray(OffsetDateTime[]::new),
                excludeIds.toArray(String[]::new),
                OVERLAPS_PER_PERSON,
                OVERLAPS_IN_ALL))
        .map(rows -> {
          List<Overlap> out = new ArrayList<>();
          rows.forEach(r -> out.add(new Overlap(r.getString(0), r.getString(1), instant(r, 2), instant(r, 3))));
          return out;
        });
  }

  /** One page of the caller's meetings; see {@link MeetingQuery} for filters and order. */
  Future<List<Listed>> list(SqlClient db, String userId, MeetingQuery q, Instant now) {
    List<Object> params = new ArrayList<>();
    params.add(userId);
    StringBuilder sql = new StringBuilder("SELECT ").append(COLUMNS).append(", p.role AS my_role, p.status AS my_status ");
    if (q.filter() == MeetingQuery.Filter.CREATED) {
      sql.append("FROM meetings m LEFT JOIN meeting_participants p ON p.meeting_id = m.id AND p.user_id = $1 ")
          .append("WHERE m.created_by = $1 ");
    } else {
      sql.append("FROM meeting_participants p JOIN meetings m ON m.id = p.meeting_id WHERE p.user_id = $1 ");
      switch (q.filter()) {
        case UPCOMING -> {
          params.add(odt(now));
          sql.append("AND p.status IN ('invited', 'accepted') AND m.status IN ('scheduled', 'in_progress') ")
              .append("AND m.end_time > $").append(params.size()).append(' ');
        }
        case PAST -> {
          params.add(odt(now));
          sql.append("AND p.status <> 'banned' AND (m.status IN ('ended', 'cancelled') OR m.end_time <= $")
              .append(params.size()).append(") ");
        }
        default -> sql.append("AND p.status <> 'banned' ");
      }
    }
    if (q.status() != null) {
      params.add(q.status().wire());
      sql.append("AND m.status = $").append(params.size()).append(' ');
    }
    if (q.instantCall() != null) {
      params.add(q.instantCall());
      sql.append("AND m.is_instant_call = $").append(params.size()).append(' ');
    }
    if (q.text() != null) {
      params.add("%" + q.text().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
      sql.append("AND (m.title ILIKE $").append(params.size())
          .append(" OR m.description ILIKE $").append(params.size()).append(") ");
    }
    boolean ascending = q.filter() == MeetingQuery.Filter.UPCOMING;
    if (q.after() != null) {
      params.add(odt(q.after().startTime()));
      params.add(q.after().id());
      sql.append("AND (m.start_time, m.id) ").append(ascending ? '>' : '<')
          .append(" ($").append(params.size() - 1).append(", $").append(params.size()).append(") ");
    }
    String dir = ascending ? "ASC" : "DESC";
    params.add(q.limit() + 1);
    sql.append("ORDER BY m.start_time ").append(dir).append(", m.id ").append(dir)
        .append(" LIMIT $").append(params.size());
    return db.preparedQuery(sql.toString())
        .execute(Tuple.wrap(params))
        .map(rows -> {
          List<Listed> out = new ArrayList<>();
          rows.forEach(r -> out.add(new Listed(
              meeting(r),
              r.getString("my_role") == null ? null : Role.fromWire(r.getString("my_role")),
              r.getString("my_status") == null ? null : ParticipantStatus.fromWire(r.getString("my_status")))));
          return out;
        });
  }

  static Future<List<Meeting>> meetings(SqlClient db, String sql, Tuple params) {
    return db.preparedQuery(sql).execute(params).map(rows -> {
      List<Meeting> out = new ArrayList<>();
      rows.forEach(r -> out.add(meeting(r)));
      return out;
    });
  }

  static List<String> strings(RowSet<Row> rows) {
    List<String> out = new ArrayList<>();
    rows.forEach(r -> out.add(r.getString(0)));
    return out;
  }

  private static Meeting meeting(Row r) {
    Object recurrence = r.getValue("recurrence");
    return new Meeting(
        r.getString("id"),
        r.getString("title"),
        r.getString("description"),
        r.getString("created_by"),
        instant(r, "start_time"),
        instant(r, "end_time"),
        MeetingStatus.fromWire(r.getString("status")),
        r.getBoolean("is_instant_call"),
        r.getInteger("max_participants"),
        r.getBoolean("allow_external"),
        new Settings(r.getBoolean("voice_only"), r.getBoolean("mute_on_join"), r.getBoolean("waiting_room"),
            r.getBoolean("auto_record"), RecordingAccess.fromWire(r.getString("recording_access"))),
        recurrence instanceof JsonObject json ? Recurrence.fromJson(json) : null,
        r.getString("parent_meeting_id"),
        instant(r, "started_at"),
        instant(r, "ended_at"),
        r.getInteger("unique_participant_count"),
        instant(r, "created_at"),
        instant(r, "updated_at"));
  }

  private static Optional<Row> first(RowSet<Row> rows) {
    var it = rows.iterator();
    return it.hasNext() ? Optional.of(it.next()) : Optional.empty();
  }

  private static Instant instant(Row r, String column) {
    OffsetDateTime v = r.getOffsetDateTime(column);
    return v == null ? null : v.toInstant();
  }

  static Instant instant(Row r, int index) {
    OffsetDateTime v = r.getOffsetDateTime(index);
    return v == null ? null : v.toInstant();
  }

  static OffsetDateTime odt(Instant instant) {
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
  }
}
