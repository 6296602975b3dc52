package io.convene.meeting;

import io.convene.db.RedisScript;
import io.convene.outbox.Effect;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Who attends which meeting in progress, in Redis, so presence learns a user's co-participants at
 * Redis speed instead of asking PostgreSQL on every transition. Keys under {@code <prefix>live:}:
 * {@code m:<meeting>} (the attending participants of a meeting in progress) and {@code u:<user>} (the
 * meetings in progress a user attends). Kept by the meeting changes that open, close or change a live
 * meeting (through the outbox: every change is idempotent), and rebuilt from PostgreSQL by the schedule
 * sweep, so a Redis that lost its data heals.
 */
public final class LiveRoster {
  /** Outbox kind: a change of the roster, {@code {"op":"open|close|add|remove","meetingId","userIds"}}. */
  public static final String KIND = "roster";
  /** At most this many co-participants per user are reported (presence tells them one by one). */
  static final int MAX_OTHERS = 5000;

  private static final RedisScript OPEN = new RedisScript("""
      local p, m = ARGV[1], ARGV[2]
      for i = 3, #ARGV do
        redis.call('SADD', p..'m:'..m, ARGV[i])
        redis.call('SADD', p..'u:'..ARGV[i], m)
      end
      return 1
      """);

  private static final RedisScript CLOSE = new RedisScript("""
      local p, m = ARGV[1], ARGV[2]
      for _, u in ipairs(redis.call('SMEMBERS', p..'m:'..m)) do
        redis.call('SREM', p..'u:'..u, m)
      end
      redis.call('DEL', p..'m:'..m)
      return 1
      """);

  /** Adds members to a meeting that is live (a meeting not in the roster stays out). */
  private static final RedisScript ADD = new RedisScript("""
      local p, m = ARGV[1], ARGV[2]
      if redis.call('EXISTS', p..'m:'..m) == 0 then return 0 end
      for i = 3, #ARGV do
        redis.call('SADD', p..'m:'..m, ARGV[i])
        redis.call('SADD', p..'u:'..ARGV[i], m)
      end
      return 1
      """);

  private static final RedisScript REMOVE = new RedisScript("""
      local p, m = ARGV[1], ARGV[2]
      for i = 3, #ARGV do
        redis.call('SREM', p..'m:'..m, ARGV[i])
        redis.call('SREM', p..'u:'..ARGV[i], m)
      end
      return 1
      """);

  /**
   * For each user in a live meeting: the user, how many live meetings, how many others follow, then
   * the others (the other members of those meetings, at most ARGV[2]).
   */
  private static final RedisScript OF = new RedisScript("""
      local p, max = ARGV[1], tonumber(ARGV[2])
      local out = {}
      for i = 3, #ARGV do
        local u = ARGV[i]
        local ms = redis.call('SMEMBERS', p..'u:'..u)
        if #ms > 0 then
          local keys = {}
          for j, m in ipairs(ms) do keys[j] = p..'m:'..m end
          local others = {}
          for _, o in ipairs(redis.call('SUNION', unpack(keys))) do
            if o ~= u and #others < max then others[#others + 1] = o end
          end
          out[#out + 1] = u
          out[#out + 1] = #ms
          out[#out + 1] = #others
          for _, o in ipairs(others) do out[#out + 1] = o end
        end
      end
      return out
      """);

  /** A user's place in live meetings: how many, and who else attends them. */
  public record Live(int meetings, List<String> others) {}

  private final Redis redis;
  private final String prefix;

  public LiveRoster(Redis redis, String keyPrefix) {
    this.redis = redis;
    this.prefix = keyPrefix + "live:";
  }

  static Effect opened(String meetingId, Collection<String> attending) {
    return change("open", meetingId, attending);
  }

  static Effect closed(String meetingId) {
    return change("close", meetingId, List.of());
  }

  static Effect added(String meetingId, Collection<String> userIds) {
    return change("add", meetingId, userIds);
  }

  static Effect removed(String meetingId, Collection<String> userIds) {
    return change("remove", meetingId, userIds);
  }

  private static Effect change(String op, String meetingId, Collection<String> userIds) {
    return new Effect(KIND, new JsonObject().put("op", op).put("meetingId", meetingId)
        .put("userIds", new JsonArray(List.copyOf(userIds))));
  }

  /** Carries out a change made by {@link #opened}, {@link #closed}, {@link #added} or {@link #removed}. */
  public Future<Void> apply(JsonObject change) {
    RedisScript script = switch (change.getString("op")) {
      case "open" -> OPEN;
      case "close" -> CLOSE;
      case "add" -> ADD;
      default -> REMOVE;
    };
    List<String> args = new ArrayList<>();
    args.add(prefix);
    args.add(change.getString("meetingId"));
    change.getJsonArray("userIds").forEach(u -> args.add((String) u));
    if (args.size() == 2 && script != CLOSE) {
      return Future.succeededFuture();
    }
    return script.run(redis, args).mapEmpty();
  }

  /** The attending participants of a meeting in progress; empty when the meeting is not (or not yet) live here. */
  public Future<List<String>> attending(String meetingId) {
    return redis.send(Request.cmd(Command.SMEMBERS)
        .arg(prefix + "m:" + meetingId)).map(r -> {
          List<String> out = new ArrayList<>(r == null ? 0 : r.size());
          if (r != null) {
            r.forEach(u -> out.add(u.toString()));
          }
          return out;
        });
  }

  /** The live meetings and co-participants of each of {@code userIds} who attends a meeting in progress. */
  public Future<Map<String, Live>> of(Collection<String> userIds) {
    if (userIds.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    List<String> args = new ArrayList<>();
    args.add(prefix);
    args.add(String.valueOf(MAX_OTHERS));
    args.addAll(userIds);
    return OF.run(redis, args).map(LiveRoster::parse);
  }

  private static Map<String, Live> parse(Response r) {
    Map<String, Live> out = new HashMap<>();
    int i = 0;
    while (r != null && i < r.size()) {
      String user = r.get(i).toString();
      int meetings = r.get(i + 1).toInteger();
      int n = r.get(i + 2).toInteger();
      List<String> others = new ArrayList<>(n);
      for (int k = 0; k < n; k++) {
        others.add(r.get(i + 3 + k).toString());
      }
      out.put(user, new Live(meetings, others));
      i += 3 + n;
    }
    return out;
  }
}
