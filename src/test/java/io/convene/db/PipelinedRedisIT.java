package io.convene.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.embedded.EmbeddedServices;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Commands pipelined on a connection per event loop, against a real Redis. */
@Timeout(60)
class PipelinedRedisIT {
  private static final long TIMEOUT_MS = 500;
  private final Vertx vertx = Vertx.vertx();
  private EmbeddedServices host;
  private Redis redis;
  private Redis admin;
  private String url;

  @BeforeEach
  void start() throws Exception {
    host = EmbeddedServices.claim(Files.createTempDirectory("convene-redis-"));
    url = host.startRedis(EmbeddedServices.freePort());
    // a pool of one connection that lets two commands wait: lending it per command could not serve this test
    redis = new PipelinedRedis(vertx, new RedisOptions().setConnectionString(url)
        .setMaxPoolSize(1).setMaxPoolWaiting(2).setMaxWaitingHandlers(10_000), TIMEOUT_MS);
    admin = Redis.createClient(vertx, new RedisOptions().setConnectionString(url));
  }

  @AfterEach
  void stop() {
    vertx.close().await();
    host.close();
  }

  @Test
  void manyCommandsInFlightAtOnceShareOneConnectionAndAllAreAnswered() {
    int n = 5000;
    List<Response> answers = onEventLoop(() -> {
      List<Future<Response>> sent = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        sent.add(redis.send(Request.cmd(Command.INCR).arg("counter")));
      }
      return Future.all(sent).map(all -> all.<Response>list());
    });

    assertThat(answers).hasSize(n);
    // answered in the order sent: each INCR saw every one before it
    for (int i = 0; i < n; i++) {
      assertThat(answers.get(i).toInteger()).isEqualTo(i + 1);
    }
    assertThat(clients()).isEqualTo(1);
  }

  @Test
  void aConnectionThatIsClosedIsReplacedByTheNextCommand() {
    assertThat(onEventLoop(() -> redis.send(Request.cmd(Command.SET).arg("k").arg("v"))).toString()).isEqualTo("OK");
    assertThat(clients()).isEqualTo(1);

    // Redis drops every connection but the admin's
    admin.send(Request.cmd(Command.CLIENT).arg("KILL").arg("TYPE").arg("normal").arg("SKIPME").arg("yes")).await();

    // a command may still be sent on the dropped connection before its end is noticed; it fails, the next does not
    Response value = onEventLoop(() -> redis.send(Request.cmd(Command.GET).arg("k"))
        .recover(err -> redis.send(Request.cmd(Command.GET).arg("k"))));
    assertThat(value.toString()).isEqualTo("v");
    assertThat(clients()).isEqualTo(1);
  }

  @Test
  void aCommandNotAnsweredInTimeFailsAndItsConnectionIsReplaced() {
    assertThat(onEventLoop(() -> redis.send(Request.cmd(Command.SET).arg("k").arg("v"))).toString()).isEqualTo("OK");

    // Redis answers nobody for a while, as when it is paused or cut off
    admin.send(Request.cmd(Command.CLIENT).arg("PAUSE").arg(TIMEOUT_MS * 4).arg("ALL")).await();
    Throwable timedOut = onEventLoop(() -> redis.send(Request.cmd(Command.GET).arg("k"))
        .transform(ar -> Future.succeededFuture(ar.cause())));
    assertThat(timedOut).isInstanceOf(java.util.concurrent.TimeoutException.class);

    admin.send(Request.cmd(Command.PING)).await(); // answered once the pause is over
    assertThat(onEventLoop(() -> redis.send(Request.cmd(Command.GET).arg("k"))).toString()).isEqualTo("v");
    // the connection that did not answer was closed, not kept beside its replacement
    assertThat(clients()).isEqualTo(1);
  }

  @Test
  void commandsPastTheConnectionsQueueFailAtOnceAsTheServiceBeingUnavailable() {
    RedisOptions options = new RedisOptions().setConnectionString(url).setMaxWaitingHandlers(4);
    Redis small = new PipelinedRedis(vertx, options, TIMEOUT_MS);
    int n = 50;
    List<Throwable> outcomes = onEventLoop(() -> {
      List<Future<Throwable>> sent = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        sent.add(small.send(Request.cmd(Command.INCR).arg("queued")).transform(ar -> Future.succeededFuture(ar.cause())));
      }
      return Future.all(sent).map(all -> all.<Throwable>list());
    });

    long answered = outcomes.stream().filter(Objects::isNull).count();
    assertThat(answered).isBetween(1L, n - 1L);
    assertThat(outcomes.stream().filter(Objects::nonNull))
        .allSatisfy(err -> assertThat(err).isInstanceOf(IOException.class).hasMessageContaining("waiting queue is full"));
    // what was refused never reached Redis
    String counted = admin.send(Request.cmd(Command.GET).arg("queued")).await().toString();
    assertThat(Long.parseLong(counted)).isEqualTo(answered);
  }

  /** Connections to Redis besides the one asking. */
  private int clients() {
    String list = admin.send(Request.cmd(Command.CLIENT).arg("LIST")).await().toString();
    return (int) list.lines().filter(l -> !l.isBlank()).count() - 1;
  }

  private <T> T onEventLoop(Supplier<Future<T>> work) {
    var context = vertx.getOrCreateContext();
    Promise<T> done = Promise.promise();
    context.runOnContext(v -> work.get().onComplete(done));
    try {
      return done.future().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
