package io.convene.gateway;

import java.time.Duration;
import java.time.Instant;

/** A token bucket: {@code burst} frames at once, refilled at {@code perSecond}. */
final class RateLimit {
  private final double perSecond;
  private final double burst;
  private double tokens;
  private Instant refilled;

  RateLimit(int perSecond, int burst, Instant now) {
    this.perSecond = perSecond;
    this.burst = burst;
    this.tokens = burst;
    this.refilled = now;
  }

  boolean take(Instant now) {
    if (now.isAfter(refilled)) {
      double seconds = Duration.between(refilled, now).toNanos() / 1e9;
      tokens = Math.min(burst, tokens + seconds * perSecond);
      refilled = now;
    }
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
