package io.convene.call;

import io.convene.db.RedisScript;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Rings in Redis, shared by every node: {@code <prefix>ring:<call>} (hash: version and state),
 * {@code <prefix>ring:due} (calls by next deadline) and {@code <prefix>ring:engaged:<user>} (calls a
 * user is ringing for or in). Saves are compare-and-set on the version, so concurrent decisions on
 * different nodes never overwrite each other: the loser reloads and decides again.
 */
public final class RingStore {

  private static final RedisScript SAVE = new RedisScript(
      """
      local p, id, expected, version, json, due, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
      local key = p..id
      local current = redis.call('HGET', key, 'v') or '-1'
      if current ~= expected then return 0 end
      redis.call('HSET', key, 'v', version, 'json', json)
      redis.call('PEXPIRE', key, ttl)
      if due == '' then redis.call('ZREM', p..'due', id) else redis.call('ZADD', p..'due', due, id) end
      local adds = tonumber(ARGV[8])
      for i = 9, 8 + adds do
        redis.call('SADD', p..'engaged:'..ARGV[i], id)
        redis.call('PEXPIRE', p..'engaged:'..ARGV[i], ttl)
      end
      for i = 9 + adds, #ARGV do redis.call('SREM', p..'engaged:'..ARGV[i], id) end
      return 1
      """);

  private static final RedisScript BUSY = new RedisScript(
      """
      local p, except = ARGV[1], ARGV[2]
      local busy = {}
      for i = 3, #ARGV do
        local u = ARGV[i]
        for _, id in ipairs(redis.call('SMEMBERS', p..'engaged:'..u)) do
          if id ~= except then
            if redis.call('EXISTS', p..id) == 1 then
              busy[#busy + 1] = u
              break
            else
              redis.call('SREM', p..'engaged:'..u, id)
            end
          end
        end
      end
      return busy
      """);

  private final Redis redis;
  private final Duration ttl;
  private final String prefix;

  /** @param keyPrefix the deployment's Redis key prefix, e.g. {@code convene:} */
  public RingStore(Redis redis, Duration ttl, String keyPrefix) {
    this.redis = redis;
    this.ttl = ttl;
    this.prefix = keyPrefix + "ring:";
  }

  public Future<Optional<Ring>> load(String callId) {
    return redis.send(Request.cmd(Command.HGET).arg(prefix + callId).arg("json"))
        .map(r -> r == null ? Optional.<Ring>empty() : Optional.of(Ring.fromJson(new JsonObject(r.toString()))));
  }

  /**
   * Saves {@code ring} if the stored version is still {@code expectedVersion} (-1: not stored yet).
   * False when another decision got there first.
   */
  public Future<Boolean> save(Ring ring, long expectedVersion, Collection<String> engaged, Collection<String> released) {
    List<String> argv = new ArrayList<>(List.of(prefix, ring.callId(), String.valueOf(expectedVersion),
        String.valueOf(ring.version()), ring.toJson().encode(),
        ring.nextDeadline().map(d -> String.valueOf(d.toEpochMilli())).orElse(""),
        String.valueOf(ttl.toMillis()), String.valueOf(engaged.size())));
    argv.addAll(engaged);
    argv.addAll(released);
    return SAVE.run(redis, argv).map(r -> r.toInteger() == 1);
  }

  /** Calls whose next deadline has come. */
  public Future<List<String>> due(Instant now, int max) {
    return redis.send(Request.cmd(Command.ZRANGEBYSCORE).arg(prefix + "due").arg("-inf").arg(now.toEpochMilli())
            .arg("LIMIT").arg(0).arg(max))
        .map(RingStore::strings);
  }

  /** Which of {@code userIds} are ringing for, or in, a call other than {@code exceptCallId}. */
  public Future<List<String>> busy(List<String> userIds, String exceptCallId) {
    if (userIds.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    List<String> argv = new ArrayList<>(List.of(prefix, exceptCallId == null ? "" : exceptCallId));
    argv.addAll(userIds);
    return BUSY.run(redis, argv).map(RingStore::strings);
  }

  /**
   * Claims the pair {@code a}–{@code b} for {@code callId} while its ring lasts. Returns the call that
   * already holds the pair, or empty when this call got it.
   */
  public Future<Optional<String>> claimPair(String a, String b, String callId, Duration hold) {
    String key = prefix + "pair:" + (a.compareTo(b) < 0 ? a + "|" + b : b + "|" + a);
    return redis.send(Request.cmd(Command.SET).arg(key).arg(callId).arg("NX").arg("PX").arg(hold.toMillis()))
        .compose(set -> set != null
            ? Future.succeededFuture(Optional.<String>empty())
            : redis.send(Request.cmd(Command.GET).arg(key)).map(r -> Optional.ofNullable(r).map(Response::toString)));
  }

  private static List<String> strings(Response r) {
    List<String> out = new ArrayList<>();
    if (r != null) {
      r.forEach(v -> out.add(v.toString()));
    }
    return out;
  }
}
