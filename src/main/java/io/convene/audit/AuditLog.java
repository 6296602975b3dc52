package io.convene.audit;

import io.convene.protocol.ApiException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The append-only record of every change to a meeting. Areas write their entries in the transaction
 * of the change itself ({@link #append}), so a change and its record commit together or not at all.
 * Rows are never updated (a database trigger refuses it) and are removed only by {@link #purge}, after
 * {@code audit.retentionDays}, independently of the meetings they describe.
 */
public final class AuditLog {
  public static final String MEETING_CREATED = "meeting.created";
  public static final String MEETING_UPDATED = "meeting.updated";
  public static final String SETTINGS_CHANGED = "meeting.settings_changed";
  public static final String MEETING_STARTED = "meeting.started";
  public static final String MEETING_ENDED = "meeting.ended";
  public static final String MEETING_CANCELLED = "meeting.cancelled";
  public static final String MEETING_DELETED = "meeting.deleted";
  public static final String PARTICIPANT_INVITED = "participant.invited";
  public static final String PARTICIPANT_RESPONDED = "participant.responded";
  public static final String PARTICIPANT_REMOVED = "participant.removed";
  public static final String PARTICIPANT_BANNED = "participant.banned";
  public static final String ROLE_CHANGED = "participant.role_changed";
  public static final String PARTICIPANT_MUTED = "participant.muted";
  public static final String LOBBY_ADMITTED = "lobby.admitted";
  public static final String LOBBY_DECLINED = "lobby.declined";
  public static final String GUEST_ADMITTED = "guest.admitted";
  public static final String GUEST_DECLINED = "guest.declined";
  public static final String GUEST_REMOVED = "guest.removed";
  public static final String LINK_GENERATED = "link.generated";
  /** For the recordings area: a recording started or stopped (write them with {@link #append}). */
  public static final String RECORDING_STARTED = "recording.started";
  public static final String RECORDING_STOPPED = "recording.stopped";

  /** Every action, in catalogue order. */
  public static final List<String> ACTIONS = List.of(MEETING_CREATED, MEETING_UPDATED, SETTINGS_CHANGED,
      MEETING_STARTED, MEETING_ENDED, MEETING_CANCELLED, MEETING_DELETED, PARTICIPANT_INVITED, PARTICIPANT_RESPONDED,
      PARTICIPANT_REMOVED, PARTICIPANT_BANNED, ROLE_CHANGED, PARTICIPANT_MUTED, LOBBY_ADMITTED, LOBBY_DECLINED,
      GUEST_ADMITTED, GUEST_DECLINED, GUEST_REMOVED, LINK_GENERATED, RECORDING_STARTED, RECORDING_STOPPED);

  /** What an admin searches for; null fields do not filter. {@code afterId}: the cursor (entries older than it). */
  public record Query(String actorId, String action, String meetingId, Instant from, Instant to, Long beforeId,
      int limit) {}

  /** A page of entries, newest first, and the cursor of the next one (null at the end). */
  public record Page(List<JsonObject> items, String nextCursor) {
    public JsonObject toJson() {
      JsonObject json = new JsonObject().put("items", new io.vertx.core.json.JsonArray(new ArrayList<>(items)));
      if (nextCursor != null) {
        json.put("nextCursor", nextCursor);
      }
      return json;
    }
  }

  private final Pool pool;
  private final Clock clock;

  public AuditLog(Pool pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
  }

  /** An entry for {@code action} on {@code meetingId} by {@code actorId}, now. */
  public AuditEntry entry(String action, String meetingId, String actorId, JsonObject details) {
    return new AuditEntry(action, meetingId, actorId, details, clock.instant());
  }

  /** Writes {@code entries} with {@code db}: pass the transaction of the change they record. */
  public static Future<Void> append(SqlClient db, List<AuditEntry> entries) {
    if (entries.isEmpty()) {
      return Future.succeededFuture();
    }
    return db.preparedQuery("""
            INSERT INTO audit_log (at, actor_id, action, meeting_id, details)
            SELECT at, actor_id, action, meeting_id, details
            FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::jsonb[])
              WITH ORDINALITY AS e(at, actor_id, action, meeting_id, details, n)
            ORDER BY n""")
        .execute(Tuple.of(
            entries.stream().map(e -> odt(e.at())).toArray(OffsetDateTime[]::new),
            entries.stream().map(AuditEntry::actorId).toArray(String[]::new),
            entries.stream().map(AuditEntry::action).toArray(String[]::new),
            entries.stream().map(AuditEntry::meetingId).toArray(String[]::new),
            entries.stream().map(AuditEntry::details).toArray(JsonObject[]::new)))
        .mapEmpty();
  }

  /** Writes one entry with {@code db}. */
  public static Future<Void> append(SqlClient db, AuditEntry entry) {
    return append(db, List.of(entry));
  }

  /** A meeting's entries, newest first. */
  public Future<Page> ofMeeting(String meetingId, String cursor, int limit) {
    return search(new Query(null, null, meetingId, null, null, decodeCursor(cursor), limit));
  }

  /** Entries matching {@code q}, newest first. */
  public Future<Page> search(Query q) {
    List<Object> params = new ArrayList<>();
    StringBuilder where = new StringBuilder("TRUE");
    if (q.actorId() != null) {
      params.add(q.actorId());
      where.append(" AND actor_id = $").append(params.size());
    }
    if (q.action() != null) {
      params.add(q.action());
      where.append(" AND action = $").append(params.size());
    }
    if (q.meetingId() != null) {
      params.add(q.meetingId());
      where.append(" AND meeting_id = $").append(params.size());
    }
    if (q.from() != null) {
      params.add(odt(q.from()));
      where.append(" AND at >= $").append(params.size());
    }
    if (q.to() != null) {
      params.add(odt(q.to()));
      where.append(" AND at < $").append(params.size());
    }
    if (q.beforeId() != null) {
      params.add(q.beforeId());
      where.append(" AND id < $").append(params.size());
    }
    params.add(q.limit() + 1);
    String sql = "SELECT id, at, actor_id, action, meeting_id, details FROM audit_log WHERE " + where
        + " ORDER BY id DESC LIMIT $" + params.size();
    return pool.preparedQuery(sql).execute(Tuple.wrap(params)).map(rows -> {
      List<JsonObject> items = new ArrayList<>();
      long lastId = 0;
      for (Row r : rows) {
        if (items.size() == q.limit()) {
          return new Page(items, encodeCursor(lastId));
        }
        lastId = r.getLong(0);
        items.add(new JsonObject()
            .put("auditId", "aud_" + lastId)
            .put("at", r.getOffsetDateTime(1).toInstant().toString())
            .put("actorId", r.getString(2))
            .put("action", r.getString(3))
            .put("meetingId", r.getString(4))
            .put("details", r.getValue(5)));
      }
      return new Page(items, null);
    });
  }

  /** Removes up to {@code batch} entries older than {@code retention}; returns how many. */
  public Future<Integer> purge(Duration retention, int batch) {
    Instant before = clock.instant().minus(retention);
    return pool.withTransaction(db -> db.query("SET LOCAL convene.audit_retention = 'on'").execute()
        .compose(v -> db.preparedQuery("DELETE FROM audit_log WHERE id IN"
                + " (SELECT id FROM audit_log WHERE at < $1 ORDER BY at LIMIT $2)")
            .execute(Tuple.of(odt(before), batch)))
        .map(rows -> rows.rowCount()));
  }

  static String encodeCursor(long id) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(("a" + id).getBytes(StandardCharsets.UTF_8));
  }

  /** The id a cursor stands for; null for none; bad request for a cursor this server did not make. */
  public static Long decodeCursor(String cursor) {
    if (cursor == null || cursor.isEmpty()) {
      return null;
    }
    try {
      String s = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      if (s.startsWith("a")) {
        return Long.parseLong(s.substring(1));
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    throw ApiException.badRequest("cursor: not a cursor this server returned");
  }

  private static OffsetDateTime odt(Instant i) {
    return i.atOffset(ZoneOffset.UTC);
  }
}
