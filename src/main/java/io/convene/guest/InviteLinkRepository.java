package io.convene.guest;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;

/** SQL of invite_links: the current link of a meeting (only its hash is kept) and the ones it replaced. */
final class InviteLinkRepository {
  /** A stored link: its meeting, and whether a newer one replaced it. */
  record Link(String meetingId, boolean replaced) {}

  /** Every link of the meeting is marked replaced: none works any more. */
  Future<Void> revokeAll(Pool pool, String meetingId, Instant now) {
    return pool.preparedQuery("UPDATE invite_links SET replaced_at = $2 WHERE meeting_id = $1 AND replaced_at IS NULL")
        .execute(io.vertx.sqlclient.Tuple.of(meetingId, now.atOffset(java.time.ZoneOffset.UTC))).mapEmpty();
  }

  /** Stores a new link for the meeting; the previous one is marked replaced. Run it in a transaction. */
  Future<Void> replace(SqlClient db, String meetingId, String tokenHash, String createdBy, Instant now) {
    return db.preparedQuery("UPDATE invite_links SET replaced_at = $2 WHERE meeting_id = $1 AND replaced_at IS NULL")
        .execute(Tuple.of(meetingId, now.atOffset(ZoneOffset.UTC)))
        .compose(v -> db.preparedQuery("INSERT INTO invite_links (token_hash, meeting_id, created_by, created_at)"
            + " VALUES ($1, $2, $3, $4)").execute(Tuple.of(tokenHash, meetingId, createdBy, now.atOffset(ZoneOffset.UTC))))
        .mapEmpty();
  }

  Future<Optional<Link>> find(Pool pool, String tokenHash) {
    return pool.preparedQuery("SELECT meeting_id, replaced_at FROM invite_links WHERE token_hash = $1")
        .execute(Tuple.of(tokenHash))
        .map(rows -> {
          if (rows.size() == 0) {
            return Optional.empty();
          }
          Row r = rows.iterator().next();
          return Optional.of(new Link(r.getString("meeting_id"), r.getOffsetDateTime("replaced_at") != null));
        });
  }
}
