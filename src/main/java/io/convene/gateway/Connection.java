package io.convene.gateway;

import io.convene.protocol.Identity;
import io.convene.protocol.CloseCodes;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One device's socket. Confined to the event loop of the gateway that accepted it. Outbound frames go
 * straight to the socket until its write queue is full; then presence frames are coalesced (latest per
 * user, flushed when the queue drains) and other frames get a small overflow allowance, past which the
 * client is closed as too slow: nothing is dropped silently.
 *
 * <p>Event frames are numbered ({@code seq}, one more per frame on the session) and the last ones are
 * kept, so a device that comes back soon can be sent what it missed (see {@link SessionStore}).
 */
final class Connection {
  final String id;
  final Identity identity;
  final ServerWebSocket socket;
  final Set<String> watched = new HashSet<>();
  /** Latest state of watched users that changed since the last bulk update. */
  final Map<String, JsonObject> changedWatched = new LinkedHashMap<>();

  private final Map<String, String> coalesced = new LinkedHashMap<>();
  private final ArrayDeque<SessionStore.Sent> recent = new ArrayDeque<>();
  private final int keepFrames;
  private final int keepBytes;
  private int recentBytes;
  private final int overflowAllowance;
  private final RateLimit rate;
  private final java.util.function.BiConsumer<Connection, CloseCodes> onClose;
  private final GatewayStats stats;
  private int overflow;
  private boolean closing;
  private CloseCodes closedWith;
  /** Requests of this connection not answered yet (a draining node answers them before it closes). */
  int pending;
  /** The session this socket carries: its resume token and the number of the last event frame sent. */
  String resumeToken;
  long seq;
  /** Until the welcome (or, for a resumed session, the missed frames) is sent, new events wait here. */
  List<SessionStore.Sent> held;
  /** Whether this node wrote the session to the store already (it is not written twice). */
  boolean kept;
  /** Done once the user's other devices were told (or not) of this connection: news of its end follows. */
  io.vertx.core.Future<Void> introduced = io.vertx.core.Future.succeededFuture();
  /** While set (a draining node), each numbered frame is also handed to it, to be kept in the store. */
  java.util.function.Consumer<SessionStore.Sent> mirror;
  Instant lastLife;
  Instant lastPing;

  Connection(String id, Identity identity, ServerWebSocket socket, Instant now, int overflowAllowance,
      int keepFrames, int keepBytes, RateLimit rate, GatewayStats stats,
      java.util.function.BiConsumer<Connection, CloseCodes> onClose) {
    this.stats = stats;
    this.keepFrames = keepFrames;
    this.keepBytes = keepBytes;
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

  /** Why the server closed it (null: it did not). */
  CloseCodes closedWith() {
    return closedWith;
  }

  /** Whether one more inbound frame is within the rate limit. */
  boolean allowInbound(Instant now) {
    return rate.take(now);
  }

  /** A frame that must arrive and is not numbered: acks, errors, the session's own frames. */
  void send(String frame) {
    if (roomFor()) {
      socket.writeTextMessage(frame);
    }
  }

  /** An event frame that must arrive, numbered; {@code eventId} tells a replayed copy from a live one. */
  void event(String frame, String eventId) {
    if (held != null && !closing) {
      held.add(new SessionStore.Sent(0, eventId, frame));
    } else if (roomFor()) {
      write(frame, eventId);
    } else {
      stats.framesDropped.increment();
    }
  }

  private boolean roomFor() {
    if (closing || socket.isClosed()) {
      return false;
    }
    if (socket.writeQueueFull() && ++overflow > overflowAllowance) {
      close(CloseCodes.TOO_SLOW);
      return false;
    }
    return true;
  }

  /** A presence frame about {@code userId}: under pressure only the latest per user is kept. */
  void sendPresence(String userId, String frame) {
    if (closing || socket.isClosed()) {
      return;
    }
    if (held != null) {
      held.add(new SessionStore.Sent(0, null, frame));
    } else if (socket.writeQueueFull()) {
      if (coalesced.remove(userId) != null) {
        stats.presenceCoalesced.increment();
      }
      coalesced.put(userId, frame);
    } else {
      write(frame, null);
    }
  }

  /** Sends a frame of a resumed session with the number it had. */
  void replay(SessionStore.Sent sent) {
    seq = sent.seq() - 1;
    if (roomFor()) {
      write(sent.frame(), sent.eventId());
    }
  }

  private void write(String frame, String eventId) {
    SessionStore.Sent sent = new SessionStore.Sent(++seq, eventId, frame);
    recent.addLast(sent);
    recentBytes += frame.length();
    while (recent.size() > keepFrames || recentBytes > keepBytes) {
      recentBytes -= recent.removeFirst().frame().length();
    }
    if (mirror != null) {
      mirror.accept(sent);
    }
    socket.writeTextMessage(numbered(frame, sent.seq()));
  }

  /** The event frames kept for a resume, oldest first. */
  List<SessionStore.Sent> recent() {
    return new ArrayList<>(recent);
  }

  /** {@code {"type",...}} with {@code "seq":n} added. */
  static String numbered(String frame, long seq) {
    return frame.substring(0, frame.length() - 1) + ",\"seq\":" + seq + "}";
  }

  private void drained() {
    overflow = 0;
    if (socket.isClosed()) {
      return;
    }
    var it = coalesced.values().iterator();
    while (it.hasNext() && !socket.writeQueueFull()) {
      write(it.next(), null);
      it.remove();
    }
  }

  void close(CloseCodes code) {
    if (closing) {
      return;
    }
    closing = true;
    closedWith = code;
    if (!coalesced.isEmpty()) {
      stats.framesDropped.increment(coalesced.size());
      coalesced.clear();
    }
    socket.close(code.code(), code.reason());
    onClose.accept(this, code);
  }
}
