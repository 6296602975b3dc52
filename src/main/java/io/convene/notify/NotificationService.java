package io.convene.notify;

import io.convene.bus.UserEvents;
import io.convene.outbox.Effect;
import io.convene.outbox.Outbox;
import io.convene.protocol.ApiException;
import io.convene.protocol.FieldError;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notifications stored per user until read: missed calls, reminders, live invites, lobby requests, disabled
 * webhooks.
 * Flags in Redis say who may have unread ones; they are hints (a stale one costs a query at the next
 * connect).
 */
public final class NotificationService {
  private static final Logger LOG = LoggerFactory.getLogger(NotificationService.class);
  public static final String MISSED_CALL = "missed_call";
  public static final String REMINDER = "reminder";
  /** Someone waits in a meeting's lobby; settled (read) once they are let in, turned away or gone. */
  public static final String LOBBY_REQUEST = "lobby_request";
  /** Someone was invited into a meeting in progress; lapses when the meeting ends. */
  public static final String LIVE_INVITE = "live_invite";
  /** Types a user may dismiss per meeting. */
  public static final java.util.Set<String> TYPES = java.util.Set.of(MISSED_CALL, REMINDER, LOBBY_REQUEST, LIVE_INVITE);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String COLUMNS = "id, type, meeting_id, data, created_at, read_at";

  /** Outbox kind: store a notification (once) and tell the user's devices. */
  public static final String NOTICE = "notice";

  private final Pool pool;
  private final Redis redis;
  /** Redis set of the users who may have unread notifications: a device connecting asks it, not the database. */
  private final String unreadKey;
  private final UserEvents events;
  private final Clock clock;
  private String flagCursor = "";

  public NotificationService(Pool pool, Redis redis, String keyPrefix, UserEvents events, Outbox outbox, Clock clock) {
    this.pool = pool;
    this.redis = redis;
    this.unreadKey = keyPrefix + "notify:unread";
    this.events = events;
    this.clock = clock;
    outbox.handle(NOTICE, this::deliver);
  }

  /**
   * A notification to store and announce once the change it follows from has committed: kept in the
   * outbox, stored under its own id (so carrying it out again stores it once), then {@code eventType}
   * goes to every device of the user with the notification's id in its data.
   */
  public Effect notice(String userId, String type, String meetingId, JsonObject data, Instant expiresAt,
      String eventType) {
    return new Effect(NOTICE, new JsonObject().put("notificationId", "ntf_" + random()).put("userId", userId)
        .put("type", type).put("meetingId", meetingId).put("data", data)
        .put("expiresAt", expiresAt == null ? null : expiresAt.toString()).put("event", eventType)
        .put("createdAt", clock.instant().truncatedTo(ChronoUnit.MICROS).toString()));
  }

  /**
   * Stores notices ({@link #notice}) now, in the caller's transaction, so that a later change settling
   * them ({@link #settle}) finds them; the caller still writes them to the outbox, which then only
   * announces them.
   */
  public Future<Void> store(SqlClient db, List<Effect> notices) {
    if (notices.isEmpty()) {
      return Future.succeededFuture();
    }
    List<JsonObject> all = notices.stream().map(Effect::payload).toList();
    return db.preparedQuery("""
            INSERT INTO notifications (id, user_id, type, meeting_id, data, created_at, expires_at)
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::timestamptz[],
              $7::timestamptz[])
            ON CONFLICT (id) DO NOTHING""")
        .execute(Tuple.of(
            all.stream().map(n -> n.getString("notificationId")).toArray(String[]::new),
            all.stream().map(n -> n.getString("userId")).toArray(String[]::new),
            all.stream().map(n -> n.getString("type")).toArray(String[]::new),
            all.stream().map(n -> n.getString("meetingId")).toArray(String[]::new),
            all.stream().map(n -> n.getJsonObject("data")).toArray(JsonObject[]::new),
            all.stream().map(n -> odt(n.getString("createdAt"))).toArray(OffsetDateTime[]::new),
            all.stream().map(n -> odt(n.getString("expiresAt"))).toArray(OffsetDateTime[]::new)))
        .mapEmpty();
  }

  /**
   * Stores the notification (once: it may be stored already) and tells the user's devices, unless it was
   * read (settled) before it could be announced.
   */
  private Future<Void> deliver(JsonObject n) {
    String id = n.getString("notificationId");
    return pool.preparedQuery("""
            WITH stored AS (
              INSERT INTO notifications (id, user_id, type, meeting_id, data, created_at, expires_at)
              VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING
              RETURNING read_at)
            SELECT read_at FROM stored
            UNION ALL SELECT read_at FROM notifications WHERE id = $1""")
        .execute(Tuple.of(id, n.getString("userId"), n.getString("type"), n.getString("meetingId"),
            n.getJsonObject("data"), odt(n.getString("createdAt")), odt(n.getString("expiresAt"))))
        .compose(rows -> {
          boolean unread = rows.size() > 0 && rows.iterator().next().getValue(0) == null;
          if (!unread) {
            return Future.succeededFuture();
          }
          return flag(n.getString("userId")).map(v -> {
            events.publish(List.of(n.getString("userId")), n.getString("event"),
                n.getJsonObject("data").copy().put("meetingId", n.getString("meetingId")).put("notificationId", id));
            return null;
          });
        });
  }

  /** Marks read, with {@code db}, every unread notification of {@code type} about a meeting: what they announced is settled. */
  public Future<Void> settle(SqlClient db, String type, String meetingId) {
    return markRead(db, type, meetingId, null);
  }

  /**
   * Marks read, in the caller's transaction, the unread notifications of {@code type} about a meeting
   * whose data contains any of {@code about}: what they announced is settled.
   */
  public Future<Void> settle(SqlClient db, String type, String meetingId, List<JsonObject> about) {
    return about.isEmpty() ? Future.succeededFuture() : markRead(db, type, meetingId, about.toArray(JsonObject[]::new));
  }

  /** {@code about} null: every unread notification of {@code type} about the meeting. */
  private Future<Void> markRead(SqlClient db, String type, String meetingId, JsonObject[] about) {
    return db.preparedQuery("UPDATE notifications SET read_at = $4 WHERE meeting_id = $1 AND type = $2"
            + " AND read_at IS NULL AND ($3::jsonb[] IS NULL OR data @> ANY($3::jsonb[]))")
        .execute(Tuple.of(meetingId, type, about, clock.instant().atOffset(ZoneOffset.UTC)))
        .mapEmpty();
  }

  private static OffsetDateTime odt(String instant) {
    return instant == null ? null : Instant.parse(instant).atOffset(ZoneOffset.UTC);
  }

  /** A page of notifications, newest first. */
  public record Page(List<JsonObject> items, String nextCursor) {}

  /** Marks the user's unread notifications of {@code type} about a meeting read. */
  public Future<Integer> dismiss(String userId, String meetingId, String type) {
    return pool.preparedQuery("UPDATE notifications SET read_at = $4 WHERE user_id = $1 AND meeting_id = $2"
            + " AND type = $3 AND read_at IS NULL")
        .execute(Tuple.of(userId, meetingId, type, clock.instant().atOffset(ZoneOffset.UTC)))
        .compose(rows -> unflagIfNone(userId).map(rows.rowCount()));
  }

  private Future<Void> flag(String userId) {
    return redis.send(Request.cmd(Command.SADD).arg(unreadKey).arg(userId)).mapEmpty();
  }

  /**
   * Clears the user's flag when nothing is unread; checks again afterwards, so a notification stored
   * in between is flagged again rather than hidden from the next connect.
   */
  private Future<Void> unflagIfNone(String userId) {
    return hasUnread(userId).compose(any -> any ? Future.<Void>succeededFuture() : unflag(userId));
  }

  /** Clears the user's flag, found with nothing unread; flags again what was stored in between. */
  private Future<Void> unflag(String userId) {
    return redis.send(Request.cmd(Command.SREM).arg(unreadKey).arg(userId))
        .compose(v -> hasUnread(userId))
        .compose(again -> again ? flag(userId) : Future.succeededFuture());
  }

  private Future<Boolean> hasUnread(String userId) {
    return pool.preparedQuery("SELECT EXISTS (SELECT 1 FROM notifications WHERE user_id = $1 AND read_at IS NULL"
            + " AND (expires_at IS NULL OR expires_at > $2))")
        .execute(Tuple.of(userId, clock.instant().atOffset(ZoneOffset.UTC)))
        .map(rows -> rows.iterator().next().getBoolean(0));
  }

  /**
   * Flags again the next {@code batch} users who have unread notifications (in id order, wrapping
   * around), so flags a Redis lost come back within a few sweeps. Returns how many it flagged.
   */
  public Future<Integer> refreshFlags(int batch) {
    return pool.preparedQuery("SELECT DISTINCT user_id FROM notifications WHERE read_at IS NULL AND user_id > $1"
            + " ORDER BY user_id LIMIT $2")
        .execute(Tuple.of(flagCursor, batch))
        .compose(rows -> {
          List<String> users = new ArrayList<>();
          rows.forEach(r -> users.add(r.getString(0)));
          flagCursor = users.size() < batch ? "" : users.get(users.size() - 1);
          if (users.isEmpty()) {
            return Future.succeededFuture(0);
          }
          Request add = Request.cmd(Command.SADD).arg(unreadKey);
          users.forEach(add::arg);
          return redis.send(add).map(users.size());
        });
  }

  /** Removes the notifications about meetings that were deleted. */
  public Future<Void> forgetMeetings(List<String> meetingIds) {
    if (meetingIds.isEmpty()) {
      return Future.succeededFuture();
    }
    return pool.preparedQuery("DELETE FROM notifications WHERE meeting_id = ANY($1)")
        .execute(Tuple.of(meetingIds.toArray(String[]::new))).mapEmpty();
  }

  /** Removes expired notifications and those read more than {@code keepRead} ago. Unread ones stay. */
  public Future<Integer> cleanUp(java.time.Duration keepRead, int batch) {
    Instant now = clock.instant();
    return pool.preparedQuery("DELETE FROM notifications WHERE id IN (SELECT id FROM notifications"
            + " WHERE (expires_at IS NOT NULL AND expires_at <= $1) OR (read_at IS NOT NULL AND read_at <= $2) LIMIT $3)")
        .execute(Tuple.of(now.atOffset(ZoneOffset.UTC), now.minus(keepRead).atOffset(ZoneOffset.UTC), batch))
        .map(rows -> rows.rowCount());
  }

  /**
   * Which of {@code userIds} may have unread notifications, in order: one Redis lookup for many users,
   * so a storm of connecting devices asks the database only for those with something to send.
   */
  public Future<List<Boolean>> mayHaveUnread(List<String> userIds) {
    Request ask = Request.cmd(Command.SMISMEMBER).arg(unreadKey);
    userIds.forEach(ask::arg);
    return redis.send(ask).map(r -> {
      List<Boolean> out = new ArrayList<>(userIds.size());
      r.forEach(v -> out.add(v.toInteger() == 1));
      return out;
    });
  }

  /**
   * What a connecting device of a flagged user is sent: their unread notifications, newest first. When
   * there are none (settled meanwhile), the flag is cleared, so their next connect asks the database
   * nothing.
   */
  public Future<List<JsonObject>> unreadOnConnect(String userId, int limit) {
    return unread(userId, limit).compose(items -> items.isEmpty()
        ? unflag(userId)
            .onFailure(err -> LOG.warn("unread flag of {} not cleared: {}", userId, err.getMessage()))
            .map(items).otherwise(items)
        : Future.succeededFuture(items));
  }

  /** The user's unread notifications, newest first. */
  public Future<List<JsonObject>> unread(String userId, int limit) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM notifications WHERE user_id = $1 AND read_at IS NULL"
            + " AND (expires_at IS NULL OR expires_at > $3) ORDER BY created_at DESC LIMIT $2")
        .execute(Tuple.of(userId, limit, clock.instant().atOffset(ZoneOffset.UTC)))
        .map(rows -> {
          List<JsonObject> out = new ArrayList<>();
          rows.forEach(r -> out.add(json(r)));
          return out;
        });
  }

  public Future<Page> list(String userId, boolean unreadOnly, String cursor, int limit) {
    List<Object> params = new ArrayList<>(List.of(userId, clock.instant().atOffset(ZoneOffset.UTC)));
    StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM notifications WHERE user_id = $1"
        + " AND (expires_at IS NULL OR expires_at > $2)");
    if (unreadOnly) {
      sql.append(" AND read_at IS NULL");
    }
    if (cursor != null) {
      String[] c = decode(cursor);
      params.add(OffsetDateTime.parse(c[0]));
      params.add(c[1]);
      sql.append(" AND (created_at, id) < ($3, $4)");
    }
    params.add(limit + 1);
    sql.append(" ORDER BY created_at DESC, id DESC LIMIT $").append(params.size());
    return pool.preparedQuery(sql.toString()).execute(Tuple.wrap(params)).map(rows -> {
      List<JsonObject> items = new ArrayList<>();
      List<Row> all = new ArrayList<>();
      rows.forEach(all::add);
      boolean more = all.size() > limit;
      List<Row> page = more ? all.subList(0, limit) : all;
      page.forEach(r -> items.add(json(r)));
      Row last = page.isEmpty() ? null : page.get(page.size() - 1);
      return new Page(items, more ? encode(last.getOffsetDateTime("created_at").toString(), last.getString("id")) : null);
    });
  }

  /** Marks one of the user's notifications read; idempotent; someone else's is not found. */
  public Future<Void> markRead(String userId, String id) {
    return pool.preparedQuery(
            "UPDATE notifications SET read_at = COALESCE(read_at, $3) WHERE id = $1 AND user_id = $2 RETURNING id")
        .execute(Tuple.of(id, userId, clock.instant().atOffset(ZoneOffset.UTC)))
        .compose(rows -> rows.size() == 1 ? unflagIfNone(userId)
            : Future.failedFuture(ApiException.notFound("notification")));
  }

  private static JsonObject json(Row r) {
    OffsetDateTime read = r.getOffsetDateTime("read_at");
    return json(r.getString("id"), r.getString("type"), r.getString("meeting_id"), (JsonObject) r.getValue("data"),
        r.getOffsetDateTime("created_at").toInstant(), read == null ? null : read.toInstant());
  }

  private static JsonObject json(String id, String type, String meetingId, JsonObject data, Instant created, Instant read) {
    return new JsonObject().put("notificationId", id).put("type", type).put("meetingId", meetingId).put("data", data)
        .put("createdAt", created.toString()).put("readAt", read == null ? null : read.toString());
  }

  private static String encode(String createdAt, String id) {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString((createdAt + "|" + id).getBytes(StandardCharsets.UTF_8));
  }

  private static String[] decode(String cursor) {
    try {
      String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\\|", 2);
      OffsetDateTime.parse(parts[0]);
      if (parts.length != 2) {
        throw new IllegalArgumentException();
      }
      return parts;
    } catch (RuntimeException e) {
      throw ApiException.validation(List.of(new FieldError("cursor", "invalid", "is not a cursor this server issued")));
    }
  }

  private static String random() {
    byte[] b = new byte[12];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
