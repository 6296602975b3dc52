package io.convene.presence;

import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Shared presence state: which devices each user has on which node, socketless heartbeats, and each
 * user's last announced status. Every transition is decided atomically in the store, so several nodes
 * checking the same user announce a change once.
 */
public interface PresenceStore {
  /**
   * Registers (or re-asserts) devices of this node, and the node's lease with them (after a store outage
   * the lease may be gone too: the devices must not count as a dead node's).
   */
  Future<Registered> reassert(String nodeId, Duration lease, List<String> userIds, List<String> connectionIds);

  /**
   * What registering devices found: the users that turned online, and, per device in order, whether its
   * user had another device registered (one registered later is not counted).
   */
  record Registered(List<String> turned, List<Boolean> accompanied) {}

  /**
   * Records each claim's connection as the live connection of the user's device; returns, in order, the
   * connection each replaces (null: none). Redis orders concurrent claims, so the later one always wins.
   */
  Future<List<String>> claimDevices(List<DeviceClaim> claims);

  /**
   * Removes devices of this node; a user whose last device it was is checked again at {@code checkAt}
   * (the grace). Returns, per device in order, whether its user still has another device registered.
   */
  Future<List<Boolean>> disconnect(String nodeId, List<String> userIds, List<String> connectionIds, Instant checkAt);

  /**
   * Per user in order: whether they have a device registered besides the connections named for them
   * (those need not be registered).
   */
  Future<List<Boolean>> othersRegistered(List<String> userIds, List<Set<String>> besides);

  /** Records a socketless heartbeat valid until {@code validUntil}; true when the user turned online. */
  Future<Boolean> heartbeat(String userId, Instant validUntil);

  /** Users whose status is due for a check. */
  Future<List<String>> due(Instant now, int max);

  /**
   * Checks a user: devices on nodes whose lease lapsed are dropped; with no device and no valid
   * heartbeat the user turns offline. True when this call turned them offline.
   */
  Future<Boolean> check(String userId, Instant now);

  /** Current state of each user, in the order given. */
  Future<List<PresenceState>> status(List<String> userIds, Instant now);

  /** Renews this node's lease; its devices count only while the lease lives. */
  Future<Void> renewLease(String nodeId, Duration ttl);

  /** Schedules a check for every user of nodes whose lease lapsed, and forgets those nodes. */
  Future<Integer> reapDeadNodes(Instant now);
}
