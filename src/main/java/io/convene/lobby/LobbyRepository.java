package io.convene.lobby;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Optional;

/** SQL of lobby_entries: one row per person who asked to enter a meeting, and the decision. */
final class LobbyRepository {
  /** Someone waiting: their identity (a user id or guest:<sessionId>) and display name. */
  record Waiting(String identity, String displayName) {}

  Future<Optional<LobbyState>> state(SqlClient db, String meetingId, String identity) {
    return db.preparedQuery("SELECT state FROM lobby_entries WHERE meeting_id = $1 AND identity = $2")
        .execute(Tuple.of(meetingId, identity))
        .map(rows -> rows.size() == 0 ? Optional.empty()
            : Optional.of(LobbyState.fromWire(rows.iterator().next().getString(0))));
  }

  /**
   * Puts {@code identity} in the lobby unless a decision was made about them. Returns whether they
   * started waiting now ({@code false} when they were waiting already, or a decision was made); empty
   * when the meeting is over. The meeting's row is share-locked: a meeting ending meanwhile either waits
   * for this entry, and then settles it, or has ended first and is seen so.
   */
  Future<Optional<Boolean>> enter(SqlClient db, String meetingId, String identity, String displayName, Instant now) {
    return db.preparedQuery("""
            WITH m AS (SELECT id FROM meetings WHERE id = $1 AND status IN ('scheduled', 'in_progress') FOR SHARE),
            entered AS (
              INSERT INTO lobby_entries (meeting_id, identity, display_name, state, asked_at)
              SELECT m.id, $2, $3, 'waiting', $4 FROM m
              ON CONFLICT (meeting_id, identity) DO UPDATE SET display_name = EXCLUDED.display_name
                WHERE lobby_entries.state = 'waiting'
              RETURNING (xmax = 0) AS inserted)
            SELECT EXISTS (SELECT 1 FROM m) AS open, COALESCE((SELECT inserted FROM entered), false) AS inserted""")
        .execute(Tuple.of(meetingId, identity, displayName, now.atOffset(ZoneOffset.UTC)))
        .map(rows -> {
          Row r = rows.iterator().next();
          return r.getBoolean("open") ? Optional.of(r.getBoolean("inserted")) : Optional.empty();
        });
  }

  /** Moves a waiting person to {@code to}; false when they were not waiting (the first decision wins). */
  Future<Boolean> decide(SqlClient db, String meetingId, String identity, LobbyState to, String by, Instant now) {
    return db.preparedQuery("""
            UPDATE lobby_entries SET state = $3, decided_at = $4, decided_by = $5
            WHERE meeting_id = $1 AND identity = $2 AND state = 'waiting'
            RETURNING identity""")
        .execute(Tuple.of(meetingId, identity, to.wire(), now.atOffset(ZoneOffset.UTC), by))
        .map(rows -> rows.size() == 1);
  }

  /** Removes those of {@code identities} still waiting; returns who was. */
  Future<List<String>> withdraw(SqlClient db, String meetingId, List<String> identities) {
    return db.preparedQuery("DELETE FROM lobby_entries WHERE meeting_id = $1 AND identity = ANY($2)"
            + " AND state = 'waiting' RETURNING identity")
        .execute(Tuple.tuple().addString(meetingId).addArrayOfString(identities.toArray(String[]::new)))
        .map(rows -> {
          List<String> out = new ArrayList<>();
          rows.forEach(r -> out.add(r.getString(0)));
          return out;
        });
  }

  Future<Set<String>> asked(SqlClient db, String meetingId) {
    return db.preparedQuery("SELECT identity FROM lobby_entries WHERE meeting_id = $1")
        .execute(Tuple.of(meetingId))
        .map(rows -> {
          Set<String> out = new HashSet<>();
          rows.forEach(r -> out.add(r.getString(0)));
          return out;
        });
  }

  /** Everyone waiting, in the order they asked. */
  Future<List<Waiting>> waiting(SqlClient db, String meetingId) {
    return db.preparedQuery("SELECT identity, display_name FROM lobby_entries WHERE meeting_id = $1"
            + " AND state = 'waiting' ORDER BY asked_at, identity")
        .execute(Tuple.of(meetingId))
        .map(rows -> {
          List<Waiting> out = new ArrayList<>();
          rows.forEach(r -> out.add(new Waiting(r.getString(0), r.getString(1))));
          return out;
        });
  }
}
