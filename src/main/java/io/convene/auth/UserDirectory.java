package io.convene.auth;

import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the users table (id, display name, last seen) current from verified tokens. Writes at most once
 * a minute per user, or when the display name changes, so authentication stays off the write path.
 */
public final class UserDirectory {
  private static final Logger LOG = LoggerFactory.getLogger(UserDirectory.class);
  private static final Duration REFRESH_EVERY = Duration.ofMinutes(1);
  private static final int MAX_REMEMBERED = 200_000;
  private static final String UPSERT =
      """
      INSERT INTO users (id, display_name, last_seen) VALUES ($1, $2, $3)
      ON CONFLICT (id) DO UPDATE
        SET display_name = COALESCE(EXCLUDED.display_name, users.display_name), last_seen = EXCLUDED.last_seen
      """;

  private record Seen(String name, Instant at) {}

  private final Pool pool;
  private final Clock clock;
  private final Map<String, Seen> recent = new ConcurrentHashMap<>();

  public UserDirectory(Pool pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
  }

  public void touch(Identity identity) {
    Instant now = clock.instant();
    Seen previous = recent.get(identity.userId());
    if (previous != null
        && Objects.equals(previous.name(), identity.displayName())
        && previous.at().plus(REFRESH_EVERY).isAfter(now)) {
      return;
    }
    if (recent.size() > MAX_REMEMBERED) {
      recent.clear();
    }
    recent.put(identity.userId(), new Seen(identity.displayName(), now));
    pool.preparedQuery(UPSERT)
        .execute(Tuple.of(identity.userId(), identity.displayName(), now.atOffset(ZoneOffset.UTC)))
        .onFailure(err -> {
          recent.remove(identity.userId());
          LOG.warn("refreshing user {} failed: {}", identity.userId(), err.getMessage());
        });
  }
}
