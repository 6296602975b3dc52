package io.convene.interaction;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Coalesces the results of a poll while votes come in: the first vote after a quiet spell sends results
 * at once, later ones within {@code interval} of the last send ride on one send at the end of that
 * interval. However many votes arrive, a poll gets at most one results frame per interval (from this node).
 */
final class ResultsPacer {
  private final Duration interval;
  private final Map<String, Instant> lastSent = new HashMap<>();
  private final Set<String> pending = new HashSet<>();

  ResultsPacer(Duration interval) {
    this.interval = interval;
  }

  /**
   * A vote was counted at {@code now}: how long to wait before sending results, or empty when a send is
   * already due and will carry this vote too.
   */
  synchronized Optional<Duration> counted(String pollId, Instant now) {
    if (!pending.add(pollId)) {
      return Optional.empty();
    }
    Instant last = lastSent.get(pollId);
    if (last == null) {
      return Optional.of(Duration.ZERO);
    }
    Duration wait = Duration.between(now, last.plus(interval));
    return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
  }

  /** Results are being read for sending at {@code now}: votes counted from here on need a new send. */
  synchronized void sending(String pollId, Instant now) {
    pending.remove(pollId);
    lastSent.put(pollId, now);
  }

  /** The poll closed: nothing more to pace. */
  synchronized void forget(String pollId) {
    pending.remove(pollId);
    lastSent.remove(pollId);
  }
}
