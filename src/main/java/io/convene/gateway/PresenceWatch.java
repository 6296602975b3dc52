package io.convene.gateway;

import io.convene.presence.PresenceRoutes;
import io.convene.presence.PresenceService;
import io.convene.presence.PresenceVisibility;
import io.convene.protocol.ApiException;
import io.convene.protocol.ErrorCode;
import io.convene.protocol.Events;
import io.convene.protocol.Frames;
import io.convene.protocol.Input;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Presence as the sockets of one event loop see it: which connection watches whom, the transitions
 * they are told at once ({@code presence:update}), and the periodic {@code presence:bulk_update} of
 * what changed among the users each watches. Confined to its event loop.
 */
final class PresenceWatch {
  private final PresenceService presence;
  private final PresenceVisibility visibility;
  private final int maxSubscriptions;
  private final Map<String, Set<Connection>> watchers = new HashMap<>();
  /** Connections with changes for their next bulk update. */
  private final Set<Connection> pendingBulk = new LinkedHashSet<>();

  private final GatewayStats stats;

  PresenceWatch(PresenceService presence, PresenceVisibility visibility, int maxSubscriptions, GatewayStats stats) {
    this.stats = stats;
    this.presence = presence;
    this.visibility = visibility;
    this.maxSubscriptions = maxSubscriptions;
  }

  /** {@code presence:subscribe {userIds}}: watch them; the ack carries their current state. */
  Future<JsonObject> subscribe(Connection conn, JsonObject data) {
    if (conn.identity.guest()) {
      throw ApiException.forbidden("guests cannot watch presence");
    }
    Input in = Input.of(data).allowOnly("userIds");
    List<String> ids = in.ids("userIds", true, maxSubscriptions);
    in.check();
    // Only those the viewer may see are watched; the others read as offline, never seen.
    return visibility.visible(conn.identity, ids).compose(visible -> {
      if (conn.closing() || conn.socket.isClosed()) {
        return Future.succeededFuture(List.<io.convene.presence.PresenceState>of());
      }
      long fresh = ids.stream().filter(u -> visible.contains(u) && !conn.watched.contains(u)).count();
      if (conn.watched.size() + fresh > maxSubscriptions) {
        throw new ApiException(ErrorCode.LIMIT_EXCEEDED,
            "a connection watches at most " + maxSubscriptions + " users; unsubscribe some first");
      }
      for (String u : ids) {
        if (visible.contains(u) && conn.watched.add(u)) {
          watchers.computeIfAbsent(u, k -> new LinkedHashSet<>()).add(conn);
        }
      }
      return PresenceRoutes.seenBy(presence, ids, visible);
    }).map(states -> {
      JsonArray users = new JsonArray();
      states.forEach(s -> users.add(s.toJson()));
      return new JsonObject().put("users", users);
    });
  }

  /**
   * A resumed session watches again whom it watched (those it may still see), and is sent their state
   * now.
   */
  void restore(Connection conn, List<String> ids, String ts) {
    if (ids.isEmpty()) {
      return;
    }
    visibility.visible(conn.identity, ids).compose(visible -> {
      if (conn.closing() || conn.socket.isClosed()) {
        return Future.succeededFuture(List.<io.convene.presence.PresenceState>of());
      }
      for (String u : ids) {
        if (visible.contains(u) && conn.watched.add(u)) {
          watchers.computeIfAbsent(u, k -> new LinkedHashSet<>()).add(conn);
        }
      }
      return PresenceRoutes.seenBy(presence, ids, visible);
    }).onSuccess(states -> {
      if (!states.isEmpty()) {
        JsonArray users = new JsonArray();
        states.forEach(s -> users.add(s.toJson()));
        conn.event(Frames.event(Events.PRESENCE_BULK_UPDATE, new JsonObject().put("users", users), ts), null);
      }
    });
  }

  /** {@code presence:unsubscribe {userIds}}: stop watching them. */
  Future<JsonObject> unsubscribe(Connection conn, JsonObject data) {
    Input in = Input.of(data).allowOnly("userIds");
    List<String> ids = in.ids("userIds", true, maxSubscriptions);
    in.check();
    for (String u : ids) {
      if (conn.watched.remove(u)) {
        unwatch(conn, u);
      }
    }
    return Future.succeededFuture(new JsonObject().put("watching", conn.watched.size()));
  }

  /** The connection closed: it watches nobody any more. */
  void forget(Connection conn) {
    for (String watched : conn.watched) {
      unwatch(conn, watched);
    }
    pendingBulk.remove(conn);
  }

  /**
   * A transition ({@code {"userId","status","lastSeen","alsoTell":[...]}}): told to the local
   * connections watching the user and to the devices of the users in {@code alsoTell}, once each.
   */
  void changed(JsonObject msg, Function<String, List<Connection>> devicesOf, long originMicros) {
    String userId = msg.getString("userId");
    JsonObject state = new JsonObject().put("userId", userId).put("status", msg.getString("status"))
        .put("lastSeen", msg.getString("lastSeen"));
    Set<Connection> targets = new LinkedHashSet<>(watchers.getOrDefault(userId, Set.of()));
    for (Object other : msg.getJsonArray("alsoTell", new JsonArray())) {
      targets.addAll(devicesOf.apply((String) other));
    }
    if (targets.isEmpty()) {
      return;
    }
    String frame = Frames.event(Events.PRESENCE_UPDATE, state, msg.getString("lastSeen"));
    for (Connection c : targets) {
      c.sendPresence(userId, frame);
      if (c.watched.contains(userId)) {
        c.changedWatched.put(userId, state);
        pendingBulk.add(c);
      }
    }
    io.convene.metrics.NodeMetrics.since(stats.presenceWritten, originMicros, targets.size());
  }

  /** Sends each connection the latest state of the watched users that changed since the last time. */
  void bulkUpdates(String ts) {
    for (Connection c : pendingBulk) {
      if (!c.changedWatched.isEmpty()) {
        JsonArray users = new JsonArray(new ArrayList<>(c.changedWatched.values()));
        c.changedWatched.clear();
        c.event(Frames.event(Events.PRESENCE_BULK_UPDATE, new JsonObject().put("users", users), ts), null);
      }
    }
    pendingBulk.clear();
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
}
