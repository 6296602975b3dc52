package io.convene.outbox;

import io.convene.config.AppConfig;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transactional outbox. A change writes its {@link Effect}s in its own transaction ({@link #add});
 * once it committed, the node that made it carries them out at once ({@link #runNow}), so the fast
 * path stays fast. Whatever did not succeed (the node died, a dependency failed) stays in the table
 * and is carried out by the dispatcher on the node holding the outbox lease ({@link #dispatchDue}),
 * with exponential backoff, until it succeeds or has failed {@code maxAttempts} times and is dead:
 * kept for an operator to see ({@link #dead}) and retry ({@link #retry}).
 *
 * <p>Rows are claimed with a visibility timeout (the dispatcher pushes {@code next_attempt_at} ahead
 * before working on them), so a dispatcher that dies mid-way leaves them to the next one. A fresh row
 * is not visible to the dispatcher for {@code redeliverAfter}: the committing node is carrying it out.
 */
public final class Outbox {
  private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);
  private static final Duration CLAIM = Duration.ofSeconds(60);
  private static final Duration MAX_BACKOFF = Duration.ofMinutes(5);
  private static final int MAX_ERROR = 500;
  private static final int MAX_REMOVALS = 1000;

  /** A stored effect: its row id and what to do. */
  public record Stored(long id, Effect effect, int attempts) {}

  private final Pool pool;
  private final Clock clock;
  private final AppConfig.Outbox config;
  private final Map<String, Function<JsonObject, Future<Void>>> handlers = new ConcurrentHashMap<>();
  /** Kinds carried out before the other effects of their change (see {@link #handleFirst}). */
  private final Set<String> first = ConcurrentHashMap.newKeySet();
  /** The statement that stores effects: every effect, or only those the conditions of their kind admit. */
  private volatile String insert = insert(Map.of());
  private final Map<String, String> conditions = new ConcurrentHashMap<>();
  private final OutboxStats stats = new OutboxStats();
  /** Effects carried out, waiting to be deleted; one DELETE at a time takes all that queued up. */
  private final Queue<Long> done = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean removing = new AtomicBoolean();

  public Outbox(Pool pool, Clock clock, AppConfig.Outbox config) {
    this.pool = pool;
    this.clock = clock;
    this.config = config;
  }

  public AppConfig.Outbox config() {
    return config;
  }

  public OutboxStats stats() {
    return stats;
  }

  /** Registers the handler of a kind of effect; it must be idempotent and fail when it did not succeed. */
  public void handle(String kind, Function<JsonObject, Future<Void>> handler) {
    if (handlers.putIfAbsent(kind, handler) != null) {
      throw new IllegalStateException("outbox kind " + kind + " has two handlers");
    }
  }

  /**
   * Registers the handler of a kind of effect that records state others act on: right after a commit, it
   * is carried out before the change's other effects, so whoever is told of the change finds it in place.
   */
  public void handleFirst(String kind, Function<JsonObject, Future<Void>> handler) {
    handle(kind, handler);
    first.add(kind);
  }

  /**
   * Effects of {@code kind} are stored only when {@code sqlCondition} holds for them, judged in the
   * transaction that writes them: a condition on {@code p}, the effect's payload as {@code jsonb} (the area
   * that handles the kind knows when nobody would act on one, and owns the tables it reads).
   */
  public synchronized void storeOnlyWhen(String kind, String sqlCondition) {
    if (!kind.matches("[a-z.]+")) {
      throw new IllegalArgumentException("outbox kind " + kind + " cannot be named in a statement");
    }
    conditions.put(kind, sqlCondition);
    insert = insert(Map.copyOf(conditions));
  }

  /**
   * Numbers the effects, keeps those the conditions admit, takes a row id for each, and inserts them:
   * answers the kept effects' numbers and their ids, in the same order.
   */
  private static String insert(Map<String, String> conditions) {
    StringBuilder where = new StringBuilder("TRUE");
    conditions.forEach((kind, condition) -> where.append(" AND (k <> '").append(kind).append("' OR (")
        .append(condition).append("))"));
    return """
        WITH e AS MATERIALIZED (
          SELECT k, p, n, nextval(pg_get_serial_sequence('outbox', 'id')) AS id
          FROM unnest($1::text[], $2::jsonb[]) WITH ORDINALITY AS e(k, p, n) WHERE %s),
        stored AS (
          INSERT INTO outbox (id, kind, payload, created_at, next_attempt_at)
          SELECT id, k, p, $3, $4 FROM e
          RETURNING id)
        SELECT array_agg(e.n ORDER BY e.n), array_agg(e.id ORDER BY e.n) FROM e JOIN stored USING (id)
        """.formatted(where);
  }

  /**
   * Writes {@code effects} in the transaction of the change they follow from; returns those stored (an
   * effect whose kind's condition does not hold is left out, see {@link #storeOnlyWhen}).
   */
  public Future<List<Stored>> add(SqlClient tx, List<Effect> effects) {
    if (effects.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    Instant now = clock.instant();
    return tx.preparedQuery(insert)
        .execute(Tuple.of(
            effects.stream().map(Effect::kind).toArray(String[]::new),
            effects.stream().map(Effect::payload).toArray(JsonObject[]::new),
            odt(now), odt(now.plus(Duration.ofSeconds(config.redeliverAfterSeconds())))))
        .map(rows -> {
          Row r = rows.iterator().next();
          Long[] kept = r.getArrayOfLongs(0);
          Long[] ids = r.getArrayOfLongs(1);
          List<Stored> out = new ArrayList<>(effects.size());
          for (int i = 0; kept != null && i < kept.length; i++) {
            out.add(new Stored(ids[i], effects.get(kept[i].intValue() - 1), 0));
          }
          return out;
        });
  }

  /**
   * Carries out effects of a change that just committed; what fails is left to the dispatcher. Effects
   * that record state ({@link #handleFirst}) go first. The future completes (never fails) once these
   * first attempts are over, for callers that answer only then (read-your-writes); others need not wait.
   */
  public Future<Void> runNow(List<Stored> stored) {
    return carryOutAll(stored, false);
  }

  /**
   * Carries out effects as {@link #runNow} does, but completes (never fails) as soon as the state they
   * record is written and the others have started (events are published by then): a caller that waits
   * for it tells nothing of its own before the change's events, without waiting for its commands.
   */
  public Future<Void> startNow(List<Stored> stored) {
    return carryOutAll(stored, true);
  }

  private Future<Void> carryOutAll(List<Stored> stored, boolean onceStarted) {
    List<Stored> state = stored.stream().filter(s -> first.contains(s.effect().kind())).toList();
    List<Stored> others = stored.stream().filter(s -> !first.contains(s.effect().kind())).toList();
    Future<?> recorded = state.isEmpty() ? Future.succeededFuture()
        : Future.join(state.stream().map(this::carryOut).toList());
    // what state failed to record is retried by the dispatcher; the others are carried out all the same
    return recorded.transform(x -> {
      Future<?> rest = Future.join(others.stream().map(this::carryOut).toList());
      return onceStarted ? Future.succeededFuture() : rest;
    }).<Void>mapEmpty().otherwiseEmpty();
  }

  /** Claims the effects whose time has come and carries them out. Returns how many it claimed. */
  public Future<Integer> dispatchDue() {
    Instant now = clock.instant();
    return pool.preparedQuery("""
            UPDATE outbox SET next_attempt_at = $2
            WHERE id IN (SELECT id FROM outbox WHERE state = 'pending' AND next_attempt_at <= $1
                         ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
            RETURNING id, kind, payload, attempts""")
        .execute(Tuple.of(odt(now), odt(now.plus(CLAIM)), config.batchSize()))
        .map(rows -> {
          List<Stored> claimed = new ArrayList<>();
          rows.forEach(r -> claimed.add(new Stored(r.getLong(0),
              new Effect(r.getString(1), (JsonObject) r.getValue(2)), r.getInteger(3))));
          claimed.forEach(s -> stats.redelivered.increment());
          claimed.forEach(this::carryOut);
          return claimed.size();
        });
  }

  private Future<Void> carryOut(Stored s) {
    Function<JsonObject, Future<Void>> handler = handlers.get(s.effect().kind());
    Future<Void> done;
    try {
      done = handler == null
          ? Future.failedFuture("no handler for outbox kind " + s.effect().kind())
          : handler.apply(s.effect().payload());
    } catch (RuntimeException e) {
      done = Future.failedFuture(e);
    }
    return done.onSuccess(v -> completed(s)).onFailure(err -> failed(s, err));
  }

  private void completed(Stored s) {
    stats.completed.increment();
    done.add(s.id());
    removeDone();
  }

  /**
   * Deletes the rows of effects carried out, many per statement: while one DELETE runs, the ids that
   * complete queue up for the next. A row whose DELETE failed is carried out again by the dispatcher
   * (handlers are idempotent).
   */
  private void removeDone() {
    if (done.isEmpty() || !removing.compareAndSet(false, true)) {
      return;
    }
    List<Long> ids = new ArrayList<>();
    for (Long id = done.poll(); id != null; id = ids.size() < MAX_REMOVALS ? done.poll() : null) {
      ids.add(id);
    }
    if (ids.isEmpty()) {
      removing.set(false);
      if (!done.isEmpty()) {
        removeDone();
      }
      return;
    }
    pool.preparedQuery("DELETE FROM outbox WHERE id = ANY($1)").execute(Tuple.of(ids.toArray(Long[]::new)))
        .onFailure(err -> LOG.debug("{} outbox effects done but not removed yet: {}", ids.size(), err.getMessage()))
        .onComplete(ar -> {
          removing.set(false);
          removeDone();
        });
  }

  private void failed(Stored s, Throwable err) {
    int attempts = s.attempts() + 1;
    boolean dead = attempts >= config.maxAttempts();
    String error = String.valueOf(err.getMessage());
    if (dead) {
      stats.dead.increment();
      LOG.error("outbox {} ({}) failed {} times; it is dead: {}", s.id(), s.effect().kind(), attempts, error);
    } else {
      stats.retried.increment();
      LOG.debug("outbox {} ({}) failed (attempt {}): {}", s.id(), s.effect().kind(), attempts, error);
    }
    Instant next = clock.instant().plus(backoff(attempts));
    pool.preparedQuery("UPDATE outbox SET attempts = $2, next_attempt_at = $3, state = $4, last_error = $5 WHERE id = $1")
        .execute(Tuple.of(s.id(), attempts, odt(next), dead ? "dead" : "pending",
            error.length() > MAX_ERROR ? error.substring(0, MAX_ERROR) : error))
        .onFailure(e -> LOG.debug("outbox {}: recording the failure failed: {}", s.id(), e.getMessage()));
  }

  /** 1 s, 2 s, 4 s, … up to five minutes between attempts. */
  static Duration backoff(int attempts) {
    long seconds = 1L << Math.min(attempts - 1, 20);
    Duration d = Duration.ofSeconds(seconds);
    return d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d;
  }

  /** Dead effects, oldest first: what was to be done, how often it failed, and the last error. */
  public Future<List<JsonObject>> dead(long afterId, int limit) {
    return pool.preparedQuery("SELECT id, kind, payload, attempts, last_error, created_at FROM outbox"
            + " WHERE state = 'dead' AND id > $1 ORDER BY id LIMIT $2")
        .execute(Tuple.of(afterId, limit))
        .map(rows -> {
          List<JsonObject> out = new ArrayList<>();
          rows.forEach(r -> out.add(new JsonObject().put("id", r.getLong(0)).put("kind", r.getString(1))
              .put("payload", r.getValue(2)).put("attempts", r.getInteger(3)).put("lastError", r.getString(4))
              .put("createdAt", r.getOffsetDateTime(5).toInstant().toString())));
          return out;
        });
  }

  /** How many effects are dead (for the metric). */
  public Future<Long> deadCount() {
    return pool.query("SELECT count(*) FROM outbox WHERE state = 'dead'").execute()
        .map(rows -> rows.iterator().next().getLong(0));
  }

  /** Gives a dead effect a new series of attempts, starting now; false when there is no such dead effect. */
  public Future<Boolean> retry(long id) {
    return pool.preparedQuery("UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = $2"
            + " WHERE id = $1 AND state = 'dead' RETURNING id")
        .execute(Tuple.of(id, odt(clock.instant())))
        .map(rows -> rows.size() == 1);
  }

  private static OffsetDateTime odt(Instant i) {
    return i.atOffset(ZoneOffset.UTC);
  }
}
