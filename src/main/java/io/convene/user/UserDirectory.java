package io.convene.user;

import io.convene.protocol.Identity;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The users table (id, display name, last seen), kept current from verified tokens, and the display
 * names other areas show. Authentication never waits on it: what tokens tell is written behind, at most
 * once a minute per user (or when the name changes), gathered and written every half second in one
 * statement, so a storm of connects is a few writes. Names seen or looked up in the last minute (and that
 * someone has none) are served from memory.
 */
public final class UserDirectory {
  private static final Logger LOG = LoggerFactory.getLogger(UserDirectory.class);
  private static final Duration REFRESH_EVERY = Duration.ofMinutes(1);
  private static final int MAX_REMEMBERED = 200_000;
  private static final long FLUSH_MILLIS = 500;
  private static final String UPSERT =
      """
      INSERT INTO users (id, display_name, last_seen)
      SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[])
      ON CONFLICT (id) DO UPDATE
        SET display_name = COALESCE(EXCLUDED.display_name, users.display_name),
            last_seen = GREATEST(EXCLUDED.last_seen, users.last_seen)
      """;

  /** A user's name as last seen (null: none known) and when. */
  private record Seen(String name, Instant at) {}

  private final Pool pool;
  private final Clock clock;
  /** Names as users authenticated with them (and when their last seen was last written). */
  private final Map<String, Seen> recent = new ConcurrentHashMap<>();
  /** Names as the directory answered them, null for someone without one. */
  private final Map<String, Seen> lookedUp = new ConcurrentHashMap<>();
  /** What is still to be written, per user (the latest wins). */
  private final Map<String, Seen> pending = new ConcurrentHashMap<>();

  public UserDirectory(Pool pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
  }

  /** Records that {@code identity} authenticated: their name and last seen. */
  public void touch(Identity identity) {
    Instant now = clock.instant();
    String name = identity.displayName();
    Seen previous = recent.get(identity.userId());
    boolean sameName = name == null || previous != null && name.equals(previous.name());
    if (previous != null && sameName && previous.at().plus(REFRESH_EVERY).isAfter(now)) {
      return;
    }
    // A token without a name keeps the name already known, as the upsert does.
    remember(identity.userId(), new Seen(name != null ? name : previous == null ? null : previous.name(), now));
    pending.put(identity.userId(), new Seen(name, now));
  }

  /** Writes what was gathered every half second (the timer belongs to the calling verticle). */
  public void start(Vertx vertx) {
    vertx.setPeriodic(FLUSH_MILLIS, id -> flush());
  }

  /** Writes everything gathered so far in one statement; what fails is kept for the next time. */
  public Future<Void> flush() {
    if (pending.isEmpty()) {
      return Future.succeededFuture();
    }
    Map<String, Seen> batch = new HashMap<>();
    for (String id : List.copyOf(pending.keySet())) {
      Seen seen = pending.remove(id);
      if (seen != null) {
        batch.put(id, seen);
      }
    }
    List<String> ids = List.copyOf(batch.keySet());
    return pool.preparedQuery(UPSERT)
        .execute(Tuple.of(ids.toArray(String[]::new),
            ids.stream().map(id -> batch.get(id).name()).toArray(String[]::new),
            ids.stream().map(id -> batch.get(id).at().atOffset(ZoneOffset.UTC)).toArray(java.time.OffsetDateTime[]::new)))
        .<Void>mapEmpty()
        .onFailure(err -> {
          batch.forEach(pending::putIfAbsent);
          LOG.warn("writing {} users failed (kept for the next write): {}", ids.size(), err.getMessage());
        });
  }

  /** Display names of those of {@code userIds} who have one. */
  public Future<Map<String, String>> names(Collection<String> userIds) {
    return names(pool, userIds);
  }

  /**
   * Like {@link #names(Collection)}, reading what memory does not hold with {@code db}: a caller in a
   * transaction passes its connection, so it never holds one while it waits for another.
   */
  public Future<Map<String, String>> names(SqlClient db, Collection<String> userIds) {
    Instant now = clock.instant();
    Map<String, String> out = new HashMap<>();
    List<String> missing = new ArrayList<>();
    for (String id : userIds) {
      Seen seen = fresh(recent.get(id), now);
      if (seen == null || seen.name() == null) {
        // what the directory answered lately, including that someone has no name
        seen = fresh(lookedUp.get(id), now);
      }
      if (seen == null) {
        if (!missing.contains(id)) {
          missing.add(id);
        }
      } else if (seen.name() != null) {
        out.put(id, seen.name());
      }
    }
    if (missing.isEmpty()) {
      return Future.succeededFuture(out);
    }
    return db.preparedQuery("SELECT id, display_name FROM users WHERE id = ANY($1)")
        .execute(Tuple.of(missing.toArray(String[]::new)))
        .map(rows -> {
          Map<String, String> found = new HashMap<>();
          rows.forEach(r -> found.put(r.getString(0), r.getString(1)));
          if (lookedUp.size() > MAX_REMEMBERED) {
            lookedUp.clear();
          }
          for (String id : missing) {
            String name = found.get(id);
            lookedUp.put(id, new Seen(name, now));
            if (name != null) {
              out.put(id, name);
            }
          }
          return out;
        });
  }

  private static Seen fresh(Seen seen, Instant now) {
    return seen != null && seen.at().plus(REFRESH_EVERY).isAfter(now) ? seen : null;
  }

  /** The display name of one user, or their id when they have none. */
  public Future<String> nameOrId(String userId) {
    return names(List.of(userId)).map(found -> found.getOrDefault(userId, userId));
  }

  private void remember(String userId, Seen seen) {
    if (recent.size() > MAX_REMEMBERED) {
      recent.clear();
    }
    recent.put(userId, seen);
  }
}
