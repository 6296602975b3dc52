package io.convene.gateway;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many sockets each user holds on this node, across its event loops; a user at {@code max} gets 429
 * at the handshake. Per node: a user may hold {@code max} on each node of a cluster.
 */
public final class SocketsPerUser {
  private final int max;
  private final ConcurrentHashMap<String, AtomicInteger> counts = new ConcurrentHashMap<>();

  /** @param max sockets per user on this node; 0 for any number */
  public SocketsPerUser(int max) {
    this.max = max;
  }

  /** Whether {@code userId} may open one more. */
  boolean mayOpen(String userId) {
    if (max <= 0) {
      return true;
    }
    AtomicInteger n = counts.get(userId);
    return n == null || n.get() < max;
  }

  void opened(String userId) {
    counts.computeIfAbsent(userId, k -> new AtomicInteger()).incrementAndGet();
  }

  void closed(String userId) {
    counts.computeIfPresent(userId, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
  }
}
