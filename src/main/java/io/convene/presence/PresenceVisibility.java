package io.convene.presence;

import io.convene.protocol.Identity;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whose presence a user may see. By default, the people they share a meeting with (any status but
 * cancelled; banned people aside), themselves, and the contacts their token lists (claim {@code
 * contacts}); with the {@code everyone} policy, anyone. Someone not visible reads as offline without a
 * last-seen time, so a query does not reveal whether they exist.
 *
 * <p>Presence reads are hot: each viewer's set of people they share a meeting with is looked up once and
 * kept for {@code cacheTtl} (per node), so a meeting shared a moment ago may take that long to count.
 */
public final class PresenceVisibility {
  /** How many viewers' sets a node keeps before it starts over. */
  private static final int MAX_CACHED = 50_000;

  /** The people who share a meeting (not cancelled) with a user. */
  @FunctionalInterface
  public interface SharedMeetings {
    Future<Set<String>> of(String userId);
  }

  /** Who sees whom. */
  public enum Policy {
    SHARED_MEETINGS("shared-meetings"),
    EVERYONE("everyone");

    private final String wire;

    Policy(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }

    public static Policy fromWire(String wire) {
      for (Policy p : values()) {
        if (p.wire.equals(wire)) {
          return p;
        }
      }
      return null;
    }
  }

  /** Only settled answers are kept: a lookup in flight belongs to the event loop that made it. */
  private record Cached(Set<String> people, Instant until) {}

  private final Policy policy;
  private final SharedMeetings shared;
  private final Duration cacheTtl;
  private final Clock clock;
  private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();

  public PresenceVisibility(Policy policy, SharedMeetings shared, Duration cacheTtl, Clock clock) {
    this.policy = policy;
    this.shared = shared;
    this.cacheTtl = cacheTtl;
    this.clock = clock;
  }

  /** Everyone sees everyone: what a host that decides visibility itself configures. */
  public static PresenceVisibility everyone() {
    return new PresenceVisibility(Policy.EVERYONE, id -> Future.succeededFuture(Set.of()), Duration.ZERO,
        Clock.systemUTC());
  }

  /** Which of {@code targets} {@code viewer} may see. */
  public Future<Set<String>> visible(Identity viewer, Collection<String> targets) {
    Set<String> out = new HashSet<>();
    Set<String> unknown = new HashSet<>();
    for (String t : targets) {
      if (policy == Policy.EVERYONE || t.equals(viewer.userId()) || viewer.contacts().contains(t)) {
        out.add(t);
      } else {
        unknown.add(t);
      }
    }
    if (unknown.isEmpty()) {
      return Future.succeededFuture(out);
    }
    return sharedWith(viewer.userId()).map(people -> {
      for (String t : unknown) {
        if (people.contains(t)) {
          out.add(t);
        }
      }
      return out;
    });
  }

  private Future<Set<String>> sharedWith(String userId) {
    Instant now = clock.instant();
    Cached cached = cache.get(userId);
    if (cached != null && cached.until().isAfter(now)) {
      return Future.succeededFuture(cached.people());
    }
    return shared.of(userId).onSuccess(people -> {
      if (cache.size() > MAX_CACHED) {
        cache.clear();
      }
      cache.put(userId, new Cached(people, now.plus(cacheTtl)));
    });
  }
}
