package io.convene.testing;

import io.convene.client.ConveneSocket;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real WebSocket client speaking Convene's envelope (through {@link ConveneSocket}, which the load
 * generator uses too). Every frame received is kept in order; tests wait for the frames they expect
 * instead of sleeping.
 */
public final class WsClient {
  private static final Duration WAIT = Duration.ofSeconds(15);

  private final WebSocketClient client;
  private final ConveneSocket socket;
  private final List<JsonObject> frames;
  private Short closeCode;

  private WsClient(WebSocketClient client, ConveneSocket socket, List<JsonObject> frames) {
    this.client = client;
    this.socket = socket;
    this.frames = frames;
    socket.closed().onComplete(ar -> {
      synchronized (frames) {
        closeCode = ar.result() == null ? -1 : ar.result();
        frames.notifyAll();
      }
    });
  }

  /** Connects with {@code Authorization: Bearer}; fails with the HTTP status when refused. */
  public static WsClient connect(Vertx vertx, int port, String token) {
    return connect(vertx, port, "/ws", token);
  }

  public static WsClient connect(Vertx vertx, int port, String uri, String bearer) {
    return attempt(vertx, port, uri, bearer).await();
  }

  public static Future<WsClient> attempt(Vertx vertx, int port, String uri, String bearer) {
    return attemptFrom(vertx, null, port, uri, bearer);
  }

  /** Like {@link #attempt} from the loopback address {@code localAddress} (127.0.0.x), as another client would. */
  public static Future<WsClient> attemptFrom(Vertx vertx, String localAddress, int port, String uri, String bearer) {
    WebSocketClientOptions options = new WebSocketClientOptions().setMaxFrameSize(1024 * 1024)
        .setMaxMessageSize(1024 * 1024);
    if (localAddress != null) {
      options.setLocalAddress(localAddress);
    }
    WebSocketClient client = vertx.createWebSocketClient(options);
    List<JsonObject> frames = new ArrayList<>();
    return ConveneSocket.connect(client, "127.0.0.1", port, uri, bearer, frame -> {
          synchronized (frames) {
            frames.add(frame);
            frames.notifyAll();
          }
        })
        .map(socket -> new WsClient(client, socket, frames))
        .onFailure(err -> client.close());
  }

  /** The HTTP status a refused upgrade got; fails when the upgrade was accepted. */
  public static int rejection(Vertx vertx, int port, String uri, String bearer) {
    return rejectionFrom(vertx, null, port, uri, bearer);
  }

  /** Like {@link #rejection} from the loopback address {@code localAddress}. */
  public static int rejectionFrom(Vertx vertx, String localAddress, int port, String uri, String bearer) {
    try {
      WsClient accepted = attemptFrom(vertx, localAddress, port, uri, bearer).await();
      accepted.close();
    } catch (io.vertx.core.http.UpgradeRejectedException e) {
      return e.getStatus();
    }
    throw new AssertionError("the upgrade of " + uri + " was accepted");
  }

  /** Sends a request and waits for its ack (returned whether {@code ok} or not). */
  public JsonObject request(String type, JsonObject data) {
    try {
      return socket.request(type, data).await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      // no ack in time, or the socket closed first
      synchronized (frames) {
        throw new AssertionError("no ack to " + type + " within " + WAIT + " (" + e.getMessage() + "); frames: "
            + frames + " closed: " + closeCode, e);
      }
    }
  }

  public void sendRaw(String text) {
    socket.sendRaw(text).await();
  }

  public WebSocket socket() {
    return socket.webSocket();
  }

  public JsonObject awaitEvent(String type) {
    return awaitEvent(type, d -> true);
  }

  /** Waits for an event frame of {@code type} whose data matches; returns the data. */
  public JsonObject awaitEvent(String type, Predicate<JsonObject> test) {
    return awaitFrame(f -> type.equals(f.getString("type")) && test.test(f.getJsonObject("data")), type)
        .getJsonObject("data");
  }

  /** Like {@link #awaitEvent(String, Predicate)} with a shorter wait. */
  public JsonObject awaitEvent(String type, Predicate<JsonObject> test, Duration wait) {
    return awaitFrame(f -> type.equals(f.getString("type")) && test.test(f.getJsonObject("data")), type, wait)
        .getJsonObject("data");
  }

  public JsonObject awaitFrame(Predicate<JsonObject> test, String what) {
    return awaitFrame(test, what, WAIT);
  }

  private JsonObject awaitFrame(Predicate<JsonObject> test, String what, Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    synchronized (frames) {
      int from = 0;
      while (true) {
        for (int i = from; i < frames.size(); i++) {
          if (test.test(frames.get(i))) {
            return frames.get(i);
          }
        }
        from = frames.size();
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("no " + what + " within " + wait + "; frames: " + frames + " closed: " + closeCode);
        }
        waitOn(left);
      }
    }
  }

  /** Every frame received so far, whole. */
  public List<JsonObject> frames() {
    synchronized (frames) {
      return List.copyOf(frames);
    }
  }

  /** Frames of {@code type} received so far, as their data. */
  public List<JsonObject> events(String type) {
    synchronized (frames) {
      return frames.stream().filter(f -> type.equals(f.getString("type"))).map(f -> f.getJsonObject("data")).toList();
    }
  }

  public int frameCount() {
    synchronized (frames) {
      return frames.size();
    }
  }

  /** Waits until the server closes the socket; returns the close code. */
  public short awaitClose() {
    long deadline = System.nanoTime() + WAIT.toNanos();
    synchronized (frames) {
      while (closeCode == null) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("socket not closed within " + WAIT);
        }
        waitOn(left);
      }
      return closeCode;
    }
  }

  public boolean closed() {
    synchronized (frames) {
      return closeCode != null;
    }
  }

  public void close() {
    if (!closed()) {
      socket.close().await();
      awaitClose();
    }
    client.close();
  }

  private void waitOn(long nanos) {
    try {
      frames.wait(Math.max(1, nanos / 1_000_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted");
    }
  }
}
