package io.convene.db;

import io.netty.channel.EventLoop;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A Redis client that pipelines, and answers every command within a bound.
 *
 * <p>Every event loop sends its commands on one connection of its own, many in flight at once, answered
 * on the same thread (and on the caller's context). A pool that lends a connection per command caps the
 * commands in flight at its size, and under a storm requests queue for a connection while Redis idles.
 * Commands from a worker or from outside Vert.x borrow a connection of the pool per command.
 *
 * <p>A command not answered within {@code timeoutMillis} fails with a {@link TimeoutException} instead
 * of holding the request that waits on it (a Redis paused, or cut off by a partition); the event loop's
 * connection is then closed, failing what else waited on it, and the next command opens another, so a
 * connection that died without a word is not kept. A connection that fails or closes is replaced the
 * same way. A command may still complete in Redis after its caller gave up; every write Convene sends
 * is safe to repeat. At most {@code maxWaitingHandlers} (RedisOptions) commands await their answer on one
 * connection; past that a command fails at once, as does one whose connection was lost (both as
 * {@link IOException}s: the backing service is unavailable).
 */
public final class PipelinedRedis implements Redis {
  private final Vertx vertx;
  private final RedisOptions options;
  private final long timeoutMillis;
  private final Redis pool;
  private final Map<EventLoop, Pipe> pipes = new ConcurrentHashMap<>();
  /** A name per event loop for its connection's metrics, kept when the connection is replaced. */
  private final Map<EventLoop, String> names = new ConcurrentHashMap<>();

  /** An event loop's connection, with the client that owns it (closing the client closes the socket). */
  private record Pipe(Redis client, Future<RedisConnection> connection) {}

  public PipelinedRedis(Vertx vertx, RedisOptions options, long timeoutMillis) {
    this.vertx = vertx;
    this.options = options;
    this.timeoutMillis = timeoutMillis;
    this.pool = Redis.createClient(vertx, new RedisOptions(options).setPoolName("convene-redis"));
  }

  @Override
  public Future<Response> send(Request command) {
    return run(c -> c.send(command), () -> pool.send(command));
  }

  @Override
  public Future<List<Response>> batch(List<Request> commands) {
    return run(c -> c.batch(commands), () -> pool.batch(commands));
  }

  /** A connection of the caller's own, from the pool: for commands that must not share one. */
  @Override
  public Future<RedisConnection> connect() {
    return pool.connect().timeout(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  @Override
  public Future<Void> close() {
    List<Pipe> open = List.copyOf(pipes.values());
    pipes.clear();
    open.forEach(p -> p.client().close());
    return pool.close();
  }

  private <T> Future<T> run(Function<RedisConnection, Future<T>> onPipe, Supplier<Future<T>> onPool) {
    Context context = Vertx.currentContext();
    if (context == null || !context.isEventLoopContext()) {
      return onPool.get().timeout(timeoutMillis, TimeUnit.MILLISECONDS)
          .recover(err -> Future.failedFuture(unavailable(err)));
    }
    ContextInternal caller = (ContextInternal) context;
    EventLoop loop = caller.nettyEventLoop();
    Pipe pipe = pipe(loop, caller);
    Promise<T> answer = caller.promise();
    pipe.connection().compose(onPipe)
        .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
        .onComplete(ar -> {
          if (ar.succeeded()) {
            answer.complete(ar.result());
            return;
          }
          Throwable err = ar.cause();
          if (err instanceof TimeoutException) {
            drop(loop, pipe);
          }
          answer.fail(unavailable(err));
        });
    return answer.future();
  }

  private Pipe pipe(EventLoop loop, ContextInternal caller) {
    Pipe current = pipes.get(loop);
    if (current != null && !current.connection().failed()) {
      return current;
    }
    return pipes.compute(loop, (k, old) -> old != null && !old.connection().failed() ? old : open(k, old, caller));
  }

  private Pipe open(EventLoop loop, Pipe old, ContextInternal caller) {
    if (old != null) {
      old.client().close();
    }
    String name = names.computeIfAbsent(loop, l -> "convene-redis-loop-" + names.size());
    Redis client = Redis.createClient(vertx, new RedisOptions(options).setPoolName(name).setMaxPoolSize(1)
        .setMaxPoolWaiting(0));
    Promise<RedisConnection> connected = caller.promise();
    Pipe pipe = new Pipe(client, connected.future());
    client.connect().timeout(timeoutMillis, TimeUnit.MILLISECONDS).onComplete(ar -> {
      if (ar.succeeded()) {
        ar.result().exceptionHandler(err -> drop(loop, pipe)).endHandler(v -> drop(loop, pipe));
      } else {
        client.close();
      }
      connected.handle(ar);
    });
    return pipe;
  }

  /** Forgets an event loop's connection and closes it; the next command opens another. */
  private void drop(EventLoop loop, Pipe pipe) {
    if (pipes.remove(loop, pipe)) {
      pipe.client().close();
    }
  }

  /**
   * A failure of the connection (lost, or too many waiting on it) as an {@link IOException}, so it reads as
   * the backing service being unavailable; Redis's own answers (an error reply) and timeouts as they are.
   * The client tells these apart only by their messages.
   */
  private static Throwable unavailable(Throwable err) {
    String message = String.valueOf(err.getMessage());
    String m = message.toLowerCase(Locale.ROOT);
    boolean lost = m.contains("connection_closed") || m.contains("queue is full") || m.contains("connection is closed")
        || m.contains("client is closed");
    return lost ? new IOException("Redis: " + message, err) : err;
  }
}
