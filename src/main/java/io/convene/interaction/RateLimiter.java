package io.convene.interaction;

import io.convene.db.RedisScript;
import io.convene.protocol.ApiException;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/** Counts a user's actions of one kind per window in Redis (so every node counts the same) and refuses those over the limit. */
final class RateLimiter {
  private static final RedisScript COUNT = new RedisScript("""
      local n = redis.call('INCR', ARGV[1])
      if n == 1 then redis.call('PEXPIRE', ARGV[1], ARGV[2]) end
      return n
      """);

  private final Redis redis;
  private final String prefix;
  private final RateWindow window;
  private final Clock clock;
  private final Runnable refused;

  /** {@code refused} is told of every action refused (a metric). */
  RateLimiter(Redis redis, String keyPrefix, String kind, RateWindow window, Clock clock, Runnable refused) {
    this.redis = redis;
    this.prefix = keyPrefix + "rate:" + kind + ":";
    this.window = window;
    this.clock = clock;
    this.refused = refused;
  }

  /** Counts one action of {@code userId}; fails with {@code limit_exceeded} naming the limit when over it. */
  Future<Void> take(String userId) {
    Instant now = clock.instant();
    String key = prefix + userId + ":" + window.windowOf(now);
    return COUNT.run(redis, List.of(key, String.valueOf(window.window().toMillis() * 2)))
        .map(r -> {
          try {
            window.check(r.toLong(), now);
          } catch (ApiException over) {
            refused.run();
            throw over;
          }
          return null;
        });
  }
}
