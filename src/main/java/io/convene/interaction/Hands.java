package io.convene.interaction;

import io.convene.bus.UserEvents;
import io.convene.db.RedisScript;
import io.convene.meeting.Permission;
import io.convene.protocol.Events;
import io.convene.protocol.Identity;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raised hands: one queue per meeting in raise order, in Redis, so every node sees the same queue. Keys
 * under {@code <prefix>hands:}: {@code q:<meeting>} (a sorted set scored by a per-meeting counter, so the
 * order is the order Redis saw the raises in) and {@code t:<meeting>} (when each hand went up). A hand
 * goes down when its owner lowers it, an owner or manager lowers it, its owner leaves the room, or the
 * room closes. The keys expire a day after the last raise, whatever happens.
 */
public final class Hands {
  private static final Logger LOG = LoggerFactory.getLogger(Hands.class);
  static final String WHAT = "raised hands";
  private static final long TTL_SECONDS = 24 * 3600;

  /** Raises a hand unless it is up already; returns {raised (1 or 0), raisedAt}. */
  private static final RedisScript RAISE = new RedisScript("""
      local p, m, u, at, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
      local q, t, n = p..'q:'..m, p..'t:'..m, p..'n:'..m
      if redis.call('ZSCORE', q, u) then return {0, redis.call('HGET', t, u)} end
      local seq = redis.call('INCR', n)
      redis.call('ZADD', q, seq, u)
      redis.call('HSET', t, u, at)
      redis.call('EXPIRE', q, ttl)
      redis.call('EXPIRE', t, ttl)
      redis.call('EXPIRE', n, ttl)
      return {1, at}
      """);

  private static final RedisScript LOWER = new RedisScript("""
      local p, m, u = ARGV[1], ARGV[2], ARGV[3]
      redis.call('HDEL', p..'t:'..m, u)
      return redis.call('ZREM', p..'q:'..m, u)
      """);

  /** The queue: user, raisedAt, user, raisedAt, ... in raise order. */
  private static final RedisScript QUEUE = new RedisScript("""
      local p, m = ARGV[1], ARGV[2]
      local out = {}
      for _, u in ipairs(redis.call('ZRANGE', p..'q:'..m, 0, -1)) do
        out[#out + 1] = u
        out[#out + 1] = redis.call('HGET', p..'t:'..m, u) or ''
      end
      return out
      """);

  private static final RedisScript CLEAR = new RedisScript("""
      local p, m = ARGV[1], ARGV[2]
      return redis.call('DEL', p..'q:'..m, p..'t:'..m, p..'n:'..m)
      """);

  private final Redis redis;
  private final String prefix;
  private final Audience audience;
  private final UserEvents events;
  private final Clock clock;

  Hands(Redis redis, String keyPrefix, Audience audience, UserEvents events, Clock clock) {
    this.redis = redis;
    this.prefix = keyPrefix + "hands:";
    this.audience = audience;
    this.events = events;
    this.clock = clock;
  }

  /** The caller raises their hand (again: it keeps its place); everyone attending is told once. */
  public Future<JsonObject> raise(Identity who, String meetingId) {
    return audience.live(who, meetingId, WHAT).compose(attending -> {
      String at = clock.instant().toString();
      return RAISE.run(redis, List.of(prefix, meetingId, who.userId(), at, String.valueOf(TTL_SECONDS))).map(r -> {
        JsonObject data = new JsonObject().put("meetingId", meetingId).put("userId", who.userId())
            .put("raisedAt", r.get(1).toString());
        if (r.get(0).toInteger() == 1) {
          events.publish(attending, Events.MEETING_HAND_RAISED, data);
        }
        return data.copy().put("raised", r.get(0).toInteger() == 1);
      });
    });
  }

  /** The caller lowers their own hand, or (owner or manager) someone else's. */
  public Future<JsonObject> lower(Identity who, String meetingId, String userId) {
    String target = userId == null ? who.userId() : userId;
    Future<List<String>> allowed = target.equals(who.userId())
        ? audience.live(who, meetingId, WHAT)
        : audience.liveMember(who, meetingId, WHAT)
            .map(m -> m.require(Permission.MODERATE_INTERACTIONS))
            .compose(m -> audience.attending(meetingId));
    return allowed.compose(attending -> LOWER.run(redis, List.of(prefix, meetingId, target)).map(r -> {
      boolean lowered = r.toInteger() == 1;
      JsonObject data = new JsonObject().put("meetingId", meetingId).put("userId", target).put("by", who.userId())
          .put("reason", "lowered");
      if (lowered) {
        events.publish(attending, Events.MEETING_HAND_LOWERED, data);
      }
      return data.copy().put("lowered", lowered);
    }));
  }

  /** The queue in raise order, for a participant (also when the meeting is over: then it is empty). */
  public Future<JsonObject> queue(Identity who, String meetingId) {
    return audience.member(who, meetingId, WHAT)
        .compose(m -> QUEUE.run(redis, List.of(prefix, meetingId)))
        .map(r -> {
          JsonArray items = new JsonArray();
          for (int i = 0; r != null && i + 1 < r.size(); i += 2) {
            items.add(new JsonObject().put("userId", r.get(i).toString()).put("raisedAt", r.get(i + 1).toString()));
          }
          return new JsonObject().put("meetingId", meetingId).put("items", items);
        });
  }

  /** {@code identity} left the room: their hand goes down, and those attending are told. */
  public void left(String meetingId, String identity) {
    if (Identity.isGuest(identity)) {
      return;
    }
    LOWER.run(redis, List.of(prefix, meetingId, identity))
        .compose(r -> r.toInteger() == 1 ? audience.attending(meetingId).map(attending -> {
          events.publish(attending, Events.MEETING_HAND_LOWERED, new JsonObject().put("meetingId", meetingId)
              .put("userId", identity).put("by", identity).put("reason", "left"));
          return null;
        }) : Future.succeededFuture())
        .onFailure(err -> LOG.warn("lowering the hand of {} who left {} failed: {}", identity, meetingId,
            err.getMessage()));
  }

  /** The room closed (everyone left, or the meeting ended): every hand goes down. */
  public void closed(String meetingId) {
    CLEAR.run(redis, List.of(prefix, meetingId))
        .onFailure(err -> LOG.warn("clearing the hands of {} failed (they expire anyway): {}", meetingId,
            err.getMessage()));
  }
}

