package io.convene.cluster;

import io.convene.db.RedisScript;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster-wide leases for timed sweeps, in Redis: one node holds {@code <prefix>lease:<sweep>} and runs
 * that sweep; the holder renews it at every run. When the holder dies, the lease lapses after its TTL
 * and the next node to try takes it. The sweeps are safe to run twice anyway; the lease keeps the
 * cluster from doing the same work on every node.
 */
public final class SweepLease {
  private static final Logger LOG = LoggerFactory.getLogger(SweepLease.class);
  /** Takes or renews the lease (ARGV[1]) for this node (ARGV[2]) for ARGV[3] ms; 1 when it holds it. */
  private static final RedisScript HOLD = new RedisScript(
      """
      local key, node, ttl = ARGV[1], ARGV[2], ARGV[3]
      local holder = redis.call('GET', key)
      if holder == node then
        redis.call('PEXPIRE', key, ttl)
        return 1
      end
      if not holder then
        redis.call('SET', key, node, 'PX', ttl)
        return 1
      end
      return 0
      """);
  /** Deletes the leases (ARGV[2] on) this node (ARGV[1]) holds. */
  private static final RedisScript RELEASE = new RedisScript(
      """
      local n = 0
      for i = 2, #ARGV do
        if redis.call('GET', ARGV[i]) == ARGV[1] then
          redis.call('DEL', ARGV[i])
          n = n + 1
        end
      end
      return n
      """);

  private final Redis redis;
  private final String nodeId;
  private final String prefix;
  private final Set<String> sweeps = ConcurrentHashMap.newKeySet();
  private volatile boolean released;

  public SweepLease(Redis redis, String nodeId, String keyPrefix) {
    this.redis = redis;
    this.nodeId = nodeId;
    this.prefix = keyPrefix + "lease:";
  }

  /**
   * Takes or renews the lease of {@code sweep} for {@code ttl}; true when this node holds it. Once
   * {@link #release released}, never.
   */
  public Future<Boolean> hold(String sweep, Duration ttl) {
    if (released) {
      return Future.succeededFuture(false);
    }
    return HOLD.run(redis, List.of(prefix + sweep, nodeId, String.valueOf(ttl.toMillis())))
        .map(r -> r.toInteger() == 1);
  }

  /**
   * Runs {@code sweep} every {@code periodMillis} on whichever node holds its lease, one run at a time
   * per node: a slow run never piles up overlapping ones. Returns the timer id.
   */
  public long every(Vertx vertx, String sweep, long periodMillis, Supplier<Future<?>> run) {
    sweeps.add(sweep);
    boolean[] running = {false};
    return vertx.setPeriodic(periodMillis, id -> {
      if (running[0]) {
        return;
      }
      running[0] = true;
      hold(sweep, ttlFor(periodMillis))
          .compose(held -> held ? run.get().mapEmpty() : Future.succeededFuture())
          // a run stuck on a dependency that hangs must not stop this sweep for good
          .timeout(Math.max(30_000, 10 * periodMillis), java.util.concurrent.TimeUnit.MILLISECONDS)
          .onFailure(err -> LOG.warn("{} failed: {}", sweep, err.getMessage()))
          .onComplete(ar -> running[0] = false);
    });
  }

  /**
   * Gives up every lease of this node for good (a draining node): the other nodes take the sweeps at
   * their next run, instead of waiting for the leases to lapse. Returns how many were held.
   */
  public Future<Integer> release() {
    released = true;
    if (sweeps.isEmpty()) {
      return Future.succeededFuture(0);
    }
    List<String> args = new ArrayList<>(List.of(nodeId));
    sweeps.forEach(s -> args.add(prefix + s));
    return RELEASE.run(redis, args).map(Response::toInteger);
  }

  /** The lease time for a sweep that runs every {@code period}: two periods, at least one second. */
  public static Duration ttlFor(long periodMillis) {
    return Duration.ofMillis(Math.max(1000, 2 * periodMillis));
  }
}
