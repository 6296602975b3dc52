package io.convene.gateway;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Ids of the durable events (those kept in the outbox) this gateway delivered lately, so an event the
 * outbox carries out again after a crash is not delivered twice. Bounded in time and in size: an event
 * seen again after the window, or after {@code capacity} newer ones, is delivered again (documented as
 * the limit of the dedupe). Confined to its event loop.
 */
final class RecentEvents {
  private final long windowNanos;
  private final int capacity;
  private final LinkedHashMap<String, Long> seen = new LinkedHashMap<>();

  RecentEvents(long windowNanos, int capacity) {
    this.windowNanos = windowNanos;
    this.capacity = capacity;
  }

  /** True the first time {@code eventId} is offered within the window. */
  boolean firstTime(String eventId, long nowNanos) {
    Iterator<Map.Entry<String, Long>> oldest = seen.entrySet().iterator();
    while (oldest.hasNext()) {
      Map.Entry<String, Long> e = oldest.next();
      if (seen.size() < capacity && nowNanos - e.getValue() < windowNanos) {
        break;
      }
      oldest.remove();
    }
    return seen.putIfAbsent(eventId, nowNanos) == null;
  }
}
