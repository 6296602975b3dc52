package io.convene.meeting;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

/** SQL of the meeting_participants table: who belongs to a meeting, with which role and answer. */
final class ParticipantRepository {
  /**
   * Seats people in meetings, each seat with its meeting's window and openness. The meetings' rows are
   * share-locked: a concurrent change of a meeting's window or status (which locks the meeting in a
   * statement before its update, see {@code MeetingRepository.updateMeeting}) either waits for these seats
   * and then sees them, or has committed before and is what they copy.
   */
  private static final String INSERT_PARTICIPANTS =
      """
      INSERT INTO meeting_participants (meeting_id, user_id, role, status, invited_by, invited_at, start_time, end_time,
        meeting_open)
      SELECT m.id, uid, $3, $4, $5, $6, m.start_time, m.end_time, m.status IN ('scheduled', 'in_progress')
      FROM meetings m CROSS JOIN unnest($2::text[]) AS uid
      WHERE m.id = ANY($1::text[])
      FOR SHARE OF m
      ON CONFLICT (meeting_id, user_id) DO UPDATE
        SET status = EXCLUDED.status, invited_by = EXCLUDED.invited_by, invited_at = EXCLUDED.invited_at,
            responded_at = NULL
        WHERE meeting_participants.status = 'declined'
      RETURNING user_id
      """;

  private static final String PARTICIPANT_COLUMNS =
      "p.meeting_id, p.user_id, p.role, p.status, p.invited_by, p.invited_at, p.responded_at";

  /**
   * Invites {@code userIds} into every meeting of {@code meetingIds} with {@code role}. Existing rows
   * stay as they are, except a declined invitation, which is renewed. Returns who was (re)invited.
   */
  Future<List<String>> insertParticipants(
      SqlClient db,
      Collection<String> meetingIds,
      Collection<String> userIds,
      Role role,
      ParticipantStatus status,
      String invitedBy,
      Instant now) {
    if (userIds.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return db.preparedQuery(INSERT_PARTICIPANTS)
        .execute(
            Tuple.of(
                meetingIds.toArray(String[]::new),
                userIds.toArray(String[]::new),
                role.wire(),
                status.wire(),
                invitedBy,
                odt(now)))
        .map(rows -> {
          List<String> out = new ArrayList<>();
          rows.forEach(r -> {
            if (!out.contains(r.getString(0))) {
              out.add(r.getString(0));
            }
          });
          return out;
        });
  }

  /** Everyone who shares a meeting that is not cancelled with {@code userId}, banned people aside. */
  Future<java.util.Set<String>> sharingAMeetingWith(SqlClient db, String userId, int limit) {
    return db.preparedQuery("""
            SELECT DISTINCT o.user_id FROM meeting_participants me
              JOIN meetings m ON m.id = me.meeting_id AND m.status <> 'cancelled'
              JOIN meeting_participants o ON o.meeting_id = me.meeting_id AND o.status <> 'banned'
             WHERE me.user_id = $1 AND me.status <> 'banned'
             LIMIT $2""")
        .execute(Tuple.of(userId, limit))
        .map(rows -> {
          java.util.Set<String> out = new java.util.HashSet<>();
          rows.forEach(r -> out.add(r.getString(0)));
          return out;
        });
  }

  Future<Optional<Participant>> participant(SqlClient db, String meetingId, String userId) {
    return db.preparedQuery(
            "SELECT " + PARTICIPANT_COLUMNS + " FROM meeting_participants p"
                + " WHERE p.meeting_id = $1 AND p.user_id = $2")
        .execute(Tuple.of(meetingId, userId))
        .map(rows -> first(rows).map(ParticipantRepository::participant));
  }

  /** Participants in user-id order after {@code afterUserId}, at most {@code limit}. */
  Future<List<Participant>> participants(SqlClient db, String meetingId, String afterUserId, int limit) {
    return db.preparedQuery(
            "SELECT " + PARTICIPANT_COLUMNS + " FROM meeting_participants p"
                + " WHERE p.meeting_id = $1 AND p.user_id > $2 ORDER BY p.user_id LIMIT $3")
        .execute(Tuple.of(meetingId, afterUserId == null ? "" : afterUserId, limit))
        .map(rows -> {
          List<Participant> out = new ArrayList<>();
          rows.forEach(r -> out.add(participant(r)));
          return out;
        });
  }

  /** Ids of the participants of a meeting whose status is one of {@code statuses}. */
  Future<List<String>> participantIds(SqlClient db, String meetingId, Collection<ParticipantStatus> statuses) {
    return participantIds(db, meetingId, statuses, EnumSet.allOf(Role.class));
  }

  /** Ids of the participants of a meeting whose status is one of {@code statuses} and role one of {@code roles}. */
  Future<List<String>> participantIds(SqlClient db, String meetingId, Collection<ParticipantStatus> statuses,
      Collection<Role> roles) {
    return db.preparedQuery("SELECT user_id FROM meeting_participants WHERE meeting_id = $1 AND status = ANY($2)"
            + " AND role = ANY($3)")
        .execute(Tuple.tuple().addString(meetingId)
            .addArrayOfString(statuses.stream().map(ParticipantStatus::wire).toArray(String[]::new))
            .addArrayOfString(roles.stream().map(Role::wire).toArray(String[]::new)))
        .map(rows -> {
          List<String> out = new ArrayList<>();
          rows.forEach(r -> out.add(r.getString(0)));
          return out;
        });
  }

  /** Existing rows for {@code userIds} in a meeting. */
  Future<List<Participant>> participantsAmong(SqlClient db, String meetingId, Collection<String> userIds) {
    return db.preparedQuery(
            "SELECT " + PARTICIPANT_COLUMNS + " FROM meeting_participants p"
                + " WHERE p.meeting_id = $1 AND p.user_id = ANY($2)")
        .execute(Tuple.tuple().addString(meetingId).addArrayOfString(userIds.toArray(String[]::new)))
        .map(rows -> {
          List<Participant> out = new ArrayList<>();
          rows.forEach(r -> out.add(participant(r)));
          return out;
        });
  }

  Future<Void> setParticipantStatus(
      SqlClient db, String meetingId, String userId, ParticipantStatus status, Instant respondedAt) {
    return db.preparedQuery(
            "UPDATE meeting_participants SET status = $3, responded_at = $4 WHERE meeting_id = $1 AND user_id = $2")
        .execute(Tuple.of(meetingId, userId, status.wire(), odt(respondedAt)))
        .mapEmpty();
  }

  Future<Void> setRole(SqlClient db, String meetingId, String userId, Role role) {
    return db.preparedQuery("UPDATE meeting_participants SET role = $3 WHERE meeting_id = $1 AND user_id = $2")
        .execute(Tuple.of(meetingId, userId, role.wire()))
        .mapEmpty();
  }

  Future<Void> deleteParticipant(SqlClient db, String meetingId, String userId) {
    return db.preparedQuery("DELETE FROM meeting_participants WHERE meeting_id = $1 AND user_id = $2")
        .execute(Tuple.of(meetingId, userId))
        .mapEmpty();
  }

  /** Marks {@code userId}'s first join, when they are a participant. */
  Future<Void> markFirstJoin(SqlClient db, String meetingId, String userId, Instant now) {
    return db.preparedQuery("UPDATE meeting_participants SET first_joined_at = COALESCE(first_joined_at, $3)"
            + " WHERE meeting_id = $1 AND user_id = $2")
        .execute(Tuple.of(meetingId, userId, MeetingRepository.odt(now)))
        .mapEmpty();
  }

  static Participant participant(Row r) {
    return new Participant(
        r.getString("meeting_id"),
        r.getString("user_id"),
        Role.fromWire(r.getString("role")),
        ParticipantStatus.fromWire(r.getString("status")),
        null,
        r.getString("invited_by"),
        instant(r, "invited_at"),
        instant(r, "responded_at"));
  }

  private static Optional<Row> first(io.vertx.sqlclient.RowSet<Row> rows) {
    var it = rows.iterator();
    return it.hasNext() ? Optional.of(it.next()) : Optional.empty();
  }

  private static Instant instant(Row r, String column) {
    var v = r.getOffsetDateTime(column);
    return v == null ? null : v.toInstant();
  }

  private static java.time.OffsetDateTime odt(Instant instant) {
    return MeetingRepository.odt(instant);
  }
}
