package io.convene.gateway;

import io.convene.auth.Authenticator;
import io.convene.bus.Addresses;
import io.convene.bus.UserEvents;
import io.convene.config.AppConfig;
import io.convene.limit.Limits;
import io.convene.metrics.NodeMetrics;
import io.convene.notify.NotificationService;
import io.convene.presence.DeviceClaim;
import io.convene.presence.PresenceService;
import io.convene.presence.PresenceVisibility;
import io.convene.protocol.CloseCodes;
import io.convene.protocol.ErrorCode;
import io.convene.protocol.Events;
import io.convene.protocol.Frames;
import io.convene.protocol.Identity;
import io.convene.protocol.Requests;
import io.convene.protocol.SocketRequests;
import io.convene.user.UserDirectory;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebSocket gateway of one event loop: accepts authenticated sockets, keeps the connections it
 * holds, hands every client frame to the {@link Dispatcher}, delivers published events to the devices
 * it holds, and keeps them honest (expiry, silence, pings) and registered in presence. All its state is
 * confined to its event loop.
 */
public final class Gateway {
  public static final String PATH = Handshake.PATH;
  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int UNREAD_ON_CONNECT = 50;
  /** Devices per presence store call (connects, disconnects, re-registration). */
  private static final int BATCH = 500;
  /** The welcome waits this long for the device's registration, then goes anyway. */
  private static final long WELCOME_WAIT_MS = 2000;
  private static final int DISCONNECT_WARN_AFTER = 5;
  private static final long DISCONNECT_MAX_BACKOFF_MS = 5000;
  /** How long, and for how many events, a durable event's id is remembered against a second delivery. */
  private static final Duration DEDUPE_WINDOW = Duration.ofMinutes(2);
  private static final int DEDUPE_CAPACITY = 50_000;
  /** A draining node closes a socket this long after the moment it told the client to reconnect. */
  private static final long RECONNECT_LEAD_MS = 1000;

  private final Vertx vertx;
  private final AppConfig.Gateway config;
  private final PresenceService presence;
  private final NotificationService notifications;
  private final UserEvents events;
  private final GatewayStats stats;
  private final Clock clock;
  private final Handshake handshake;
  private final SocketsPerUser sockets;
  private final Dispatcher dispatcher;
  private final PresenceWatch watch;
  private final Map<String, List<Connection>> byUser = new HashMap<>();
  private final Map<String, Connection> byId = new HashMap<>();
  private final RecentEvents recentDurable = new RecentEvents(DEDUPE_WINDOW.toNanos(), DEDUPE_CAPACITY);
  /**
   * Connects, disconnects and re-registrations, applied to the presence store in the order they happen.
   * Answers, per change, whether another device of its user is registered: one to tell of the change.
   */
  private final Batcher<DeviceChange, Boolean> devices;
  private final Batcher<DeviceClaim, String> claims;
  private final Batcher<Besides, Boolean> companions;
  private final Batcher<String, Boolean> unreadFlags;
  private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();
  private final List<Long> timers = new ArrayList<>();
  /** Disconnects not yet in the presence store. */
  private int unrecorded;
  private boolean draining;
  private final KeptSessions kept;

  /**
   * @param requestTimeoutMillis a request not answered by then gets an {@code unavailable} ack
   * @param members verifies host-app tokens; {@code guests} verifies guest tokens
   * @param requests the socket requests of the areas; the gateway adds the presence ones to its copy
   * @param sessions where sessions are kept for a resume, on any node
   */
  public Gateway(Vertx vertx, AppConfig.Gateway config, long requestTimeoutMillis, Authenticator members,
      Authenticator guests,
      UserDirectory users, PresenceService presence, PresenceVisibility visibility, NotificationService notifications,
      SocketRequests requests, UserEvents events, SessionStore sessions, GatewayStats stats, Limits limits,
      SocketsPerUser sockets, Clock clock) {
    this.vertx = vertx;
    this.kept = new KeptSessions(sessions, config, clock, (user, connection) -> recordDisconnect(user, connection, 1));
    this.config = config;
    this.presence = presence;
    this.notifications = notifications;
    this.events = events;
    this.stats = stats;
    this.clock = clock;
    this.sockets = sockets;
    this.handshake = new Handshake(members, guests, users, limits, sockets);
    this.devices = new Batcher<>(BATCH, this::applyDeviceChanges);
    this.claims = new Batcher<>(BATCH, presence::claimDevices);
    this.companions = new Batcher<>(BATCH, asked -> presence.othersRegistered(
        asked.stream().map(Besides::userId).toList(), asked.stream().map(Besides::connectionIds).toList()));
    this.unreadFlags = new Batcher<>(BATCH, notifications::mayHaveUnread);
    this.watch = new PresenceWatch(presence, visibility, config.maxSubscriptions(), stats);
    this.dispatcher = new Dispatcher(requests.copy()
        .on(Requests.PRESENCE_HEARTBEAT, (who, conn, data) -> Future.succeededFuture(new JsonObject()))
        .on(Requests.PRESENCE_SUBSCRIBE, (who, conn, data) -> watch.subscribe(byId.get(conn), data))
        .on(Requests.PRESENCE_UNSUBSCRIBE, (who, conn, data) -> watch.unsubscribe(byId.get(conn), data)),
        requestTimeoutMillis, stats, vertx);
  }

  /**
   * The transport's own limit: beyond it the connection is dropped without a close frame. Below it,
   * frames over {@code maxFrameBytes} are refused with close code 1009.
   */
  public static int hardFrameLimit(AppConfig.Gateway config) {
    return config.maxFrameBytes() * 4;
  }

  /** Registers the bus consumers and timers of this event loop. */
  public Future<Void> start() {
    var bus = vertx.eventBus();
    consumers.add(bus.<JsonObject>consumer(Addresses.USER_EVENTS, m -> deliver(m.body())));
    consumers.add(bus.<JsonObject>consumer(Addresses.PRESENCE_CHANGED, m -> {
      long origin = m.body().getLong(PresenceService.ORIGIN_AT, 0L);
      for (Object change : m.body().getJsonArray("changes")) {
        watch.changed((JsonObject) change, this::devicesOf, origin);
      }
    }));
    consumers.add(bus.<JsonObject>consumer(Addresses.DEVICE_REPLACED, m -> close(m.body().getString("userId"),
        m.body().getString("connectionId"), CloseCodes.REPLACED)));
    consumers.add(bus.<JsonObject>consumer(Addresses.DISCONNECT_USERS, m -> {
      for (Object u : m.body().getJsonArray("userIds")) {
        List.copyOf(devicesOf((String) u)).forEach(c -> c.close(CloseCodes.SESSION_ENDED));
        kept.end((String) u);
      }
    }));
    var p = presence.config();
    timers.add(vertx.setPeriodic(config.sweepMillis(), id -> sweep()));
    timers.add(vertx.setPeriodic(p.bulkSeconds() * 1000L, id -> watch.bulkUpdates(clock.instant().toString())));
    timers.add(vertx.setPeriodic(Math.max(500, p.heartbeatSeconds() * 500L), id -> reassertDevices()));
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList()).mapEmpty();
  }

  /** Closes every connection with "going away": clients reconnect, possibly to another node. */
  public void stop() {
    timers.forEach(vertx::cancelTimer);
    List.copyOf(byId.values()).forEach(c -> c.close(CloseCodes.GOING_AWAY));
  }

  /**
   * Drains this event loop's sockets: no new ones are accepted; each socket is told to reconnect
   * ({@code session:reconnect} with the moment its close is due) and is closed with 1012 at its turn,
   * the turns spread evenly over {@code spread}, once its requests are answered (by {@code deadline}
   * at the latest). Completes when every socket is closed and its disconnect recorded, or at the
   * deadline.
   */
  public Future<Void> drain(Duration spread, long deadlineNanos) {
    draining = true;
    List<Connection> open = new ArrayList<>(byId.values());
    long slot = open.isEmpty() ? 0 : spread.toMillis() / open.size();
    String now = clock.instant().toString();
    long lead = Math.min(RECONNECT_LEAD_MS, spread.toMillis());
    for (int i = 0; i < open.size(); i++) {
      Connection c = open.get(i);
      long at = i * slot;
      kept.mirror(c);
      c.send(Frames.event(Events.SESSION_RECONNECT, new JsonObject().put("reason", "draining").put("retryAfterMs", at),
          now));
      vertx.setTimer(Math.max(1, at + lead), t -> closeWhenAnswered(c, deadlineNanos));
    }
    Promise<Void> done = Promise.promise();
    awaitDrained(done, deadlineNanos);
    return done.future();
  }

  private void closeWhenAnswered(Connection c, long deadlineNanos) {
    if (c.pending > 0 && System.nanoTime() < deadlineNanos) {
      vertx.setTimer(20, t -> closeWhenAnswered(c, deadlineNanos));
    } else {
      c.close(CloseCodes.DRAINING);
    }
  }

  private void awaitDrained(Promise<Void> done, long deadlineNanos) {
    if ((byId.isEmpty() && unrecorded == 0 && kept.isEmpty()) || System.nanoTime() >= deadlineNanos) {
      if (!byId.isEmpty() || unrecorded > 0) {
        LOG.warn("drain ended with {} sockets open and {} disconnects unrecorded", byId.size(), unrecorded);
      }
      kept.releaseAll();
      done.complete();
    } else {
      vertx.setTimer(20, t -> awaitDrained(done, deadlineNanos));
    }
  }

  // ---- connecting ---------------------------------------------------------------------------

  public void handshake(ServerWebSocketHandshake hs) {
    if (draining) {
      hs.reject(503);
      return;
    }
    handshake.authenticate(hs).onSuccess(accepted -> {
      if (accepted != null && draining) {
        hs.reject(503);
      } else if (accepted != null) {
        hs.accept().onSuccess(ws -> register(ws, accepted));
      }
    });
  }

  private void register(ServerWebSocket ws, Handshake.Accepted accepted) {
    Identity identity = accepted.identity();
    String deviceId = accepted.deviceId();
    Instant now = clock.instant();
    ws.setWriteQueueMaxSize(config.writeQueueBytes());
    Connection conn = new Connection(newConnectionId(), identity, ws, now, config.overflowFrames(),
        config.resumeFrames(), config.resumeBytes(),
        new RateLimit(config.ratePerSecond(), config.rateBurst(), now), stats, this::closedByServer);
    conn.resumeToken = newResumeToken();
    conn.held = new ArrayList<>();
    byUser.computeIfAbsent(identity.userId(), k -> new ArrayList<>()).add(conn);
    byId.put(conn.id, conn);
    sockets.opened(identity.userId());
    stats.socketsOpen.increment();
    stats.socketsAccepted.increment();
    ws.textMessageHandler(text -> onText(conn, text));
    ws.binaryMessageHandler(b -> onBinary(conn));
    ws.pongHandler(b -> conn.lastLife = clock.instant());
    ws.closeHandler(v -> closed(conn));
    ws.exceptionHandler(err -> {
      // Vert.x drops a message that grows past the message limit (inflated, or in many frames) and only
      // reports it: the client is told, as for a frame over the limit, instead of left waiting.
      if (err instanceof IllegalStateException && String.valueOf(err.getMessage()).contains("max message size")) {
        conn.close(CloseCodes.MESSAGE_TOO_BIG);
        return;
      }
      LOG.debug("socket {} failed: {}", conn.id, err.getMessage());
    });

    if (deviceId != null) {
      claims.add(new DeviceClaim(identity.userId(), deviceId, conn.id))
          .onSuccess(previous -> {
            if (previous != null && !previous.equals(conn.id)) {
              vertx.eventBus().publish(Addresses.DEVICE_REPLACED,
                  new JsonObject().put("userId", identity.userId()).put("connectionId", previous));
            }
          })
          .onFailure(err -> LOG.warn("device {} of {} not claimed: {}", deviceId, identity.userId(), err.getMessage()));
    }
    Future<Boolean> registered =
        Deadline.within(vertx, devices.add(new DeviceChange(identity.userId(), conn.id, true)), WELCOME_WAIT_MS)
            .onFailure(err -> LOG.warn("presence of {} not recorded in time: {}", identity.userId(), err.getMessage()));
    if (accepted.resume() == null) {
      conn.introduced = registered.transform(ar -> {
        tellIfAccompanied(Events.PRESENCE_USER_CONNECTED, ar, conn);
        return Future.succeededFuture();
      });
      registered.onComplete(ar -> welcome(conn, false));
    } else {
      // whom to tell of a resumed device waits for the session: the device it was kept from is not another
      Promise<Void> introduced = Promise.promise();
      conn.introduced = introduced.future();
      registered.onComplete(ar -> resume(conn, accepted.resume(), ar, introduced));
    }
  }


  /** A fresh session: the welcome, then the unread notifications; {@code retried}: a resume was refused. */
  private void welcome(Connection conn, boolean retried) {
    if (conn.closing() || conn.socket.isClosed()) {
      return;
    }
    String now = clock.instant().toString();
    JsonObject data = new JsonObject()
        .put("connectionId", conn.id)
        .put("userId", conn.userId())
        .put("heartbeatSeconds", presence.config().heartbeatSeconds())
        .put("resumeToken", conn.resumeToken)
        .put("serverTime", now);
    if (retried) {
      data.put("resumed", false);
    }
    List<SessionStore.Sent> held = conn.held;
    conn.held = null;
    conn.send(Frames.event(Events.SESSION_WELCOME, data, now));
    held.forEach(h -> conn.event(h.frame(), h.eventId()));
    sendUnread(conn);
  }

  /**
   * Takes over the session the device comes back to (kept on whichever node held it) and sends the
   * frames it missed with their numbers, then {@code session:resumed}, then what came meanwhile (without
   * what the replay already carried). A session that expired, was taken, or cannot be replayed without a
   * gap gets a fresh welcome instead. Either way the user's other devices, if it has any besides the
   * connection the session was kept from, are told the device came ({@code registered}: what registering
   * it found, when the session is unknown), then {@code introduced} completes.
   */
  private void resume(Connection conn, Handshake.Resume resume, AsyncResult<Boolean> registered,
      Promise<Void> introduced) {
    kept.store().claim(resume.token(), conn.userId()).onComplete(ar -> {
      if (ar.failed()) {
        LOG.warn("session of {} not resumed: {}", conn.userId(), ar.cause().getMessage());
      }
      SessionStore.Claimed session = ar.succeeded() ? ar.result().orElse(null) : null;
      boolean resumed = session != null && session.replayable(resume.lastSeq());
      if (session != null && session.connectionId() != null) {
        // the connection it was kept from stays registered until its node lets it go: not another device
        companions.add(new Besides(conn.userId(), Set.of(conn.id, session.connectionId()))).onComplete(others -> {
          tellIfAccompanied(Events.PRESENCE_USER_CONNECTED, others, conn);
          introduced.complete();
        });
      } else {
        tellIfAccompanied(Events.PRESENCE_USER_CONNECTED, registered, conn);
        introduced.complete();
      }
      if (conn.closing() || conn.socket.isClosed()) {
        return;
      }
      if (!resumed) {
        welcome(conn, true);
        return;
      }
      conn.resumeToken = resume.token();
      conn.seq = resume.lastSeq();
      List<SessionStore.Sent> held = conn.held;
      conn.held = null;
      Set<String> replayed = new HashSet<>();
      int n = 0;
      for (SessionStore.Sent f : session.frames()) {
        if (f.eventId() != null) {
          replayed.add(f.eventId());
        }
        if (f.seq() > resume.lastSeq()) {
          conn.replay(f);
          n++;
        }
      }
      conn.seq = Math.max(conn.seq, session.last());
      String now = clock.instant().toString();
      conn.send(Frames.event(Events.SESSION_RESUMED, new JsonObject().put("replayed", n).put("connectionId", conn.id)
          .put("userId", conn.userId()).put("heartbeatSeconds", presence.config().heartbeatSeconds())
          .put("serverTime", now), now));
      for (SessionStore.Sent h : held) {
        if (h.eventId() == null || !replayed.contains(h.eventId())) {
          conn.event(h.frame(), h.eventId());
        }
      }
      if (!conn.identity.guest()) {
        watch.restore(conn, session.watched(), now);
      }
    });
  }

  /** The welcome comes once the device is registered (reachable and online); unread notifications follow. */
  private void sendUnread(Connection conn) {
    unreadFlags.add(conn.userId())
        .compose(flagged -> flagged ? notifications.unreadOnConnect(conn.userId(), UNREAD_ON_CONNECT) : Future.succeededFuture(List.of()))
        .onSuccess(items -> {
          if (!items.isEmpty()) {
            conn.event(Frames.event(Events.NOTIFICATIONS_UNREAD, new JsonObject().put("items", new JsonArray(items)),
                clock.instant().toString()), null);
          }
        })
        .onFailure(err -> LOG.warn("unread notifications of {} not sent: {}", conn.userId(), err.getMessage()));
  }

  private void closedByServer(Connection conn, CloseCodes code) {
    LOG.debug("closing {} of {}: {}", conn.id, conn.userId(), code.reason());
    stats.closedByServer(code);
    vertx.eventBus().publish(Addresses.CONNECTION_CLOSED, new JsonObject().put("userId", conn.userId())
        .put("connectionId", conn.id).put("code", code.code()).put("reason", code.reason()));
  }

  /**
   * The socket closed. A session the device may come back to (the network dropped, or this node drains)
   * is kept for {@code gateway.resumeSeconds}, its device still registered; otherwise the device is gone.
   */
  private void closed(Connection conn) {
    boolean resumable = kept.resumable(conn);
    if (!unregister(conn)) {
      return;
    }
    if (resumable) {
      // kept for its return (its device stays registered), yet gone for now: the other devices, if there are
      // any, hear of it, after they heard it came
      conn.introduced.onComplete(v -> companions.add(new Besides(conn.userId(), Set.of(conn.id)))
          .onComplete(others -> tellIfAccompanied(Events.PRESENCE_USER_DISCONNECTED, others, conn)));
      kept.detach(conn);
    } else {
      // after its connect in the same queue: the other devices hear that it came first
      recordDisconnect(conn.userId(), conn.id, 1)
          .onComplete(others -> tellIfAccompanied(Events.PRESENCE_USER_DISCONNECTED, others, conn));
    }
  }

  /**
   * Tells the user's other devices that {@code conn} came or went ({@code type}) when it is news to them:
   * the presence store says another is registered (devices register in turn: a device hears of those
   * registered after it) or did not answer, or this node holds another (the store may have lost its data
   * since this node last registered them).
   */
  private void tellIfAccompanied(String type, AsyncResult<Boolean> others, Connection conn) {
    if (others.failed() || others.result() || devicesOf(conn.userId()).stream().anyMatch(c -> c != conn)) {
      events.publish(List.of(conn.userId()), type,
          new JsonObject().put("userId", conn.userId()).put("connectionId", conn.id), conn.id);
    }
  }

  private boolean unregister(Connection conn) {
    List<Connection> list = byUser.get(conn.userId());
    if (list == null || !list.remove(conn)) {
      return false;
    }
    if (list.isEmpty()) {
      byUser.remove(conn.userId());
    }
    byId.remove(conn.id);
    sockets.closed(conn.userId());
    stats.socketsOpen.decrement();
    watch.forget(conn);
    return true;
  }

  /**
   * A lost disconnect would leave a ghost device online, ringing for a user who is gone: it is retried,
   * with backoff, until the presence store takes it (however long the store is away). Answers the first
   * attempt: whether the user still has another device.
   */
  private Future<Boolean> recordDisconnect(String userId, String connectionId, int attempt) {
    unrecorded++;
    return devices.add(new DeviceChange(userId, connectionId, false)).onComplete(ar -> unrecorded--).onFailure(err -> {
      if (attempt == DISCONNECT_WARN_AFTER) {
        LOG.warn("presence of {} not updated after {} attempts, still trying: {}", userId, attempt, err.getMessage());
      }
      long delay = Math.min(DISCONNECT_MAX_BACKOFF_MS, 200L * attempt * attempt);
      vertx.setTimer(delay, t -> recordDisconnect(userId, connectionId, attempt + 1));
    });
  }

  private void close(String userId, String connectionId, CloseCodes code) {
    Connection c = byId.get(connectionId);
    if (c != null && c.userId().equals(userId)) {
      c.close(code);
    }
  }

  private List<Connection> devicesOf(String userId) {
    return byUser.getOrDefault(userId, List.of());
  }

  // ---- frames from clients ------------------------------------------------------------------

  private void onText(Connection conn, String text) {
    Instant now = clock.instant();
    if (!conn.allowInbound(now)) {
      stats.inboundRateLimited.increment();
      conn.close(CloseCodes.RATE_LIMITED);
      return;
    }
    conn.lastLife = now;
    if (text.length() > config.maxFrameBytes()) {
      conn.close(CloseCodes.MESSAGE_TOO_BIG);
      return;
    }
    dispatcher.dispatch(conn, text);
  }

  private void onBinary(Connection conn) {
    conn.lastLife = clock.instant();
    conn.send(Frames.error(null, ErrorCode.BAD_REQUEST,
        "binary frames are not supported; send JSON text"));
  }

  // ---- delivery -----------------------------------------------------------------------------

  /**
   * A published user event: to every local device of the listed users, except the connection named. A
   * durable event (from the outbox) already delivered is dropped.
   */
  private void deliver(JsonObject msg) {
    if (msg.getBoolean("durable", false) && !recentDurable.firstTime(msg.getString("eventId"), System.nanoTime())) {
      stats.duplicatesDropped.increment();
      return;
    }
    JsonArray userIds = msg.getJsonArray("userIds");
    String except = msg.getString("except");
    String eventId = msg.getString("eventId");
    // which other devices of the user come and go is not kept for a session that is away
    String type = msg.getString("type");
    boolean deviceNews = Events.PRESENCE_USER_CONNECTED.equals(type) || Events.PRESENCE_USER_DISCONNECTED.equals(type);
    String frame = null;
    int written = 0;
    for (Object u : userIds) {
      List<Connection> list = byUser.get((String) u);
      boolean away = !deviceNews && kept.away((String) u);
      if (!away && (list == null || list.stream().allMatch(c -> c.id.equals(except)))) {
        continue;
      }
      if (frame == null) {
        frame = Frames.event(type, msg.getJsonObject("data"), msg.getString("ts"));
      }
      for (Connection c : list == null ? List.<Connection>of() : List.copyOf(list)) {
        if (!c.id.equals(except)) {
          c.event(frame, eventId);
          written++;
        }
      }
      if (away) {
        kept.add((String) u, except, eventId, frame);
      }
    }
    if (written > 0) {
      stats.framesDelivered.add(written);
      NodeMetrics.since(stats.eventWritten, msg.getLong(UserEvents.SENT_AT, 0L), written);
      if (Events.CALL_INCOMING.equals(type)) {
        NodeMetrics.since(stats.ringWritten, msg.getLong(UserEvents.ORIGIN_AT, 0L), written);
      }
    }
  }

  // ---- upkeep -------------------------------------------------------------------------------

  /** Closes expired and silent connections, and pings the others. */
  private void sweep() {
    Instant now = clock.instant();
    kept.check(now);
    Duration silence = Duration.ofSeconds(2L * presence.config().heartbeatSeconds());
    Duration ping = Duration.ofSeconds(config.pingSeconds());
    for (Connection c : List.copyOf(byId.values())) {
      if (c.closing()) {
        continue;
      }
      if (!c.identity.expiresAt().isAfter(now)) {
        c.close(CloseCodes.TOKEN_EXPIRED);
      } else if (c.lastLife.plus(silence).isBefore(now)) {
        c.close(CloseCodes.IDLE);
      } else if (!c.lastPing.plus(ping).isAfter(now)) {
        c.lastPing = now;
        c.socket.writePing(Buffer.buffer());
      }
    }
  }

  /**
   * Re-registers every local device, so presence recovers from a store that lost its data. It goes
   * through the same queue as connects and disconnects: a device that disconnects meanwhile is never
   * registered again after its disconnect.
   */
  private void reassertDevices() {
    for (Connection c : byId.values()) {
      devices.add(new DeviceChange(c.userId(), c.id, true))
          .onFailure(err -> LOG.debug("re-registering {} failed: {}", c.id, err.getMessage()));
    }
  }

  /** A device (a user's connection) that connected or disconnected. */
  private record DeviceChange(String userId, String connectionId, boolean connected) {}

  /** A question to the presence store: has the user a device registered besides these connections? */
  private record Besides(String userId, Set<String> connectionIds) {}

  /**
   * Applies a batch of changes: connects first, then disconnects. A connection's disconnect always
   * comes after its connect, so per connection the order holds.
   */
  private Future<List<Boolean>> applyDeviceChanges(List<DeviceChange> changes) {
    List<DeviceChange> connected = changes.stream().filter(DeviceChange::connected).toList();
    List<DeviceChange> disconnected = changes.stream().filter(c -> !c.connected()).toList();
    return presence.devicesConnected(userIds(connected), connectionIds(connected))
        .compose(joined -> presence.devicesDisconnected(userIds(disconnected), connectionIds(disconnected))
            .map(left -> {
              Iterator<Boolean> j = joined.iterator();
              Iterator<Boolean> l = left.iterator();
              return changes.stream().map(c -> c.connected() ? j.next() : l.next()).toList();
            }));
  }

  private static List<String> userIds(List<DeviceChange> devices) {
    return devices.stream().map(DeviceChange::userId).toList();
  }

  private static List<String> connectionIds(List<DeviceChange> devices) {
    return devices.stream().map(DeviceChange::connectionId).toList();
  }

  private static String newResumeToken() {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    return "r_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static String newConnectionId() {
    byte[] bytes = new byte[12];
    RANDOM.nextBytes(bytes);
    return "c_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
