package io.convene.limit;

import io.convene.protocol.ApiException;
import io.convene.protocol.ErrorCode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token buckets by key (an IP address, a user, a link, a session): each key may spend {@code burst}
 * at once, refilled at {@code perSecond}. Per node: nothing is shared across the cluster, so a client
 * spreading its attempts over N nodes gets N times the limit. Thread-safe; time comes from the clock
 * given, so tests move it instead of sleeping. A limiter with {@code perSecond} 0 allows everything.
 */
public final class RateLimiter {
  /** Keys kept before idle ones are dropped (a full bucket forgotten is the same as a fresh one). */
  private static final int MAX_KEYS = 100_000;

  private final String name;
  private final double perSecond;
  private final double burst;
  private final Clock clock;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  private static final class Bucket {
    double tokens;
    Instant refilled;

    Bucket(double tokens, Instant at) {
      this.tokens = tokens;
      this.refilled = at;
    }
  }

  /**
   * @param name what is limited, as a refusal names it ("requests from this address")
   * @param perSecond refill rate (0: no limit)
   * @param burst how many at once
   */
  public RateLimiter(String name, double perSecond, double burst, Clock clock) {
    this.name = name;
    this.perSecond = perSecond;
    this.burst = Math.max(1, burst);
    this.clock = clock;
  }

  /** {@code count} per {@code period}, all of them at once if need be. */
  public static RateLimiter per(String name, int count, Duration period, Clock clock) {
    return new RateLimiter(name, count == 0 ? 0 : count / (period.toNanos() / 1e9), count, clock);
  }

  /** Told of every refusal (a metric). */
  private volatile Runnable onRefusal = () -> { };

  public void onRefusal(Runnable counter) {
    this.onRefusal = counter;
  }

  public boolean enabled() {
    return perSecond > 0;
  }

  /** Spends one token of {@code key}; false when there is none. */
  public boolean tryTake(String key) {
    return retryAfter(key, true) == 0;
  }

  /** Spends one token of {@code key}; false, a refusal, when there is none. */
  public boolean allow(String key) {
    if (tryTake(key)) {
      return true;
    }
    onRefusal.run();
    return false;
  }

  /** Spends one token of {@code key}, or fails with {@code rate_limited} saying when to come back. */
  public void take(String key) {
    long wait = retryAfter(key, true);
    if (wait > 0) {
      throw refusal(wait);
    }
  }

  /** Refuses with {@code rate_limited} when {@code key} has no token left, without spending one. */
  public void check(String key) {
    long wait = retryAfter(key, false);
    if (wait > 0) {
      throw refusal(wait);
    }
  }

  private ApiException refusal(long seconds) {
    onRefusal.run();
    return ApiException.rateLimited("too many " + name + "; try again in " + seconds + " s", seconds);
  }

  /** 0 when a token was there (and spent, if {@code spend}); otherwise the whole seconds until one is. */
  private long retryAfter(String key, boolean spend) {
    if (!enabled() || key == null) {
      return 0;
    }
    Instant now = clock.instant();
    if (buckets.size() > MAX_KEYS) {
      buckets.clear();
    }
    long[] wait = {0};
    buckets.compute(key, (k, b) -> {
      Bucket bucket = b == null ? new Bucket(burst, now) : b;
      if (now.isAfter(bucket.refilled)) {
        double seconds = Duration.between(bucket.refilled, now).toNanos() / 1e9;
        bucket.tokens = Math.min(burst, bucket.tokens + seconds * perSecond);
        bucket.refilled = now;
      }
      if (bucket.tokens >= 1) {
        if (spend) {
          bucket.tokens -= 1;
        }
      } else {
        wait[0] = Math.max(1, (long) Math.ceil((1 - bucket.tokens) / perSecond));
      }
      return bucket;
    });
    return wait[0];
  }
}
