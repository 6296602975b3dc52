package io.convene.gateway;

import io.convene.config.AppConfig;
import io.convene.protocol.CloseCodes;
import io.vertx.core.json.JsonArray;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sessions of one event loop's sockets kept for a resume ({@link SessionStore}): written to the store
 * when their socket drops (or, on a draining node, from the reconnect frame on), fed with what their user
 * is sent meanwhile, and let go when they are taken over elsewhere, expire, or the node stops; then their
 * device is gone ({@code deviceGone}). Confined to its event loop.
 */
final class KeptSessions {
  private static final Logger LOG = LoggerFactory.getLogger(KeptSessions.class);
  private static final int BATCH = 500;

  /** A session kept here after its socket closed: what the user is sent meanwhile is added to it. */
  private static final class Away {
    final String token;
    final String userId;
    final String connectionId;
    final Instant expires;
    long seq;

    Away(String token, String userId, String connectionId, Instant expires, long seq) {
      this.token = token;
      this.userId = userId;
      this.connectionId = connectionId;
      this.expires = expires;
      this.seq = seq;
    }
  }

  private final SessionStore store;
  /** Writes to the store, in the order they happen. */
  private final Batcher<SessionStore.Write, Boolean> writes;
  private final AppConfig.Gateway config;
  private final Clock clock;
  private final BiConsumer<String, String> deviceGone;
  private final Map<String, Away> byToken = new HashMap<>();
  private final Map<String, List<Away>> byUser = new HashMap<>();

  /** @param deviceGone told (user, connection) when a kept session is over here */
  KeptSessions(SessionStore store, AppConfig.Gateway config, Clock clock, BiConsumer<String, String> deviceGone) {
    this.store = store;
    this.writes = new Batcher<>(BATCH, store::write);
    this.config = config;
    this.clock = clock;
    this.deviceGone = deviceGone;
  }

  SessionStore store() {
    return store;
  }

  boolean isEmpty() {
    return byToken.isEmpty();
  }

  /** Whether sessions of {@code userId} are kept here (its events are to be added to them). */
  boolean away(String userId) {
    return byUser.containsKey(userId);
  }

  /** Not when the client said goodbye (1000, 1001), nor when the server closed it for a reason of its own. */
  boolean resumable(Connection conn) {
    if (config.resumeSeconds() == 0) {
      return false;
    }
    if (conn.closing()) {
      return conn.closedWith() == CloseCodes.DRAINING;
    }
    Short code = conn.socket.closeStatusCode();
    return code == null || (code != 1000 && code != 1001);
  }

  /**
   * Keeps the session of a socket this node is about to close in the store from now on, so the device can
   * resume it on another node before or after the close.
   */
  void mirror(Connection c) {
    if (config.resumeSeconds() == 0) {
      return;
    }
    keep(c);
    c.mirror = sent -> writes.add(SessionStore.Write.append(c.resumeToken, sent)).onSuccess(alive -> {
      if (!alive) {
        c.mirror = null;
      }
    });
  }

  /** The socket of {@code conn} dropped: its session is kept for {@code gateway.resumeSeconds}. */
  void detach(Connection conn) {
    if (!conn.kept) {
      keep(conn);
    }
    Away a = new Away(conn.resumeToken, conn.userId(), conn.id, clock.instant().plusSeconds(config.resumeSeconds()),
        conn.seq);
    byToken.put(a.token, a);
    byUser.computeIfAbsent(a.userId, k -> new ArrayList<>()).add(a);
  }

  /** Writes the session of {@code conn} and its last frames to the store (once: it may be taken over next). */
  private void keep(Connection conn) {
    conn.kept = true;
    writes.add(SessionStore.Write.open(conn.resumeToken, conn.userId(), new JsonArray(List.copyOf(conn.watched)),
            config.resumeSeconds() * 1000L, conn.seq, conn.id))
        .onFailure(err -> LOG.warn("session of {} not kept for a resume: {}", conn.userId(), err.getMessage()));
    for (SessionStore.Sent sent : conn.recent()) {
      writes.add(SessionStore.Write.append(conn.resumeToken, sent));
    }
  }

  /** An event for {@code userId}: added, numbered, to each of the user's kept sessions (but {@code except}). */
  void add(String userId, String except, String eventId, String frame) {
    for (Away a : List.copyOf(byUser.getOrDefault(userId, List.of()))) {
      if (!a.connectionId.equals(except)) {
        writes.add(SessionStore.Write.append(a.token, new SessionStore.Sent(++a.seq, eventId, frame)))
            .onSuccess(alive -> {
              if (!alive) {
                release(a);
              }
            })
            .onFailure(err -> LOG.debug("frame for the kept session of {} not stored: {}", a.userId, err.getMessage()));
      }
    }
  }

  /** The user's sessions end (a guest let go): no resume. */
  void end(String userId) {
    for (Away a : List.copyOf(byUser.getOrDefault(userId, List.of()))) {
      release(a);
      store.drop(a.token, a.userId);
    }
  }

  /** Lets every kept session go (this node stops); they stay in the store for a resume elsewhere. */
  void releaseAll() {
    List.copyOf(byToken.values()).forEach(this::release);
  }

  /** Lets go the kept sessions that expired or were taken over elsewhere. */
  void check(Instant now) {
    if (byToken.isEmpty()) {
      return;
    }
    for (Away a : List.copyOf(byToken.values())) {
      if (!a.expires.isAfter(now)) {
        release(a);
        store.drop(a.token, a.userId).onFailure(err -> LOG.debug("session {} not dropped: {}", a.token, err.getMessage()));
      }
    }
    store.gone(List.copyOf(byToken.keySet())).onSuccess(gone -> gone.forEach(t -> {
      Away a = byToken.get(t);
      if (a != null) {
        release(a);
      }
    }));
  }

  private void release(Away a) {
    if (byToken.remove(a.token) == null) {
      return;
    }
    List<Away> list = byUser.get(a.userId);
    if (list != null) {
      list.remove(a);
      if (list.isEmpty()) {
        byUser.remove(a.userId);
      }
    }
    deviceGone.accept(a.userId, a.connectionId);
  }
}
