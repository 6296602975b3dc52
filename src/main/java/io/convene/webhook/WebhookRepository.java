package io.convene.webhook;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** SQL of webhooks, webhook_deliveries and webhook_attempts. */
final class WebhookRepository {
  private static final String COLUMNS = "id, url, events, description, secret, enabled, created_by, created_at,"
      + " updated_at, consecutive_failures, disabled_at, disabled_reason";

  /** A stored webhook; {@code secret} is the sealed form, never answered. */
  record Hook(String id, String url, List<String> events, String description, String secret, boolean enabled,
      String createdBy, Instant createdAt, Instant updatedAt, int consecutiveFailures, Instant disabledAt,
      String disabledReason) {
    JsonObject toJson() {
      return new JsonObject()
          .put("webhookId", id)
          .put("url", url)
          .put("events", new JsonArray(events))
          .put("description", description)
          .put("enabled", enabled)
          .put("createdBy", createdBy)
          .put("createdAt", createdAt.toString())
          .put("updatedAt", updatedAt.toString())
          .put("consecutiveFailures", consecutiveFailures)
          .put("disabledAt", disabledAt == null ? null : disabledAt.toString())
          .put("disabledReason", disabledReason);
    }
  }

  /** A delivery claimed for one attempt. */
  record Claimed(String id, String webhookId, String eventId, String type, String body, int attempts, int seriesStart) {}

  Future<Void> insert(SqlClient db, Hook h) {
    return db.preparedQuery("INSERT INTO webhooks (" + COLUMNS + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
        .execute(Tuple.tuple().addValue(h.id()).addValue(h.url()).addValue(h.events().toArray(String[]::new))
            .addValue(h.description()).addValue(h.secret()).addValue(h.enabled()).addValue(h.createdBy())
            .addValue(odt(h.createdAt())).addValue(odt(h.updatedAt())).addValue(h.consecutiveFailures())
            .addValue(null).addValue(null))
        .mapEmpty();
  }

  Future<Optional<Hook>> find(SqlClient db, String id) {
    return db.preparedQuery("SELECT " + COLUMNS + " FROM webhooks WHERE id = $1").execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(hook(rows.iterator().next())));
  }

  Future<List<Hook>> byIds(SqlClient db, List<String> ids) {
    return db.preparedQuery("SELECT " + COLUMNS + " FROM webhooks WHERE id = ANY($1)")
        .execute(Tuple.of(ids.toArray(String[]::new)))
        .map(rows -> {
          List<Hook> out = new ArrayList<>();
          rows.forEach(r -> out.add(hook(r)));
          return out;
        });
  }

  /** A page of webhooks, newest first, after the cursor position {@code (createdAt, id)}. */
  Future<List<Hook>> list(SqlClient db, Instant afterCreatedAt, String afterId, int limit) {
    return (afterCreatedAt == null
        ? db.preparedQuery("SELECT " + COLUMNS + " FROM webhooks ORDER BY created_at DESC, id DESC LIMIT $1")
            .execute(Tuple.of(limit))
        : db.preparedQuery("SELECT " + COLUMNS + " FROM webhooks WHERE (created_at, id) < ($1, $2)"
                + " ORDER BY created_at DESC, id DESC LIMIT $3")
            .execute(Tuple.of(odt(afterCreatedAt), afterId, limit)))
        .map(rows -> {
          List<Hook> out = new ArrayList<>();
          rows.forEach(r -> out.add(hook(r)));
          return out;
        });
  }

  Future<Void> update(SqlClient db, Hook h) {
    return db.preparedQuery("UPDATE webhooks SET url = $2, events = $3, description = $4, enabled = $5, updated_at = $6,"
            + " consecutive_failures = $7, disabled_at = $8, disabled_reason = $9 WHERE id = $1")
        .execute(Tuple.tuple().addValue(h.id()).addValue(h.url()).addValue(h.events().toArray(String[]::new))
            .addValue(h.description()).addValue(h.enabled()).addValue(odt(h.updatedAt()))
            .addValue(h.consecutiveFailures()).addValue(h.disabledAt() == null ? null : odt(h.disabledAt()))
            .addValue(h.disabledReason()))
        .mapEmpty();
  }

  Future<Boolean> delete(SqlClient db, String id) {
    return db.preparedQuery("DELETE FROM webhooks WHERE id = $1").execute(Tuple.of(id)).map(rows -> rows.rowCount() == 1);
  }

  /**
   * Whether some enabled webhook subscribes to the event {@code p} (an event's body as {@code jsonb}): an
   * event nobody subscribes to is not even stored in the outbox.
   */
  static final String SUBSCRIBED = "EXISTS (SELECT 1 FROM webhooks w WHERE " + subscribes("p->>'type'") + ")";

  /** Whether webhook {@code w} is enabled and subscribes to the event type {@code typeExpr} (SQL). */
  private static String subscribes(String typeExpr) {
    return "w.enabled AND w.events && ARRAY[" + typeExpr + ", '*']::text[]";
  }

  /**
   * One delivery of the event per enabled webhook subscribed to its type (or only to {@code onlyWebhook}
   * when set, whatever it subscribed to); an event fanned out again adds none twice. Returns how many.
   */
  Future<Integer> fanOut(SqlClient db, String eventId, String type, String body, Instant now, String onlyWebhook) {
    return db.preparedQuery("""
            INSERT INTO webhook_deliveries (id, webhook_id, event_id, type, body, state, next_attempt_at, created_at, updated_at)
            SELECT 'dlv_' || replace(gen_random_uuid()::text, '-', ''), w.id, $1, $2, $3, 'pending', $4, $4, $4
            FROM webhooks w
            WHERE CASE WHEN $5::text IS NULL THEN %s ELSE w.enabled AND w.id = $5 END
            ON CONFLICT (webhook_id, event_id) DO NOTHING""".formatted(subscribes("$2")))
        .execute(Tuple.of(eventId, type, body, odt(now), onlyWebhook))
        .map(rows -> rows.rowCount());
  }

  /** The delivery of an event to one webhook (its id), for answers that name it. */
  Future<Optional<String>> deliveryOf(SqlClient db, String webhookId, String eventId) {
    return db.preparedQuery("SELECT id FROM webhook_deliveries WHERE webhook_id = $1 AND event_id = $2")
        .execute(Tuple.of(webhookId, eventId))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getString(0)));
  }

  /**
   * Claims up to {@code batch} due deliveries of enabled webhooks, at most {@code free(webhook)} per
   * webhook ({@code perWebhook} unless listed in {@code busyIds}/{@code busyFree}), until {@code until}.
   * A delivery claimed by another node (its claim still running) is skipped: the final condition is
   * evaluated again on the row as it is when locked.
   */
  Future<List<Claimed>> claim(SqlClient db, Instant now, Instant until, String claimId, List<String> busyIds,
      List<Integer> busyFree, int perWebhook, int batch) {
    return db.preparedQuery("""
            UPDATE webhook_deliveries d SET claim_id = $3, claimed_until = $2
            FROM (
              SELECT x.id FROM webhooks w
              LEFT JOIN unnest($4::text[], $5::int[]) AS b(webhook_id, free) ON b.webhook_id = w.id
              CROSS JOIN LATERAL (
                SELECT id FROM webhook_deliveries
                WHERE webhook_id = w.id AND state = 'pending' AND next_attempt_at <= $1
                  AND (claimed_until IS NULL OR claimed_until < $1)
                ORDER BY next_attempt_at, id
                LIMIT greatest(coalesce(b.free, $6), 0)) x
              WHERE w.enabled
              LIMIT $7) c
            WHERE d.id = c.id AND d.state = 'pending' AND d.next_attempt_at <= $1
              AND (d.claimed_until IS NULL OR d.claimed_until < $1)
            RETURNING d.id, d.webhook_id, d.event_id, d.type, d.body, d.attempts, d.series_start""")
        .execute(Tuple.from(List.of(odt(now), odt(until), claimId, busyIds.toArray(String[]::new),
            busyFree.toArray(Integer[]::new), perWebhook, batch)))
        .map(rows -> {
          List<Claimed> out = new ArrayList<>();
          rows.forEach(r -> out.add(new Claimed(r.getString(0), r.getString(1), r.getString(2), r.getString(3),
              r.getString(4), r.getInteger(5), r.getInteger(6))));
          return out;
        });
  }

  /** Takes a key share lock on the webhook's row; false when it is gone. */
  Future<Boolean> lockWebhook(SqlClient db, String webhookId) {
    return db.preparedQuery("SELECT 1 FROM webhooks WHERE id = $1 FOR KEY SHARE").execute(Tuple.of(webhookId))
        .map(rows -> rows.size() == 1);
  }

  /** Records an attempt's outcome on the delivery; false when the claim was lost (the attempt is not its). */
  Future<Boolean> finish(SqlClient db, String deliveryId, String claimId, String state, Instant next,
      Integer responseCode, String error, Instant now) {
    return db.preparedQuery("""
            UPDATE webhook_deliveries SET attempts = attempts + 1, state = $3, next_attempt_at = $4, claim_id = NULL,
              claimed_until = NULL, last_response_code = $5, last_error = $6, updated_at = $7
            WHERE id = $1 AND claim_id = $2""")
        .execute(Tuple.tuple().addValue(deliveryId).addValue(claimId).addValue(state).addValue(odt(next))
            .addValue(responseCode).addValue(error).addValue(odt(now)))
        .map(rows -> rows.rowCount() == 1);
  }

  Future<Void> logAttempt(SqlClient db, String deliveryId, String webhookId, int attempt, boolean ok,
      Integer responseCode, String error, Instant at, long durationMillis) {
    return db.preparedQuery("INSERT INTO webhook_attempts (delivery_id, webhook_id, attempt, status, response_code,"
            + " error, at, duration_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .execute(Tuple.tuple().addValue(deliveryId).addValue(webhookId).addValue(attempt)
            .addValue(ok ? "succeeded" : "failed").addValue(responseCode).addValue(error).addValue(odt(at))
            .addValue((int) Math.min(Integer.MAX_VALUE, durationMillis)))
        .mapEmpty();
  }

  Future<Void> resetFailures(SqlClient db, String webhookId) {
    return db.preparedQuery("UPDATE webhooks SET consecutive_failures = 0 WHERE id = $1 AND consecutive_failures <> 0")
        .execute(Tuple.of(webhookId)).mapEmpty();
  }

  /** What counting one more failed delivery did: whether it disabled the webhook. */
  record Counted(boolean justDisabled, String createdBy, String url, int failures) {}

  /**
   * Counts a failed delivery against the webhook, disabling it at {@code disableAfter} in a row. The row
   * lock is the weaker {@code NO KEY UPDATE}: deliveries of the same webhook recorded at once hold key
   * share locks on it (their foreign keys), which a full update lock would deadlock with.
   */
  Future<Optional<Counted>> countFailure(SqlClient db, String webhookId, int disableAfter, Instant now, String reason) {
    return db.preparedQuery("""
            WITH old AS (SELECT id, enabled FROM webhooks WHERE id = $1 FOR NO KEY UPDATE)
            UPDATE webhooks w SET consecutive_failures = w.consecutive_failures + 1,
              enabled = w.enabled AND w.consecutive_failures + 1 < $2,
              disabled_at = CASE WHEN w.enabled AND w.consecutive_failures + 1 >= $2 THEN $3 ELSE w.disabled_at END,
              disabled_reason = CASE WHEN w.enabled AND w.consecutive_failures + 1 >= $2 THEN $4 ELSE w.disabled_reason END
            FROM old WHERE w.id = old.id
            RETURNING old.enabled AND NOT w.enabled, w.created_by, w.url, w.consecutive_failures""")
        .execute(Tuple.of(webhookId, disableAfter, odt(now), reason))
        .map(rows -> {
          if (rows.size() == 0) {
            return Optional.empty();
          }
          Row r = rows.iterator().next();
          return Optional.of(new Counted(r.getBoolean(0), r.getString(1), r.getString(2), r.getInteger(3)));
        });
  }

  /**
   * Queues a delivery of the webhook again, now, with a new series of retries; empty when there is no
   * such delivery, false when an attempt of it is under way.
   */
  Future<Optional<Boolean>> requeue(SqlClient db, String webhookId, String deliveryId, Instant now) {
    return db.preparedQuery("""
            UPDATE webhook_deliveries SET state = 'pending', series_start = attempts, next_attempt_at = $3, updated_at = $3
            WHERE id = $1 AND webhook_id = $2 AND (claimed_until IS NULL OR claimed_until < $3)""")
        .execute(Tuple.of(deliveryId, webhookId, odt(now)))
        .compose(rows -> rows.rowCount() == 1 ? Future.succeededFuture(Optional.of(true))
            : db.preparedQuery("SELECT 1 FROM webhook_deliveries WHERE id = $1 AND webhook_id = $2")
                .execute(Tuple.of(deliveryId, webhookId))
                .map(found -> found.size() == 0 ? Optional.<Boolean>empty() : Optional.of(false)));
  }

  /** The webhook's attempts, newest first, before attempt id {@code beforeId} (null: from the newest). */
  Future<List<JsonObject>> attempts(SqlClient db, String webhookId, Long beforeId, int limit) {
    return db.preparedQuery("""
            SELECT a.id, a.delivery_id, d.event_id, d.type, a.attempt, a.status, a.response_code, a.error, a.at,
                   a.duration_ms, d.state, d.next_attempt_at
            FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id
            WHERE a.webhook_id = $1 AND ($2::bigint IS NULL OR a.id < $2)
            ORDER BY a.id DESC LIMIT $3""")
        .execute(Tuple.of(webhookId, beforeId, limit))
        .map(rows -> {
          List<JsonObject> out = new ArrayList<>();
          for (Row r : rows) {
            String state = r.getString(10);
            out.add(new JsonObject()
                .put("attemptId", r.getLong(0))
                .put("deliveryId", r.getString(1))
                .put("eventId", r.getString(2))
                .put("type", r.getString(3))
                .put("attempt", r.getInteger(4))
                .put("status", r.getString(5))
                .put("responseCode", r.getInteger(6))
                .put("error", r.getString(7))
                .put("at", r.getOffsetDateTime(8).toInstant().toString())
                .put("durationMs", r.getInteger(9))
                .put("deliveryStatus", state)
                .put("nextAttemptAt", "pending".equals(state) ? r.getOffsetDateTime(11).toInstant().toString() : null));
          }
          return out;
        });
  }

  /** Removes finished deliveries (and their attempts) last changed before {@code before}; returns how many. */
  Future<Integer> purgeFinished(SqlClient db, Instant before, int batch) {
    return db.preparedQuery("DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM webhook_deliveries"
            + " WHERE state <> 'pending' AND updated_at < $1 LIMIT $2)")
        .execute(Tuple.of(odt(before), batch))
        .map(rows -> rows.rowCount());
  }

  private static Hook hook(Row r) {
    String[] events = r.getArrayOfStrings("events");
    OffsetDateTime disabled = r.getOffsetDateTime("disabled_at");
    return new Hook(r.getString("id"), r.getString("url"), List.of(events), r.getString("description"),
        r.getString("secret"), r.getBoolean("enabled"), r.getString("created_by"),
        r.getOffsetDateTime("created_at").toInstant(), r.getOffsetDateTime("updated_at").toInstant(),
        r.getInteger("consecutive_failures"), disabled == null ? null : disabled.toInstant(),
        r.getString("disabled_reason"));
  }

  private static OffsetDateTime odt(Instant i) {
    return i.atOffset(ZoneOffset.UTC);
  }
}
