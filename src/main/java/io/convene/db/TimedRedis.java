package io.convene.db;

import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Redis client whose every command is answered within a bound: a Redis that hangs (paused, or cut
 * off by a partition) fails the command with a {@link java.util.concurrent.TimeoutException} instead of
 * holding the request that waits on it. A command may still complete in Redis after its caller gave up;
 * every write Convene sends is safe to repeat.
 */
public final class TimedRedis implements Redis {
  private final Redis redis;
  private final long timeoutMillis;

  public TimedRedis(Redis redis, long timeoutMillis) {
    this.redis = redis;
    this.timeoutMillis = timeoutMillis;
  }

  @Override
  public Future<RedisConnection> connect() {
    return redis.connect().timeout(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  @Override
  public Future<Void> close() {
    return redis.close();
  }

  @Override
  public Future<Response> send(Request command) {
    return redis.send(command).timeout(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  @Override
  public Future<List<Response>> batch(List<Request> commands) {
    return redis.batch(commands).timeout(timeoutMillis, TimeUnit.MILLISECONDS);
  }
}
