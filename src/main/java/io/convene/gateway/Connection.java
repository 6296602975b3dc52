package io.convene.gateway;

import io.convene.protocol.Identity;
import io.convene.protocol.CloseCodes;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One device's socket. Confined to the event loop of the gateway that accepted it. Outbound frames go
 * straight to the socket until its write queue is full; then presence frames are coalesced (latest per
 * user, flushed when the queue drains) and other frames get a small overflow allowance, past which the
 * client is closed as too slow: nothing is dropped silently.
 */
final class Connection {
  final String id;
  final Identity identity;
  final ServerWebSocket socket;
  final Set<String> watched = new HashSet<>();
  /** Latest state of watched users that changed since the last bulk update. */
  final Map<String, JsonObject> changedWatched = new LinkedHashMap<>();

  private final Map<String, String> coalesced = new LinkedHashMap<>();
  private final int overflowAllowance;
  private final RateLimit rate;
  private final java.util.function.BiConsumer<Connection, CloseCodes> onClose;
  private int overflow;
  private boolean closing;
  /** Requests of this connection not answered yet (a draining node answers them before it closes). */
  int pending;
  Instant lastLife;
  Instant lastPing;

  Connection(String id, Identity identity, ServerWebSocket socket, Instant now,
      int overflowAllowance, RateLimit rate, java.util.function.BiConsumer<Connection, CloseCodes> onClose) {
    this.onClose = onClose;
    this.id = id;
    this.identity = identity;
    this.socket = socket;
    this.lastLife = now;
    this.lastPing = now;
    this.overflowAllowance = overflowAllowance;
    this.rate = rate;
    socket.drainHandler(v -> drained());
  }

  String userId() {
    return identity.userId();
  }

  boolean closing() {
    return closing;
  }

  /** Whether one more inbound frame is within the rate limit. */
  boolean allowInbound(Instant now) {
    return rate.take(now);
  }

  /** A frame that must arrive (events, acks). */
  void send(String frame) {
    if (closing || socket.isClosed()) {
      return;
    }
    if (socket.writeQueueFull()) {
      if (++overflow > overflowAllowance) {
        close(CloseCodes.TOO_SLOW);
        return;
      }
    }
    socket.writeTextMessage(frame);
  }

  /** A presence frame about {@code userId}: under pressure only the latest per user is kept. */
  void sendPresence(String userId, String frame) {
    if (closing || socket.isClosed()) {
      return;
    }
    if (socket.writeQueueFull()) {
      coalesced.remove(userId);
      coalesced.put(userId, frame);
      return;
    }
    socket.writeTextMessage(frame);
  }

  private void drained() {
    overflow = 0;
    if (socket.isClosed()) {
      return;
    }
    var it = coalesced.values().iterator();
    while (it.hasNext() && !socket.writeQueueFull()) {
      socket.writeTextMessage(it.next());
      it.remove();
    }
  }

  void close(CloseCodes code) {
    if (closing) {
      return;
    }
    closing = true;
    coalesced.clear();
    socket.close(code.code(), code.reason());
    onClose.accept(this, code);
  }
}
