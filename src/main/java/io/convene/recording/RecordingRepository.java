package io.convene.recording;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** SQL of the recordings table. */
final class RecordingRepository {
  private static final String COLUMNS = """
      id, meeting_id, egress_id, status, auto, started_by, file_path, stop_requested_at, stopped_by, stop_reason,
      location, duration_ms, size_bytes, error, created_at, started_at, ended_at, updated_at, checked_at""";
  private static final String ACTIVE = "status IN ('starting', 'recording')";

  /**
   * Stores a new recording unless the meeting has one running (or, for {@code auto}, ever had one
   * started by its setting): the partial unique indexes decide, however requests interleave. Returns
   * whether it was stored.
   */
  Future<Boolean> insert(SqlClient db, Recording r) {
    return db.preparedQuery("""
            INSERT INTO recordings (id, meeting_id, status, auto, started_by, file_path, created_at, updated_at, checked_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $7)
            ON CONFLICT DO NOTHING
            RETURNING id""")
        .execute(Tuple.of(r.id(), r.meetingId(), r.status().wire(), r.auto(), r.startedBy(), r.filePath(),
            odt(r.createdAt())))
        .map(rows -> rows.size() == 1);
  }

  Future<Optional<Recording>> find(SqlClient db, String id) {
    return one(db, "SELECT " + COLUMNS + " FROM recordings WHERE id = $1", Tuple.of(id));
  }

  /** The recording, its row locked for the caller's transaction. */
  Future<Optional<Recording>> lock(SqlClient db, String id) {
    return one(db, "SELECT " + COLUMNS + " FROM recordings WHERE id = $1 FOR UPDATE", Tuple.of(id));
  }

  Future<Optional<Recording>> byEgress(SqlClient db, String egressId) {
    return one(db, "SELECT " + COLUMNS + " FROM recordings WHERE egress_id = $1", Tuple.of(egressId));
  }

  /** The meeting's recording that is starting or recording, if any. */
  Future<Optional<Recording>> active(SqlClient db, String meetingId) {
    return one(db, "SELECT " + COLUMNS + " FROM recordings WHERE meeting_id = $1 AND " + ACTIVE, Tuple.of(meetingId));
  }

  /** One page of a meeting's recordings, oldest first, after the recording {@code afterId} (null: from the start). */
  Future<List<Recording>> page(SqlClient db, String meetingId, String afterId, int limit) {
    return many(db, "SELECT " + COLUMNS + " FROM recordings r WHERE meeting_id = $1"
            + " AND ($2::text IS NULL OR (created_at, id) > (SELECT created_at, id FROM recordings WHERE id = $2))"
            + " ORDER BY created_at, id LIMIT $3",
        Tuple.of(meetingId, afterId, limit));
  }

  /** Writes what changed about a recording (status and facts; never its identity or who started it). */
  Future<Recording> update(SqlClient db, Recording r) {
    return db.preparedQuery("""
            UPDATE recordings SET egress_id = $2, status = $3, location = $4, duration_ms = $5, size_bytes = $6,
              error = $7, started_at = $8, ended_at = $9, updated_at = $10, checked_at = $11
            WHERE id = $1""")
        .execute(Tuple.tuple().addString(r.id()).addString(r.egressId()).addString(r.status().wire())
            .addString(r.location()).addLong(r.durationMillis()).addLong(r.sizeBytes()).addString(r.error())
            .addOffsetDateTime(odt(r.startedAt())).addOffsetDateTime(odt(r.endedAt()))
            .addOffsetDateTime(odt(r.updatedAt())).addOffsetDateTime(odt(r.checkedAt())))
        .map(r);
  }

  /**
   * Records that someone (or the end of the meeting) asked to stop a running recording; the first
   * request's who and why stay. Empty when the recording is not running.
   */
  Future<Optional<Recording>> requestStop(SqlClient db, String id, String by, String reason, Instant at) {
    return one(db, "UPDATE recordings SET stop_requested_at = COALESCE(stop_requested_at, $2),"
            + " stopped_by = CASE WHEN stop_requested_at IS NULL THEN $3 ELSE stopped_by END,"
            + " stop_reason = COALESCE(stop_reason, $4)"
            + " WHERE id = $1 AND " + ACTIVE + " RETURNING " + COLUMNS,
        Tuple.of(id, odt(at), by, reason));
  }

  /** The meeting's running recordings. */
  Future<List<Recording>> running(SqlClient db, String meetingId) {
    return many(db, "SELECT " + COLUMNS + " FROM recordings WHERE meeting_id = $1 AND " + ACTIVE, Tuple.of(meetingId));
  }

  /**
   * Claims unsettled recordings (starting, recording, processing) not checked since {@code before}: they
   * are marked checked now, so another sweeper (or this one, next time) leaves them for a while.
   */
  Future<List<Recording>> claimUnchecked(SqlClient db, Instant before, Instant now, int batch) {
    return many(db, "UPDATE recordings SET checked_at = $2 WHERE id IN ("
            + " SELECT id FROM recordings WHERE status IN ('starting', 'recording', 'processing') AND checked_at <= $1"
            + " ORDER BY checked_at LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING " + COLUMNS,
        Tuple.of(odt(before), odt(now), batch));
  }

  /** Deletes a recording that is over (ready or failed); whether it was deleted. */
  Future<Boolean> deleteSettled(SqlClient db, String id) {
    return db.preparedQuery("DELETE FROM recordings WHERE id = $1 AND status IN ('ready', 'failed') RETURNING id")
        .execute(Tuple.of(id)).map(rows -> rows.size() == 1);
  }

  private static Future<Optional<Recording>> one(SqlClient db, String sql, Tuple params) {
    return many(db, sql, params).map(list -> list.isEmpty() ? Optional.empty() : Optional.of(list.get(0)));
  }

  private static Future<List<Recording>> many(SqlClient db, String sql, Tuple params) {
    return db.preparedQuery(sql).execute(params).map(RecordingRepository::recordings);
  }

  private static List<Recording> recordings(RowSet<Row> rows) {
    List<Recording> out = new ArrayList<>();
    for (Row r : rows) {
      out.add(new Recording(
          r.getString("id"),
          r.getString("meeting_id"),
          r.getString("egress_id"),
          RecordingStatus.fromWire(r.getString("status")),
          r.getBoolean("auto"),
          r.getString("started_by"),
          r.getString("file_path"),
          instant(r, "stop_requested_at"),
          r.getString("stopped_by"),
          r.getString("stop_reason"),
          r.getString("location"),
          r.getLong("duration_ms"),
          r.getLong("size_bytes"),
          r.getString("error"),
          instant(r, "created_at"),
          instant(r, "started_at"),
          instant(r, "ended_at"),
          instant(r, "updated_at"),
          instant(r, "checked_at")));
    }
    return out;
  }

  private static Instant instant(Row r, String column) {
    OffsetDateTime v = r.getOffsetDateTime(column);
    return v == null ? null : v.toInstant();
  }

  private static OffsetDateTime odt(Instant i) {
    return i == null ? null : i.atOffset(ZoneOffset.UTC);
  }
}
