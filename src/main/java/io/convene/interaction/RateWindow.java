package io.convene.interaction;

import io.convene.protocol.ApiException;
import io.convene.protocol.ErrorCode;
import java.time.Duration;
import java.time.Instant;

/**
 * A per-user limit: at most {@code limit} actions of one kind per fixed window of time. The count of the
 * current window is kept elsewhere (Redis, shared by every node); this decides which window a moment
 * falls in and whether a count is over the limit.
 */
final class RateWindow {
  private final String what;
  private final String configKey;
  private final int limit;
  private final Duration window;

  RateWindow(String what, String configKey, int limit, Duration window) {
    this.what = what;
    this.configKey = configKey;
    this.limit = limit;
    this.window = window;
  }

  /** The number of the window {@code now} falls in. */
  long windowOf(Instant now) {
    return Math.floorDiv(now.toEpochMilli(), window.toMillis());
  }

  Duration window() {
    return window;
  }

  /** Refuses, naming the limit and when the next window opens, when {@code count} is over it. */
  void check(long count, Instant now) {
    if (count > limit) {
      long next = (windowOf(now) + 1) * window.toMillis();
      long waitMs = next - now.toEpochMilli();
      throw new ApiException(ErrorCode.LIMIT_EXCEEDED, "rate limit: at most " + limit + " " + what + " per "
          + window.toSeconds() + " s per user (" + configKey + "); try again in " + ((waitMs + 999) / 1000) + " s");
    }
  }
}
