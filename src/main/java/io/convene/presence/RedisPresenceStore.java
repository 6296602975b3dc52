package io.convene.presence;

import io.convene.db.RedisScript;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@link PresenceStore} in Redis. Keys under {@code <prefix>presence:}: {@code dev:<user>} (hash
 * connection → node), {@code state:<user>} (online|offline), {@code seen:<user>} (last seen, epoch ms),
 * {@code hb:<user>} (socketless heartbeat valid until, epoch ms), {@code due} (sorted set of users to
 * check, by time), {@code node:<node>} (lease with TTL), {@code nodes} and {@code nodeusers:<node>}.
 * Transitions run as Lua scripts; they address keys computed inside the script, so a single Redis (or a
 * primary with replicas) is required, not Redis Cluster.
 */
public final class RedisPresenceStore implements PresenceStore {


  private static final RedisScript REASSERT = new RedisScript(
      """
      local p, n, ttl = ARGV[1], ARGV[2], ARGV[3]
      local turned, accompanied = {}, {}
      redis.call('SET', p..'node:'..n, 1, 'PX', ttl)
      redis.call('SADD', p..'nodes', n)
      for i = 4, #ARGV, 2 do
        local u, c = ARGV[i], ARGV[i + 1]
        redis.call('HSET', p..'dev:'..u, c, n)
        accompanied[#accompanied + 1] = redis.call('HLEN', p..'dev:'..u) > 1 and 1 or 0
        redis.call('SADD', p..'nodeusers:'..n, u)
        if redis.call('GET', p..'state:'..u) ~= 'online' then
          redis.call('SET', p..'state:'..u, 'online')
          turned[#turned + 1] = u
        end
      end
      return {turned, accompanied}
      """);

  private static final RedisScript DISCONNECT = new RedisScript(
      """
      local p, n, due = ARGV[1], ARGV[2], ARGV[3]
      local accompanied = {}
      for i = 4, #ARGV, 2 do
        local u, c = ARGV[i], ARGV[i + 1]
        local key = p..'dev:'..u
        redis.call('HDEL', key, c)
        local left = redis.call('HVALS', key)
        local onNode = false
        for _, v in ipairs(left) do if v == n then onNode = true end end
        if not onNode then redis.call('SREM', p..'nodeusers:'..n, u) end
        if #left == 0 then redis.call('ZADD', p..'due', due, u) end
        accompanied[#accompanied + 1] = #left > 0 and 1 or 0
      end
      return accompanied
      """);

  private static final RedisScript OTHERS = new RedisScript(
      """
      local p = ARGV[1]
      local out = {}
      for i = 2, #ARGV, 2 do
        local besides = {}
        for c in string.gmatch(ARGV[i + 1], '%S+') do besides[c] = true end
        local other = 0
        for _, c in ipairs(redis.call('HKEYS', p..'dev:'..ARGV[i])) do
          if not besides[c] then other = 1 end
        end
        out[#out + 1] = other
      end
      return out
      """);

  private static final RedisScript HEARTBEAT = new RedisScript(
      """
      local p, u, valid, keep = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
      redis.call('SET', p..'hb:'..u, valid, 'PX', keep)
      redis.call('ZADD', p..'due', valid, u)
      if redis.call('GET', p..'state:'..u) ~= 'online' then
        redis.call('SET', p..'state:'..u, 'online')
        return 1
      end
      return 0
      """);

  private static final RedisScript CHECK = new RedisScript(
      """
      local p, u, now, keep = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
      local key = p..'dev:'..u
      local devs = redis.call('HGETALL', key)
      local live = 0
      for i = 1, #devs, 2 do
        if redis.call('EXISTS', p..'node:'..devs[i + 1]) == 1 then
          live = live + 1
        else
          redis.call('HDEL', key, devs[i])
        end
      end
      if live > 0 then
        redis.call('ZREM', p..'due', u)
        return 0
      end
      local hb = tonumber(redis.call('GET', p..'hb:'..u) or '0')
      if hb > now then
        redis.call('ZADD', p..'due', hb, u)
        return 0
      end
      redis.call('ZREM', p..'due', u)
      redis.call('DEL', p..'hb:'..u)
      if redis.call('GET', p..'state:'..u) == 'online' then
        redis.call('SET', p..'state:'..u, 'offline', 'PX', keep)
        redis.call('SET', p..'seen:'..u, now, 'PX', keep)
        return 1
      end
      return 0
      """);

  private static final RedisScript REAP = new RedisScript(
      """
      local p, now = ARGV[1], ARGV[2]
      local reaped = 0
      for _, n in ipairs(redis.call('SMEMBERS', p..'nodes')) do
        if redis.call('EXISTS', p..'node:'..n) == 0 then
          for _, u in ipairs(redis.call('SMEMBERS', p..'nodeusers:'..n)) do
            redis.call('ZADD', p..'due', now, u)
          end
          redis.call('DEL', p..'nodeusers:'..n)
          redis.call('SREM', p..'nodes', n)
          reaped = reaped + 1
        end
      end
      return reaped
      """);

  /** How long an offline user's keys stay by default (their last-seen time), in days. */
  public static final int DEFAULT_FORGET_DAYS = 30;

  private final Redis redis;
  private final String prefix;
  private final long keepMillis;

  /** @param keyPrefix the deployment's Redis key prefix, e.g. {@code convene:} */
  public RedisPresenceStore(Redis redis, String keyPrefix) {
    this(redis, keyPrefix, Duration.ofDays(DEFAULT_FORGET_DAYS));
  }

  /**
   * @param forgetAfter how long the keys of a user who went offline (state, last seen) stay in Redis; a
   *     user not seen for longer leaves no key and is reported offline with no last-seen time. Online
   *     users' keys never expire; a heartbeat's key lasts this long at most.
   */
  public RedisPresenceStore(Redis redis, String keyPrefix, Duration forgetAfter) {
    this.keepMillis = forgetAfter.toMillis();
    this.redis = redis;
    this.prefix = keyPrefix + "presence:";
  }

  private Future<Response> eval(RedisScript script, Object... args) {
    List<String> argv = new ArrayList<>(args.length + 1);
    argv.add(prefix);
    for (Object a : args) {
      argv.add(String.valueOf(a));
    }
    return script.run(redis, argv);
  }

  @Override
  public Future<Registered> reassert(String nodeId, Duration lease, List<String> userIds, List<String> connectionIds) {
    List<String> argv = new ArrayList<>(3 + 2 * userIds.size());
    argv.add(prefix);
    argv.add(nodeId);
    argv.add(String.valueOf(lease.toMillis()));
    for (int i = 0; i < userIds.size(); i++) {
      argv.add(userIds.get(i));
      argv.add(connectionIds.get(i));
    }
    return REASSERT.run(redis, argv).map(r -> {
      List<String> turned = new ArrayList<>();
      r.get(0).forEach(v -> turned.add(v.toString()));
      return new Registered(turned, flags(r.get(1)));
    });
  }

  private static List<Boolean> flags(Response r) {
    List<Boolean> out = new ArrayList<>(r.size());
    r.forEach(v -> out.add(v.toInteger() == 1));
    return out;
  }

  @Override
  public Future<List<String>> claimDevices(List<DeviceClaim> claims) {
    List<Request> sets = claims.stream().map(c -> Request.cmd(Command.SET)
        .arg(prefix + "device:" + c.userId() + ":" + c.deviceId()).arg(c.connectionId())
        .arg("GET").arg("EX").arg(7 * 24 * 3600)).toList();
    return redis.batch(sets).map(replies -> replies.stream().map(r -> r == null ? null : r.toString()).toList());
  }

  @Override
  public Future<List<Boolean>> disconnect(String nodeId, List<String> userIds, List<String> connectionIds,
      Instant checkAt) {
    List<String> argv = new ArrayList<>(3 + 2 * userIds.size());
    argv.add(prefix);
    argv.add(nodeId);
    argv.add(String.valueOf(checkAt.toEpochMilli()));
    for (int i = 0; i < userIds.size(); i++) {
      argv.add(userIds.get(i));
      argv.add(connectionIds.get(i));
    }
    return DISCONNECT.run(redis, argv).map(RedisPresenceStore::flags);
  }

  @Override
  public Future<List<Boolean>> othersRegistered(List<String> userIds, List<Set<String>> besides) {
    List<String> argv = new ArrayList<>(1 + 2 * userIds.size());
    argv.add(prefix);
    for (int i = 0; i < userIds.size(); i++) {
      argv.add(userIds.get(i));
      argv.add(String.join(" ", besides.get(i)));
    }
    return OTHERS.run(redis, argv).map(RedisPresenceStore::flags);
  }

  @Override
  public Future<Boolean> heartbeat(String userId, Instant validUntil) {
    return eval(HEARTBEAT, userId, validUntil.toEpochMilli(), keepMillis).map(r -> r.toInteger() == 1);
  }

  @Override
  public Future<List<String>> due(Instant now, int max) {
    return redis.send(Request.cmd(Command.ZRANGEBYSCORE).arg(prefix + "due").arg("-inf").arg(now.toEpochMilli())
            .arg("LIMIT").arg(0).arg(max))
        .map(r -> {
          List<String> out = new ArrayList<>();
          r.forEach(v -> out.add(v.toString()));
          return out;
        });
  }

  @Override
  public Future<Boolean> check(String userId, Instant now) {
    return eval(CHECK, userId, now.toEpochMilli(), keepMillis).map(r -> r.toInteger() == 1);
  }

  @Override
  public Future<List<PresenceState>> status(List<String> userIds, Instant now) {
    if (userIds.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    Request states = Request.cmd(Command.MGET);
    Request seen = Request.cmd(Command.MGET);
    for (String id : userIds) {
      states.arg(prefix + "state:" + id);
      seen.arg(prefix + "seen:" + id);
    }
    return redis.batch(List.of(states, seen)).map(replies -> {
      Response s = replies.get(0);
      Response l = replies.get(1);
      List<PresenceState> out = new ArrayList<>(userIds.size());
      for (int i = 0; i < userIds.size(); i++) {
        boolean online = s.get(i) != null && "online".equals(s.get(i).toString());
        Instant lastSeen = online ? now : l.get(i) == null ? null : Instant.ofEpochMilli(l.get(i).toLong());
        out.add(new PresenceState(userIds.get(i), online, lastSeen));
      }
      return out;
    });
  }

  @Override
  public Future<Void> renewLease(String nodeId, Duration ttl) {
    return redis.batch(List.of(
            Request.cmd(Command.SET).arg(prefix + "node:" + nodeId).arg(1).arg("PX").arg(ttl.toMillis()),
            Request.cmd(Command.SADD).arg(prefix + "nodes").arg(nodeId)))
        .mapEmpty();
  }

  @Override
  public Future<Integer> reapDeadNodes(Instant now) {
    return eval(REAP, now.toEpochMilli()).map(Response::toInteger);
  }
}
