package io.convene.guest;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** SQL of guest_sessions: guests registered through a link, until their session ends. */
final class GuestSessionRepository {
  /** A guest session as stored; the token is kept only as its SHA-256. */
  record Stored(String id, String meetingId, String displayName, GuestSession.Status status, Instant expiresAt) {}

  /** A session due to end: because it expired, or because its grace after every member left ran out. */
  record Due(String id, String meetingId, boolean expired) {}

  Future<Void> insert(Pool pool, String id, String meetingId, String tokenHash, String displayName, String email,
      JsonObject keys, Instant now, Instant expiresAt) {
    return pool.preparedQuery("INSERT INTO guest_sessions (id, meeting_id, token_hash, display_name, email, keys,"
            + " status, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, 'registered', $7, $8)")
        .execute(Tuple.tuple().addString(id).addString(meetingId).addString(tokenHash).addString(displayName)
            .addString(email).addValue(keys).addOffsetDateTime(odt(now)).addOffsetDateTime(odt(expiresAt)))
        .mapEmpty();
  }

  Future<Optional<Stored>> find(Pool pool, String id) {
    return pool.preparedQuery("SELECT id, meeting_id, display_name, status, expires_at FROM guest_sessions WHERE id = $1")
        .execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(stored(rows.iterator().next())));
  }

  /** The live session a token proves. */
  Future<Optional<Stored>> byToken(Pool pool, String tokenHash, Instant now) {
    return pool.preparedQuery("SELECT id, meeting_id, display_name, status, expires_at FROM guest_sessions"
            + " WHERE token_hash = $1 AND status <> 'ended' AND expires_at > $2")
        .execute(Tuple.of(tokenHash, odt(now)))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(stored(rows.iterator().next())));
  }

  /** A guest's key bundle with their meeting and name. */
  Future<Optional<Row>> keys(Pool pool, String id) {
    return pool.preparedQuery("SELECT meeting_id, display_name, keys FROM guest_sessions WHERE id = $1")
        .execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next()));
  }

  /** Sessions of a meeting that are still live. */
  Future<List<String>> live(Pool pool, String meetingId, Instant now) {
    return pool.preparedQuery("SELECT id FROM guest_sessions WHERE meeting_id = $1 AND status <> 'ended' AND expires_at > $2")
        .execute(Tuple.of(meetingId, odt(now)))
        .map(GuestSessionRepository::ids);
  }

  /** A meeting's live guest sessions: how many, and how many stored a key bundle. */
  Future<long[]> liveCounts(Pool pool, String meetingId, Instant now) {
    return pool.preparedQuery("SELECT count(*), count(keys) FROM guest_sessions WHERE meeting_id = $1"
            + " AND status <> 'ended' AND expires_at > $2")
        .execute(Tuple.of(meetingId, odt(now)))
        .map(rows -> {
          Row r = rows.iterator().next();
          return new long[] {r.getLong(0), r.getLong(1)};
        });
  }

  /** Ends a session; false when it had ended already. */
  Future<Boolean> end(SqlClient db, String id) {
    return db.preparedQuery("UPDATE guest_sessions SET status = 'ended' WHERE id = $1 AND status <> 'ended' RETURNING id")
        .execute(Tuple.of(id))
        .map(rows -> rows.size() == 1);
  }

  /** Every member left: the meeting's live sessions end at {@code endAt} unless one comes back. Returns them. */
  Future<List<String>> endingAt(Pool pool, String meetingId, Instant endAt) {
    return pool.preparedQuery("UPDATE guest_sessions SET ending_at = $2 WHERE meeting_id = $1 AND status <> 'ended'"
            + " AND ending_at IS NULL RETURNING id")
        .execute(Tuple.of(meetingId, odt(endAt)))
        .map(GuestSessionRepository::ids);
  }

  /** Sessions past their lifetime or their grace, claimed for the caller's transaction. */
  Future<List<Due>> claimDue(SqlClient db, Instant now, int batch) {
    return db.preparedQuery("SELECT id, meeting_id, expires_at <= $1 AS expired FROM guest_sessions"
            + " WHERE status <> 'ended' AND (expires_at <= $1 OR ending_at <= $1)"
            + " ORDER BY LEAST(expires_at, COALESCE(ending_at, expires_at)) LIMIT $2 FOR UPDATE SKIP LOCKED")
        .execute(Tuple.of(odt(now), batch))
        .map(rows -> {
          List<Due> out = new ArrayList<>();
          rows.forEach(r -> out.add(new Due(r.getString(0), r.getString(1), r.getBoolean(2))));
          return out;
        });
  }

  /** Ends every live session of a meeting; returns them. */
  Future<List<String>> endAllOf(SqlClient db, String meetingId) {
    return db.preparedQuery("UPDATE guest_sessions SET status = 'ended' WHERE meeting_id = $1 AND status <> 'ended' RETURNING id")
        .execute(Tuple.of(meetingId))
        .map(GuestSessionRepository::ids);
  }

  Future<Void> endAll(SqlClient db, List<String> ids) {
    return db.preparedQuery("UPDATE guest_sessions SET status = 'ended' WHERE id = ANY($1)")
        .execute(Tuple.of(ids.toArray(String[]::new))).mapEmpty();
  }

  /** A member came back before the grace ran out: these sessions go on. */
  Future<Void> keep(SqlClient db, List<String> ids) {
    return db.preparedQuery("UPDATE guest_sessions SET ending_at = NULL WHERE id = ANY($1)")
        .execute(Tuple.of(ids.toArray(String[]::new))).mapEmpty();
  }

  private static Stored stored(Row r) {
    return new Stored(r.getString("id"), r.getString("meeting_id"), r.getString("display_name"),
        GuestSession.Status.fromWire(r.getString("status")), r.getOffsetDateTime("expires_at").toInstant());
  }

  private static List<String> ids(io.vertx.sqlclient.RowSet<Row> rows) {
    List<String> out = new ArrayList<>();
    rows.forEach(r -> out.add(r.getString(0)));
    return out;
  }

  private static OffsetDateTime odt(Instant i) {
    return i.atOffset(ZoneOffset.UTC);
  }
}
