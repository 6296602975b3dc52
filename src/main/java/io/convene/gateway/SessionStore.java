package io.convene.gateway;

import io.convene.db.RedisScript;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Sessions a device may resume, in Redis so any node can take one over: {@code <prefix>sess:<token>}
 * (who, which users it watched, the connection it was kept from) and {@code <prefix>sess:<token>:f}
 * (its last numbered frames, oldest first, at most {@code maxFrames} and {@code maxBytes}: older ones
 * fall off, and a resume from before them is refused). Both expire {@code gateway.resumeSeconds} after
 * the session was kept. The node that held the socket appends what the user is sent meanwhile; the node
 * the device comes back to claims the session, which ends it for everyone else.
 */
public final class SessionStore {
  /**
   * Keeps a session: {@code o <token> <user> <watched json> <ttl ms> <last seq> <connection>}; appends a
   * frame: {@code a <token> <seq> <event id> <frame> - -}.
   */
  private static final RedisScript WRITE = new RedisScript("""
      local p, maxf, maxb = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
      local out = {}
      for i = 4, #ARGV, 7 do
        local meta = p..ARGV[i + 1]
        local list = meta..':f'
        if ARGV[i] == 'o' then
          redis.call('DEL', meta, list)
          redis.call('HSET', meta, 'user', ARGV[i + 2], 'watched', ARGV[i + 3], 'bytes', 0, 'last', ARGV[i + 5],
            'conn', ARGV[i + 6])
          redis.call('PEXPIRE', meta, ARGV[i + 4])
          out[#out + 1] = 1
        elseif redis.call('EXISTS', meta) == 0 then
          out[#out + 1] = 0
        else
          local entry = ARGV[i + 2]..'\\t'..ARGV[i + 3]..'\\t'..ARGV[i + 4]
          redis.call('RPUSH', list, entry)
          redis.call('HSET', meta, 'last', ARGV[i + 2])
          local bytes = redis.call('HINCRBY', meta, 'bytes', #entry)
          while redis.call('LLEN', list) > maxf or bytes > maxb do
            local old = redis.call('LPOP', list)
            if not old then break end
            bytes = redis.call('HINCRBY', meta, 'bytes', -#old)
          end
          redis.call('PEXPIRE', list, math.max(1, redis.call('PTTL', meta)))
          out[#out + 1] = 1
        end
      end
      return out
      """);

  /** Takes a session of user ARGV[3] over: its fields and frames, and ends it; nil when there is none. */
  private static final RedisScript CLAIM = new RedisScript("""
      local meta = ARGV[1]..ARGV[2]
      if redis.call('HGET', meta, 'user') ~= ARGV[3] then return false end
      local m = redis.call('HGETALL', meta)
      local f = redis.call('LRANGE', meta..':f', 0, -1)
      redis.call('DEL', meta, meta..':f')
      return {m, f}
      """);

  /** Which of the sessions (ARGV[2..]) still exist: 1 or 0 each. */
  private static final RedisScript ALIVE = new RedisScript("""
      local out = {}
      for i = 2, #ARGV do out[#out + 1] = redis.call('EXISTS', ARGV[1]..ARGV[i]) end
      return out
      """);

  /** A numbered frame of a session; {@code frame} is the frame without its number. */
  record Sent(long seq, String eventId, String frame) {}

  /**
   * A write to the store: a session kept ({@code open}, with the number of its last frame and the
   * connection it is kept from) or a frame appended.
   */
  record Write(String token, boolean open, String userId, JsonArray watched, long ttlMillis, long last,
      String connectionId, Sent sent) {
    static Write open(String token, String userId, JsonArray watched, long ttlMillis, long last, String connectionId) {
      return new Write(token, true, userId, watched, ttlMillis, last, connectionId, null);
    }

    static Write append(String token, Sent sent) {
      return new Write(token, false, null, null, 0, 0, null, sent);
    }
  }

  /**
   * A claimed session: whom it watched, the number of its last frame, the frames kept (oldest first), and
   * the connection it was kept from (null when a node that did not record it kept it).
   */
  record Claimed(List<String> watched, long last, List<Sent> frames, String connectionId) {
    /** Whether a device that got every frame up to {@code lastSeq} can be sent all it missed. */
    boolean replayable(long lastSeq) {
      if (lastSeq < 0 || lastSeq > last) {
        return false;
      }
      return lastSeq == last || (!frames.isEmpty() && frames.get(0).seq() <= lastSeq + 1);
    }
  }

  private final Redis redis;
  private final String prefix;
  private final int maxFrames;
  private final int maxBytes;

  public SessionStore(Redis redis, String keyPrefix, int maxFrames, int maxBytes) {
    this.redis = redis;
    this.prefix = keyPrefix + "sess:";
    this.maxFrames = maxFrames;
    this.maxBytes = maxBytes;
  }

  /** Applies writes in order; answers, per write, whether its session still exists. */
  Future<List<Boolean>> write(List<Write> writes) {
    List<String> args = new ArrayList<>(3 + writes.size() * 7);
    args.add(prefix);
    args.add(String.valueOf(maxFrames));
    args.add(String.valueOf(maxBytes));
    for (Write w : writes) {
      args.add(w.open() ? "o" : "a");
      args.add(w.token());
      if (w.open()) {
        args.add(w.userId());
        args.add(w.watched().encode());
        args.add(String.valueOf(Math.max(1, w.ttlMillis())));
        args.add(String.valueOf(w.last()));
        args.add(w.connectionId());
      } else {
        args.add(String.valueOf(w.sent().seq()));
        args.add(w.sent().eventId() == null ? "" : w.sent().eventId());
        args.add(w.sent().frame());
        args.add("-");
        args.add("-");
      }
    }
    return WRITE.run(redis, args).map(r -> {
      List<Boolean> out = new ArrayList<>(r.size());
      r.forEach(x -> out.add(x.toInteger() == 1));
      return out;
    });
  }

  /**
   * Takes the session of {@code userId} over (it ends for everyone else), or empty when it expired, was
   * taken, or is someone else's.
   */
  Future<Optional<Claimed>> claim(String token, String userId) {
    return CLAIM.run(redis, List.of(prefix, token, userId)).map(r -> {
      if (r == null || r.size() < 2) {
        return Optional.empty();
      }
      long last = 0;
      String connectionId = null;
      List<String> watched = new ArrayList<>();
      Response fields = r.get(0);
      for (int i = 0; i + 1 < fields.size(); i += 2) {
        String key = fields.get(i).toString();
        if (key.equals("last")) {
          last = Long.parseLong(fields.get(i + 1).toString());
        } else if (key.equals("watched")) {
          new JsonArray(fields.get(i + 1).toString()).forEach(u -> watched.add((String) u));
        } else if (key.equals("conn")) {
          connectionId = fields.get(i + 1).toString();
        }
      }
      List<Sent> frames = new ArrayList<>();
      for (Response e : r.get(1)) {
        String[] parts = e.toString().split("\t", 3);
        frames.add(new Sent(Long.parseLong(parts[0]), parts[1].isEmpty() ? null : parts[1], parts[2]));
      }
      return Optional.of(new Claimed(watched, last, frames, connectionId));
    });
  }

  /** The sessions among {@code tokens} that no longer exist (taken over elsewhere, or expired). */
  Future<Set<String>> gone(Collection<String> tokens) {
    List<String> list = List.copyOf(tokens);
    List<String> args = new ArrayList<>(list.size() + 1);
    args.add(prefix);
    args.addAll(list);
    return ALIVE.run(redis, args).map(r -> {
      Set<String> out = new HashSet<>();
      for (int i = 0; i < list.size(); i++) {
        if (r.get(i).toInteger() == 0) {
          out.add(list.get(i));
        }
      }
      return out;
    });
  }

  /** Ends a session that expired here. */
  Future<Void> drop(String token, String userId) {
    return CLAIM.run(redis, List.of(prefix, token, userId)).mapEmpty();
  }
}
