package io.convene.gateway;

import io.convene.Services;
import io.convene.auth.Identity;
import io.convene.bus.Addresses;
import io.convene.call.CallRequests;
import io.convene.config.AppConfig;
import io.convene.guest.GuestService;
import io.convene.http.AuthHandler;
import io.convene.presence.PresenceService;
import io.convene.protocol.ApiException;
import io.convene.protocol.CloseCodes;
import io.convene.protocol.ErrorCode;
import io.convene.protocol.Events;
import io.convene.protocol.Frames;
import io.convene.protocol.Input;
import io.convene.protocol.Requests;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebSocket gateway of one event loop: authenticates before the upgrade, keeps the connections it
 * accepted, answers every client request with one ack, and delivers published events to the devices
 * it holds. All its state is confined to its event loop.
 */
public final class Gateway {
  public static final String PATH = "/ws";
  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int MAX_REQUEST_ID = 64;
  private static final int UNREAD_ON_CONNECT = 50;
  private static final int REASSERT_CHUNK = 500;
  /** The welcome waits this long for the device's registration, then goes anyway. */
  private static final long WELCOME_WAIT_MS = 2000;
  private static final int DISCONNECT_ATTEMPTS = 5;

  private final Vertx vertx;
  private final Services services;
  private final AppConfig.Gateway config;
  private final PresenceService presence;
  private final Clock clock;
  private final Map<String, SocketRequestHandler> handlers = new HashMap<>();
  private final Map<String, List<Connection>> byUser = new HashMap<>();
  private final Map<String, Set<Connection>> watchers = new HashMap<>();
  private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();
  private final List<Long> timers = new ArrayList<>();

  public Gateway(Vertx vertx, Services services) {
    this.vertx = vertx;
    this.services = services;
    this.config = services.config().gateway();
    this.presence = services.presence();
    this.clock = services.clock();
    handlers.put(Requests.PRESENCE_HEARTBEAT, (who, conn, data) -> Future.succeededFuture(new JsonObject()));
    CallRequests.register(handlers, services.calls());
    handlers.put(Requests.MEETING_ADMIT_GUEST, (who, conn, data) -> decideGuest(who, data, true));
    handlers.put(Requests.MEETING_DECLINE_GUEST, (who, conn, data) -> decideGuest(who, data, false));
  }

  private Future<JsonObject> decideGuest(Identity who, JsonObject data, boolean admit) {
    Input in = Input.of(data).allowOnly("meetingId", "sessionId");
    String meetingId = in.string("meetingId", true, 1, 64);
    String sessionId = in.string("sessionId", true, 1, 64);
    in.check();
    return services.guests().decide(who, meetingId, sessionId, admit);
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
    consumers.add(bus.<JsonObject>consumer(Addresses.PRESENCE_CHANGED, m -> presenceChanged(m.body())));
    consumers.add(bus.<JsonObject>consumer(Addresses.DEVICE_REPLACED, m -> deviceReplaced(m.body())));
    consumers.add(bus.<JsonObject>consumer(Addresses.DISCONNECT_USERS, m -> {
      for (Object u : m.body().getJsonArray("userIds")) {
        List.copyOf(byUser.getOrDefault((String) u, List.of())).forEach(c -> c.close(CloseCodes.SESSION_ENDED));
      }
    }));
    var p = presence.config();
    timers.add(vertx.setPeriodic(config.sweepMillis(), id -> sweep()));
    timers.add(vertx.setPeriodic(p.bulkSeconds() * 1000L, id -> bulkUpdates()));
    timers.add(vertx.setPeriodic(Math.max(500, p.heartbeatSeconds() * 500L), id -> reassertDevices()));
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList()).mapEmpty();
  }

  /** Closes every connection with "going away": clients reconnect, possibly to another node. */
  public void stop() {
    timers.forEach(vertx::cancelTimer);
    byUser.values().stream().flatMap(List::stream).toList().forEach(c -> c.close(CloseCodes.GOING_AWAY));
  }

  // ---- connecting ---------------------------------------------------------------------------

  public void handshake(ServerWebSocketHandshake hs) {
    if (!PATH.equals(hs.path())) {
      hs.reject(404);
      return;
    }
    Map<String, String> query = query(hs.query());
    String token = AuthHandler.bearer(hs.headers().get("Authorization"));
    if (token == null) {
      token = query.get("access_token");
    }
    String deviceId = query.get("device_id");
    if (deviceId != null && Input.idProblem(deviceId) != null) {
      hs.reject(400);
      return;
    }
    String guestToken = query.get("guest_token");
    (guestToken != null ? services.guests().verify(guestToken) : services.tokens().verify(token))
        .onFailure(err -> hs.reject(401))
        .onSuccess(identity -> {
          if (guestToken == null) {
            services.users().touch(identity);
          }
          hs.accept().onSuccess(ws -> register(ws, identity, deviceId));
        });
  }

  private void register(ServerWebSocket ws, Identity identity, String deviceId) {
    Instant now = clock.instant();
    ws.setWriteQueueMaxSize(config.writeQueueBytes());
    Connection conn = new Connection(newConnectionId(), identity, ws, now, config.overflowFrames(),
        new RateLimit(config.ratePerSecond(), config.rateBurst(), now), this::closedByServer);
    byUser.computeIfAbsent(identity.userId(), k -> new ArrayList<>()).add(conn);
    services.stats().socketsOpen.increment();
    services.stats().socketsAccepted.increment();
    ws.textMessageHandler(text -> onText(conn, text));
    ws.binaryMessageHandler(b -> onBinary(conn));
    ws.pongHandler(b -> conn.lastLife = clock.instant());
    ws.closeHandler(v -> unregister(conn));
    ws.exceptionHandler(err -> LOG.debug("socket {} failed: {}", conn.id, err.getMessage()));

    if (deviceId != null) {
      presence.claimDevice(identity.userId(), deviceId, conn.id)
          .onSuccess(previous -> {
            if (previous != null && !previous.equals(conn.id)) {
              vertx.eventBus().publish(Addresses.DEVICE_REPLACED,
                  new JsonObject().put("userId", identity.userId()).put("connectionId", previous));
            }
          })
          .onFailure(err -> LOG.warn("device {} of {} not claimed: {}", deviceId, identity.userId(), err.getMessage()));
    }
    services.events().publish(List.of(identity.userId()), Events.PRESENCE_USER_CONNECTED,
        new JsonObject().put("userId", identity.userId()).put("connectionId", conn.id), conn.id);
    presence.deviceConnected(identity.userId(), conn.id)
        .timeout(WELCOME_WAIT_MS, java.util.concurrent.TimeUnit.MILLISECONDS)
        .onFailure(err -> LOG.warn("presence of {} not recorded in time: {}", identity.userId(), err.getMessage()))
        .onComplete(ar -> {
          conn.send(Frames.event(Events.SESSION_WELCOME, new JsonObject()
              .put("connectionId", conn.id)
              .put("userId", identity.userId())
              .put("heartbeatSeconds", presence.config().heartbeatSeconds())
              .put("serverTime", now.toString()), now.toString()));
          sendUnread(conn);
        });
  }

  /** The welcome comes once the device is registered (reachable and online); unread notifications follow. */
  private void sendUnread(Connection conn) {
    services.notifications().unread(conn.userId(), UNREAD_ON_CONNECT)
        .onSuccess(items -> {
          if (!items.isEmpty()) {
            conn.send(Frames.event(Events.NOTIFICATIONS_UNREAD, new JsonObject().put("items", new JsonArray(items)),
                clock.instant().toString()));
          }
        })
        .onFailure(err -> LOG.warn("unread notifications of {} not sent: {}", conn.userId(), err.getMessage()));
  }

  private void closedByServer(Connection conn, CloseCodes code) {
    LOG.debug("closing {} of {}: {}", conn.id, conn.userId(), code.reason());
    services.stats().socketsClosedByServer.increment();
    vertx.eventBus().publish(Addresses.CONNECTION_CLOSED, new JsonObject().put("userId", conn.userId())
        .put("connectionId", conn.id).put("code", code.code()).put("reason", code.reason()));
  }

  private void unregister(Connection conn) {
    List<Connection> list = byUser.get(conn.userId());
    if (list == null || !list.remove(conn)) {
      return;
    }
    if (list.isEmpty()) {
      byUser.remove(conn.userId());
    }
    services.stats().socketsOpen.decrement();
    for (String watched : conn.watched) {
      unwatch(conn, watched);
    }
    services.events().publish(List.of(conn.userId()), Events.PRESENCE_USER_DISCONNECTED,
        new JsonObject().put("userId", conn.userId()).put("connectionId", conn.id), conn.id);
    recordDisconnect(conn.userId(), conn.id, 1);
  }

  /** A lost disconnect would leave a ghost device online: retry with backoff while the store is busy. */
  private void recordDisconnect(String userId, String connectionId, int attempt) {
    presence.deviceDisconnected(userId, connectionId).onFailure(err -> {
      if (attempt >= DISCONNECT_ATTEMPTS) {
        LOG.warn("presence of {} not updated after {} attempts: {}", userId, attempt, err.getMessage());
      } else {
        vertx.setTimer(200L * attempt * attempt, t -> recordDisconnect(userId, connectionId, attempt + 1));
      }
    });
  }

  private void deviceReplaced(JsonObject msg) {
    List<Connection> list = byUser.get(msg.getString("userId"));
    if (list == null) {
      return;
    }
    for (Connection c : List.copyOf(list)) {
      if (c.id.equals(msg.getString("connectionId"))) {
        c.close(CloseCodes.REPLACED);
      }
    }
  }

  // ---- requests -----------------------------------------------------------------------------

  private void onText(Connection conn, String text) {
    Instant now = clock.instant();
    if (!conn.allowInbound(now)) {
      conn.close(CloseCodes.RATE_LIMITED);
      return;
    }
    conn.lastLife = now;
    if (text.length() > config.maxFrameBytes()) {
      conn.close(CloseCodes.MESSAGE_TOO_BIG);
      return;
    }
    Object parsed;
    try {
      parsed = Json.decodeValue(Buffer.buffer(text));
    } catch (DecodeException e) {
      conn.send(Frames.error(null, ErrorCode.MALFORMED_JSON, "frame is not valid JSON"));
      return;
    }
    if (!(parsed instanceof JsonObject frame)) {
      conn.send(Frames.error(null, ErrorCode.BAD_REQUEST, "frame must be a JSON object"));
      return;
    }
    Object rawId = frame.getValue("id");
    String id = rawId instanceof String s && !s.isEmpty() && s.length() <= MAX_REQUEST_ID ? s : null;
    if (id == null) {
      conn.send(Frames.error(null, ErrorCode.BAD_REQUEST, "id must be a string of 1 to " + MAX_REQUEST_ID + " characters"));
      return;
    }
    if (!(frame.getValue("type") instanceof String type)) {
      conn.send(Frames.error(id, ErrorCode.BAD_REQUEST, "type must be a string"));
      return;
    }
    Object rawData = frame.getValue("data");
    if (rawData != null && !(rawData instanceof JsonObject)) {
      conn.send(Frames.error(id, ErrorCode.BAD_REQUEST, "data must be an object"));
      return;
    }
    JsonObject data = rawData == null ? new JsonObject() : (JsonObject) rawData;
    Future<JsonObject> result;
    try {
      result = switch (type) {
        case Requests.PRESENCE_SUBSCRIBE -> subscribe(conn, data);
        case Requests.PRESENCE_UNSUBSCRIBE -> unsubscribe(conn, data);
        default -> {
          SocketRequestHandler handler = handlers.get(type);
          if (handler == null) {
            throw new ApiException(ErrorCode.UNKNOWN_TYPE, "unknown request type '" + truncate(type) + "'");
          }
          yield handler.handle(conn.identity, conn.id, data);
        }
      };
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    services.stats().requestsHandled.increment();
    result.onComplete(ar -> {
      if (ar.succeeded()) {
        conn.send(Frames.ok(id, ar.result()));
      } else if (ar.cause() instanceof ApiException e) {
        conn.send(Frames.error(id, e.code(), e.getMessage()));
      } else {
        LOG.error("request {} of {} failed", type, conn.userId(), ar.cause());
        conn.send(Frames.error(id, ErrorCode.INTERNAL, "internal error"));
      }
    });
  }

  private void onBinary(Connection conn) {
    conn.lastLife = clock.instant();
    conn.send(Frames.error(null, ErrorCode.BAD_REQUEST, "binary frames are not supported; send JSON text"));
  }

  private Future<JsonObject> subscribe(Connection conn, JsonObject data) {
    if (conn.identity.roles().contains(GuestService.GUEST_ROLE)) {
      throw ApiException.forbidden("guests cannot watch presence");
    }
    Input in = Input.of(data).allowOnly("userIds");
    List<String> ids = in.ids("userIds", true, config.maxSubscriptions());
    in.check();
    long fresh = ids.stream().filter(u -> !conn.watched.contains(u)).count();
    if (conn.watched.size() + fresh > config.maxSubscriptions()) {
      throw new ApiException(ErrorCode.LIMIT_EXCEEDED,
          "a connection watches at most " + config.maxSubscriptions() + " users; unsubscribe some first");
    }
    for (String u : ids) {
      if (conn.watched.add(u)) {
        watchers.computeIfAbsent(u, k -> new LinkedHashSet<>()).add(conn);
      }
    }
    return presence.status(ids).map(states -> {
      JsonArray users = new JsonArray();
      states.forEach(s -> users.add(s.toJson()));
      return new JsonObject().put("users", users);
    });
  }

  private Future<JsonObject> unsubscribe(Connection conn, JsonObject data) {
    Input in = Input.of(data).allowOnly("userIds");
    List<String> ids = in.ids("userIds", true, config.maxSubscriptions());
    in.check();
    for (String u : ids) {
      if (conn.watched.remove(u)) {
        unwatch(conn, u);
      }
    }
    return Future.succeededFuture(new JsonObject().put("watching", conn.watched.size()));
  }

  private void unwatch(Connection conn, String userId) {
    Set<Connection> set = watchers.get(userId);
    if (set != null) {
      set.remove(conn);
      if (set.isEmpty()) {
        watchers.remove(userId);
      }
    }
    conn.changedWatched.remove(userId);
  }

  // ---- delivery -----------------------------------------------------------------------------

  private void deliver(JsonObject msg) {
    JsonArray userIds = msg.getJsonArray("userIds");
    String except = msg.getString("except");
    String frame = null;
    for (Object u : userIds) {
      List<Connection> list = byUser.get((String) u);
      if (list == null) {
        continue;
      }
      if (frame == null) {
        frame = Frames.event(msg.getString("type"), msg.getJsonObject("data"), msg.getString("ts"));
      }
      for (Connection c : List.copyOf(list)) {
        if (!c.id.equals(except)) {
          c.send(frame);
          services.stats().framesDelivered.increment();
        }
      }
    }
  }

  private void presenceChanged(JsonObject msg) {
    String userId = msg.getString("userId");
    JsonObject state = new JsonObject().put("userId", userId).put("status", msg.getString("status"))
        .put("lastSeen", msg.getString("lastSeen"));
    Set<Connection> targets = new LinkedHashSet<>(watchers.getOrDefault(userId, Set.of()));
    for (Object other : msg.getJsonArray("alsoTell", new JsonArray())) {
      targets.addAll(byUser.getOrDefault((String) other, List.of()));
    }
    if (targets.isEmpty()) {
      return;
    }
    String frame = Frames.event(Events.PRESENCE_UPDATE, state, msg.getString("lastSeen"));
    for (Connection c : targets) {
      c.sendPresence(userId, frame);
      if (c.watched.contains(userId)) {
        c.changedWatched.put(userId, state);
      }
    }
  }

  private void bulkUpdates() {
    String ts = clock.instant().toString();
    for (List<Connection> list : byUser.values()) {
      for (Connection c : list) {
        if (!c.changedWatched.isEmpty()) {
          JsonArray users = new JsonArray(new ArrayList<>(c.changedWatched.values()));
          c.changedWatched.clear();
          c.send(Frames.event(Events.PRESENCE_BULK_UPDATE, new JsonObject().put("users", users), ts));
        }
      }
    }
  }

  // ---- upkeep -------------------------------------------------------------------------------

  /** Closes expired and silent connections, and pings the others. */
  private void sweep() {
    Instant now = clock.instant();
    Duration silence = Duration.ofSeconds(2L * presence.config().heartbeatSeconds());
    Duration ping = Duration.ofSeconds(config.pingSeconds());
    for (List<Connection> list : List.copyOf(byUser.values())) {
      for (Connection c : List.copyOf(list)) {
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
  }

  /**
   * Re-registers every local device, in chunks, so presence recovers from a store that lost its data
   * without flooding the store's connection pool.
   */
  private void reassertDevices() {
    List<String> users = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (List<Connection> list : byUser.values()) {
      for (Connection c : list) {
        users.add(c.userId());
        ids.add(c.id);
        if (users.size() == REASSERT_CHUNK) {
          reassert(List.copyOf(users), List.copyOf(ids));
          users.clear();
          ids.clear();
        }
      }
    }
    reassert(users, ids);
  }

  private void reassert(List<String> users, List<String> ids) {
    presence.reassertDevices(users, ids)
        .onFailure(err -> LOG.debug("re-registering {} devices failed: {}", ids.size(), err.getMessage()));
  }

  private static Map<String, String> query(String query) {
    Map<String, String> out = new HashMap<>();
    if (query == null) {
      return out;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        try {
          out.putIfAbsent(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
              URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
          // a malformed pair is ignored; a missing token is refused below
        }
      }
    }
    return out;
  }

  private static String truncate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "…";
  }

  private static String newConnectionId() {
    byte[] bytes = new byte[12];
    RANDOM.nextBytes(bytes);
    return "c_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
