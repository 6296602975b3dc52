package io.convene.db;

import io.netty.channel.EventLoop;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Redis client that pipelines: every event loop sends its commands on one connection of its own, many
 * in flight at once, and gets the answers on the same thread. A pool that lends a connection per command
 * caps the commands in flight at its size, and under a storm requests queue for a connection while Redis
 * idles. Commands from a worker or from outside Vert.x borrow a connection of the pool per command. A
 * connection that fails or closes is dropped; the next command opens another. At most {@code
 * maxWaitingHandlers} (RedisOptions) commands await their answer on one connection; past that a command
 * fails at once.
 */
public final class PipelinedRedis implements Redis {
  /** Connections the event loops may hold at once, counting those being replaced. */
  private static final int PIPES = 64;

  private final Redis pool;
  private final Redis pipes;
  private final Map<EventLoop, Future<RedisConnection>> connections = new ConcurrentHashMap<>();

  public PipelinedRedis(Vertx vertx, RedisOptions options) {
    this.pool = Redis.createClient(vertx, options);
    this.pipes = Redis.createClient(vertx, new RedisOptions(options).setMaxPoolSize(PIPES));
  }

  @Override
  public Future<Response> send(Request command) {
    EventLoop loop = eventLoop();
    return loop == null ? pool.send(command) : connection(loop).compose(c -> c.send(command));
  }

  @Override
  public Future<List<Response>> batch(List<Request> commands) {
    EventLoop loop = eventLoop();
    return loop == null ? pool.batch(commands) : connection(loop).compose(c -> c.batch(commands));
  }

  /** A connection of the caller's own, from the pool: for commands that must not share one. */
  @Override
  public Future<RedisConnection> connect() {
    return pool.connect();
  }

  @Override
  public Future<Void> close() {
    connections.clear();
    return Future.join(pipes.close(), pool.close()).mapEmpty();
  }

  private Future<RedisConnection> connection(EventLoop loop) {
    Future<RedisConnection> current = connections.get(loop);
    if (current != null && !current.failed()) {
      return current;
    }
    return connections.compute(loop, (k, old) -> old != null && !old.failed() ? old : open(k));
  }

  private Future<RedisConnection> open(EventLoop loop) {
    Future<RedisConnection> opened = pipes.connect();
    // a connection that fails or ends leaves its pool by itself
    opened.onSuccess(c -> c
        .exceptionHandler(err -> connections.remove(loop, opened))
        .endHandler(v -> connections.remove(loop, opened)));
    return opened;
  }

  /** The caller's event loop; null on a worker or outside Vert.x. */
  private static EventLoop eventLoop() {
    Context context = Vertx.currentContext();
    return context != null && context.isEventLoopContext() ? ((ContextInternal) context).nettyEventLoop() : null;
  }
}
