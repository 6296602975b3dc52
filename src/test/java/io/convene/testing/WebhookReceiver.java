package io.convene.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A receiver of outbound webhooks on loopback, for the tests: {@code /ok/<name>} answers 204, {@code
 * /fail/<n>/<name>} answers 500 to the first {@code n} requests of each {@code webhook-id} and 204
 * after, {@code /hang/<name>} never answers. Every request is recorded with its headers and raw body;
 * open (unanswered) requests are counted per path.
 */
public final class WebhookReceiver {
  /** A request as it arrived. */
  public record Received(String path, Map<String, String> headers, String body, long arrivedNanos) {
    public String header(String name) {
      return headers.get(name.toLowerCase());
    }

    public JsonObject json() {
      return new JsonObject(body);
    }
  }

  private final HttpServer server;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> perId = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> open = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> maxOpen = new ConcurrentHashMap<>();
  private final Map<String, Long> firstClosedNanos = new ConcurrentHashMap<>();
  private final Vertx vertx;

  private WebhookReceiver(Vertx vertx, HttpServer server) {
    this.vertx = vertx;
    this.server = server;
  }

  public static WebhookReceiver start(Vertx vertx) {
    WebhookReceiver[] self = new WebhookReceiver[1];
    HttpServer server = vertx.createHttpServer().requestHandler(req -> self[0].handle(req));
    self[0] = new WebhookReceiver(vertx, server);
    server.listen(0, "127.0.0.1").await();
    return self[0];
  }

  public int port() {
    return server.actualPort();
  }

  /** The URL of a path on this receiver, e.g. {@code url("/ok/a")}. */
  public String url(String path) {
    return "http://127.0.0.1:" + port() + path;
  }

  private void handle(HttpServerRequest req) {
    String path = req.path();
    req.body().onSuccess(body -> {
      Map<String, String> headers = new ConcurrentHashMap<>();
      req.headers().forEach(e -> headers.put(e.getKey().toLowerCase(), e.getValue()));
      received.add(new Received(path, headers, body.toString(), System.nanoTime()));
      int now = open.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
      maxOpen.computeIfAbsent(path, p -> new AtomicInteger()).accumulateAndGet(now, Math::max);
      req.connection().closeHandler(v -> closed(path));
      if (path.startsWith("/hang/")) {
        return;
      }
      int status = 204;
      if (path.startsWith("/fail/")) {
        int failures = Integer.parseInt(path.split("/")[2]);
        int n = perId.computeIfAbsent(path + "|" + headers.get("webhook-id"), k -> new AtomicInteger()).incrementAndGet();
        status = n <= failures ? 500 : 204;
      }
      req.response().setStatusCode(status).end().onComplete(ar -> closed(path));
    });
  }

  private void closed(String path) {
    AtomicInteger n = open.get(path);
    if (n != null && n.get() > 0) {
      n.decrementAndGet();
      firstClosedNanos.putIfAbsent(path, System.nanoTime());
    }
  }

  public List<Received> received(String path) {
    return received.stream().filter(r -> r.path().equals(path)).toList();
  }

  /** The most requests to {@code path} that were open at once. */
  public int maxOpen(String path) {
    AtomicInteger n = maxOpen.get(path);
    return n == null ? 0 : n.get();
  }

  /** When the first request to {@code path} was answered or dropped (System.nanoTime), or null. */
  public Long firstClosed(String path) {
    return firstClosedNanos.get(path);
  }

  /** Waits (15 s at most) until the requests to {@code path} satisfy {@code test}; returns them. */
  public List<Received> await(String path, Predicate<List<Received>> test) {
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(15).toNanos();
    while (true) {
      List<Received> got = received(path);
      if (test.test(got)) {
        return got;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("requests to " + path + " never matched; got " + got.size() + ": " + got);
      }
      vertx.timer(20).await();
    }
  }

  /** Waits until {@code path} got at least {@code n} requests; returns them. */
  public List<Received> await(String path, int n) {
    return await(path, got -> got.size() >= n);
  }

  public void close() {
    server.close().await();
  }
}
