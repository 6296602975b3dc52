package io.convene.presence;

import io.convene.bus.Addresses;
import io.convene.bus.UserEvents;
import io.convene.config.AppConfig;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Presence of users: devices come and go, socketless clients heartbeat, and every transition is
 * announced once on {@link Addresses#PRESENCE_CHANGED}, with the co-participants of the user's meetings
 * in progress, who are told as well.
 */
public final class PresenceService {
  /** In a {@link Addresses#PRESENCE_CHANGED} message: when the change was seen (wall-clock microseconds). */
  public static final String ORIGIN_AT = "originAtUs";
  private static final Logger LOG = LoggerFactory.getLogger(PresenceService.class);
  private static final int SWEEP_BATCH = 500;

  private final PresenceStore store;
  private final CoParticipants coParticipants;
  private final java.util.concurrent.atomic.LongAdder untold = new java.util.concurrent.atomic.LongAdder();
  private final EventBus bus;
  private final Clock clock;
  private final AppConfig.Presence config;
  private final String nodeId;

  public PresenceService(
      PresenceStore store, CoParticipants coParticipants, EventBus bus, Clock clock, AppConfig.Presence config, String nodeId) {
    this.store = store;
    this.coParticipants = coParticipants;
    this.bus = bus;
    this.clock = clock;
    this.config = config;
    this.nodeId = nodeId;
  }

  /**
   * Transitions told only to the users watching them, because the co-participants of the user's meetings
   * could not be looked up (twice in a row).
   */
  public long untold() {
    return untold.sum();
  }

  public AppConfig.Presence config() {
    return config;
  }

  public String nodeId() {
    return nodeId;
  }

  /**
   * Devices connected to this node, in one store call: connections of a storm go in batches. Also how
   * this node re-registers its live devices (so presence survives a store that lost its data), with its
   * lease: devices re-registered on a node without a lease would be swept as a dead node's. Users who
   * turn online are announced. Returns, per device in order, whether its user had another device.
   */
  public Future<List<Boolean>> devicesConnected(List<String> userIds, List<String> connectionIds) {
    if (userIds.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    long origin = UserEvents.wallMicros();
    return store.reassert(nodeId, Duration.ofSeconds(config.nodeLeaseSeconds()), userIds, connectionIds)
        .compose(found -> announce(found.turned(), true, clock.instant(), origin).map(found.accompanied()));
  }

  /** Each claim's connection now holds the user's device; returns, in order, the one each replaces. */
  public Future<List<String>> claimDevices(List<DeviceClaim> claims) {
    return claims.isEmpty() ? Future.succeededFuture(List.of()) : store.claimDevices(claims);
  }

  /**
   * Devices left; a user turns offline after the grace unless a device or heartbeat shows up. Returns, per
   * device in order, whether its user still has another device.
   */
  public Future<List<Boolean>> devicesDisconnected(List<String> userIds, List<String> connectionIds) {
    if (userIds.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return store.disconnect(nodeId, userIds, connectionIds, clock.instant().plusMillis(config.graceMillis()));
  }

  /** Per user in order: whether they have a device registered besides the connections named for them. */
  public Future<List<Boolean>> othersRegistered(List<String> userIds, List<Set<String>> besides) {
    return userIds.isEmpty() ? Future.succeededFuture(List.of()) : store.othersRegistered(userIds, besides);
  }

  /** A socketless client says it is alive; online for two heartbeat intervals. */
  public Future<Instant> heartbeat(String userId) {
    long origin = UserEvents.wallMicros();
    Instant validUntil = clock.instant().plus(Duration.ofSeconds(2L * config.heartbeatSeconds()));
    return store.heartbeat(userId, validUntil)
        .compose(turnedOnline -> turnedOnline ? announce(List.of(userId), true, clock.instant(), origin)
            : Future.succeededFuture())
        .map(validUntil);
  }

  public Future<List<PresenceState>> status(List<String> userIds) {
    return store.status(userIds, clock.instant());
  }

  public Future<Void> renewLease() {
    return store.renewLease(nodeId, Duration.ofSeconds(config.nodeLeaseSeconds()));
  }

  /** Checks users whose grace or heartbeat ran out and users of dead nodes; announces who went offline. */
  public Future<Integer> sweep() {
    long origin = UserEvents.wallMicros();
    Instant now = clock.instant();
    return store.reapDeadNodes(now)
        .compose(reaped -> store.due(now, SWEEP_BATCH))
        .compose(users -> {
          List<String> offline = new ArrayList<>();
          Future<Void> chain = Future.succeededFuture();
          for (String user : users) {
            chain = chain.compose(v -> store.check(user, now).map(turned -> {
              if (turned) {
                offline.add(user);
              }
              return null;
            }));
          }
          return chain.compose(v -> announce(offline, false, now, origin)).map(v -> offline.size());
        });
  }

  /**
   * Announces transitions in one message ({@code {"changes":[{"userId","status","lastSeen","alsoTell"}]}});
   * the co-participants of each user's meetings in progress are told too. A user who went offline while
   * attending a meeting in progress leaves the rooms LiveKit does not see them in.
   */
  private Future<Void> announce(List<String> userIds, boolean online, Instant at, long originMicros) {
    if (userIds.isEmpty()) {
      return Future.succeededFuture();
    }
    return coParticipants.of(userIds)
        .recover(err -> coParticipants.of(userIds))
        .recover(err -> {
          untold.add(userIds.size());
          LOG.warn("co-participants of {} users unavailable, told only to their watchers: {}", userIds.size(),
              err.getMessage());
          return Future.succeededFuture(Map.of());
        })
        .map(live -> {
          JsonArray changes = new JsonArray();
          for (String user : userIds) {
            List<String> others = live.get(user);
            if (!online && others != null) {
              bus.send(Addresses.USER_OFFLINE, new JsonObject().put("userId", user));
            }
            changes.add(new JsonObject()
                .put("userId", user)
                .put("status", online ? "online" : "offline")
                .put("lastSeen", at.toString())
                .put("alsoTell", new JsonArray(others == null ? List.of() : others)));
          }
          bus.publish(Addresses.PRESENCE_CHANGED, new JsonObject().put("changes", changes)
              .put(ORIGIN_AT, originMicros));
          return null;
        });
  }
}
