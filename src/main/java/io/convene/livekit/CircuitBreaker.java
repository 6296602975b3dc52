package io.convene.livekit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Keeps a failing dependency from holding every caller: after {@code threshold} failures in a row the
 * breaker opens and calls fail at once; after {@code cooldown} one trial call goes through (half open),
 * and its outcome closes or reopens the breaker. Plain Java with the clock passed in; thread-safe.
 */
public final class CircuitBreaker {
  public enum State {
    CLOSED,
    OPEN,
    HALF_OPEN
  }

  private final int threshold;
  private final Duration cooldown;
  private final Clock clock;
  private int failures;
  private State state = State.CLOSED;
  private Instant openedAt;
  private boolean trialRunning;

  public CircuitBreaker(int threshold, Duration cooldown, Clock clock) {
    this.threshold = threshold;
    this.cooldown = cooldown;
    this.clock = clock;
  }

  /** Whether a call may go through now; in half-open state, only one at a time. */
  public synchronized boolean allow() {
    if (state == State.OPEN && !clock.instant().isBefore(openedAt.plus(cooldown))) {
      state = State.HALF_OPEN;
      trialRunning = false;
    }
    return switch (state) {
      case CLOSED -> true;
      case OPEN -> false;
      case HALF_OPEN -> {
        if (trialRunning) {
          yield false;
        }
        trialRunning = true;
        yield true;
      }
    };
  }

  public synchronized void succeeded() {
    failures = 0;
    state = State.CLOSED;
    trialRunning = false;
  }

  public synchronized void failed() {
    failures++;
    if (state == State.HALF_OPEN || failures >= threshold) {
      state = State.OPEN;
      openedAt = clock.instant();
      trialRunning = false;
    }
  }

  /** Whether the dependency looks well: the breaker is closed and the last call did not fail. */
  public synchronized boolean healthy() {
    return failures == 0 && state() == State.CLOSED;
  }

  public synchronized State state() {
    if (state == State.OPEN && !clock.instant().isBefore(openedAt.plus(cooldown))) {
      return State.HALF_OPEN;
    }
    return state;
  }
}
