package io.convene.presence;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.testing.TestBackends;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The presence store's transitions against a real Redis, with explicit times. */
@Timeout(60)
class RedisPresenceStoreIT {
  private static final Vertx VERTX = Vertx.vertx();
  private static final Redis REDIS = Redis.createClient(VERTX, TestBackends.redisUrl());
  private static final Instant T = Instant.parse("2030-01-01T00:00:00Z");

  private final RedisPresenceStore store = new RedisPresenceStore(REDIS, "store-it:");
  private final String user = "u-" + UUID.randomUUID();
  private static final Duration LEASE = Duration.ofMinutes(5);

  /** A device connects; true when its user turned online. */
  private boolean connect(String node, String connection) {
    return store.reassert(node, LEASE, List.of(user), List.of(connection)).await().turned().contains(user);
  }

  private void disconnect(String node, String connection, Instant checkAt) {
    store.disconnect(node, List.of(user), List.of(connection), checkAt).await();
  }

  @AfterAll
  static void close() {
    VERTX.close().await();
  }

  @Test
  void eachDeviceIsToldWhetherItsUserHasAnother() {
    String node = "node-" + UUID.randomUUID();
    String other = "u-" + UUID.randomUUID();
    PresenceStore.Registered first = store.reassert(node, LEASE, List.of(user, other, user), List.of("c1", "o1", "c2"))
        .await();
    assertThat(first.accompanied()).containsExactly(false, false, true);
    assertThat(first.turned()).containsExactlyInAnyOrder(user, other);
    PresenceStore.Registered again = store.reassert(node, LEASE, List.of(user), List.of("c1")).await();
    assertThat(again.accompanied()).as("re-registered, the other device still there").containsExactly(true);
    assertThat(again.turned()).isEmpty();
    assertThat(store.othersRegistered(List.of(user, other, user, other, user),
        List.of(Set.of("c1"), Set.of("o1"), Set.of("gone"), Set.of("gone"), Set.of("c1", "c2"))).await())
        .as("besides the devices named, registered or not").containsExactly(true, false, true, true, false);
    assertThat(store.disconnect(node, List.of(user, other, user), List.of("c1", "o1", "c2"), T).await())
        .containsExactly(true, false, false);
  }

  @Test
  void lastDeviceLeavingTurnsOfflineOnlyAfterTheGrace() {
    String node = "node-" + UUID.randomUUID();
    assertThat(connect(node, "c1")).isTrue();
    assertThat(connect(node, "c2")).as("second device: no transition").isFalse();
    disconnect(node, "c1", T.plusSeconds(5));
    assertThat(store.due(T.plusSeconds(10), 1000).await()).doesNotContain(user);
    disconnect(node, "c2", T.plusSeconds(5));
    assertThat(store.due(T.plusSeconds(4), 1000).await()).doesNotContain(user);
    assertThat(store.due(T.plusSeconds(5), 1000).await()).contains(user);
    assertThat(store.check(user, T.plusSeconds(5)).await()).isTrue();
    assertThat(store.check(user, T.plusSeconds(6)).await()).as("announced once").isFalse();
    PresenceState state = store.status(List.of(user), T.plusSeconds(7)).await().get(0);
    assertThat(state.online()).isFalse();
    assertThat(state.lastSeen()).isEqualTo(T.plusSeconds(5));
  }

  @Test
  void theKeysOfAUserWhoWentOfflineExpireAndAnOnlineUsersDoNot() {
    String node = "node-" + UUID.randomUUID();
    connect(node, "c1");
    store.heartbeat(user, T.plusSeconds(60)).await();
    assertThat(ttl("state:")).as("online: kept").isEqualTo(-1);
    assertThat(ttl("hb:")).as("a heartbeat's key").isPositive();
    disconnect(node, "c1", T.plusSeconds(5));
    assertThat(store.check(user, T.plusSeconds(61)).await()).isTrue();
    long thirtyDays = Duration.ofDays(RedisPresenceStore.DEFAULT_FORGET_DAYS).toSeconds();
    assertThat(ttl("state:")).isBetween(thirtyDays - 60, thirtyDays);
    assertThat(ttl("seen:")).isBetween(thirtyDays - 60, thirtyDays);
    assertThat(ttl("hb:")).as("the lapsed heartbeat is gone").isEqualTo(-2);
    assertThat(ttl("dev:")).as("no device left").isEqualTo(-2);
    assertThat(store.status(List.of(user), T.plusSeconds(62)).await().get(0).lastSeen()).isEqualTo(T.plusSeconds(61));
    connect(node, "c2");
    assertThat(ttl("state:")).as("online again: kept").isEqualTo(-1);
  }

  private long ttl(String kind) {
    return REDIS.send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.TTL)
        .arg("store-it:presence:" + kind + user)).await().toLong();
  }

  @Test
  void aReconnectWithinTheGraceKeepsTheUserOnline() {
    String node = "node-" + UUID.randomUUID();
    connect(node, "c1");
    disconnect(node, "c1", T.plusSeconds(5));
    assertThat(connect(node, "c2")).as("still online: no new announcement").isFalse();
    assertThat(store.check(user, T.plusSeconds(5)).await()).isFalse();
    assertThat(store.status(List.of(user), T).await().get(0).online()).isTrue();
  }

  @Test
  void heartbeatsKeepASocketlessUserOnlineUntilTheyLapse() {
    assertThat(store.heartbeat(user, T.plusSeconds(120)).await()).isTrue();
    assertThat(store.heartbeat(user, T.plusSeconds(180)).await()).isFalse();
    assertThat(store.check(user, T.plusSeconds(179)).await()).isFalse();
    assertThat(store.check(user, T.plusSeconds(180)).await()).isTrue();
  }

  @Test
  void devicesOfADeadNodeAreReapedAndTheirUsersGoOffline() {
    String ghost = "ghost-" + UUID.randomUUID();
    connect(ghost, "c1");
    REDIS.send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.DEL)
        .arg("store-it:presence:node:" + ghost)).await();
    assertThat(store.reapDeadNodes(T).await()).isGreaterThanOrEqualTo(1);
    assertThat(store.due(T, 100_000).await()).contains(user);
    assertThat(store.check(user, T).await()).isTrue();
  }

  @Test
  void concurrentChecksAnnounceOnce() {
    String node = "node-" + UUID.randomUUID();
    connect(node, "c1");
    disconnect(node, "c1", T);
    List<Future<Boolean>> checks = List.of(store.check(user, T), store.check(user, T), store.check(user, T));
    Future.all(checks).await();
    assertThat(checks.stream().filter(Future::result).count()).isEqualTo(1);
  }
}
