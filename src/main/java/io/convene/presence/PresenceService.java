package io.convene.presence;

import io.convene.bus.Addresses;
import io.convene.config.AppConfig;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Presence of users: devices come and go, socketless clients heartbeat, and every transition is
 * announced once on {@link Addresses#PRESENCE_CHANGED}, with the co-participants of the user's meetings
 * in progress, who are told as well.
 */
public final class PresenceService {
  private static final Logger LOG = LoggerFactory.getLogger(PresenceService.class);
  private static final int SWEEP_BATCH = 500;

  private final PresenceStore store;
  private final CoParticipants coParticipants;
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

  public AppConfig.Presence config() {
    return config;
  }

  public String nodeId() {
    return nodeId;
  }

  /** A device of {@code userId} connected to this node (or re-asserts itself after a store outage). */
  public Future<Void> deviceConnected(String userId, String connectionId) {
    return store.connect(userId, connectionId, nodeId).compose(turnedOnline -> turnedOnline
        ? announce(userId, true, clock.instant())
        : Future.succeededFuture());
  }

  /**
   * Re-registers this node's live devices in one store call (so presence survives a store that lost
   * its data); users the store had lost are announced online again. The node's lease is renewed first:
   * devices re-registered on a node without a lease would be swept as a dead node's, and their users
   * would flap offline until the next renewal.
   */
  public Future<Void> reassertDevices(List<String> userIds, List<String> connectionIds) {
    if (userIds.isEmpty()) {
      return Future.succeededFuture();
    }
    return store.reassert(nodeId, Duration.ofSeconds(config.nodeLeaseSeconds()), userIds, connectionIds)
        .compose(turned -> {
      Instant now = clock.instant();
      return Future.all(turned.stream().map(u -> announce(u, true, now)).toList()).mapEmpty();
    });
  }

  /** The connection {@code connectionId} now holds the user's device; returns the one it replaces. */
  public Future<String> claimDevice(String userId, String deviceId, String connectionId) {
    return store.claimDevice(userId, deviceId, connectionId);
  }

  /** A device left; the user turns offline after the grace unless a device or heartbeat shows up. */
  public Future<Void> deviceDisconnected(String userId, String connectionId) {
    return store.disconnect(userId, connectionId, nodeId, clock.instant().plusMillis(config.graceMillis()));
  }

  /** A socketless client says it is alive; online for two heartbeat intervals. */
  public Future<Instant> heartbeat(String userId) {
    Instant validUntil = clock.instant().plus(Duration.ofSeconds(2L * config.heartbeatSeconds()));
    return store.heartbeat(userId, validUntil)
        .compose(turnedOnline -> turnedOnline ? announce(userId, true, clock.instant()) : Future.succeededFuture())
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
    Instant now = clock.instant();
    return store.reapDeadNodes(now)
        .compose(reaped -> store.due(now, SWEEP_BATCH))
        .compose(users -> {
          Future<Integer> chain = Future.succeededFuture(0);
          for (String user : users) {
            chain = chain.compose(n -> store.check(user, now)
                .compose(offline -> offline ? announce(user, false, now).map(n + 1) : Future.succeededFuture(n)));
          }
          return chain;
        });
  }

  private Future<Void> announce(String userId, boolean online, Instant at) {
    return coParticipants.of(userId)
        .recover(err -> {
          LOG.warn("co-participants of {} unavailable: {}", userId, err.getMessage());
          return Future.succeededFuture(List.of());
        })
        .map(others -> {
          if (!online) {
            bus.send(Addresses.USER_OFFLINE, new JsonObject().put("userId", userId));
          }
          bus.publish(Addresses.PRESENCE_CHANGED, new JsonObject()
              .put("userId", userId)
              .put("status", online ? "online" : "offline")
              .put("lastSeen", at.toString())
              .put("alsoTell", new JsonArray(others)));
          return null;
        });
  }
}
