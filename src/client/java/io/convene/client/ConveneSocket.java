package io.convene.client;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One WebSocket to Convene speaking its envelope (docs/protocol.md): requests {@code {id, type, data}},
 * each answered by exactly one ack {@code {type:"ack", id, ok, data | error}} echoing the id; events
 * {@code {type, data, ts}}. The integration tests and the load generator both talk to the server
 * through this class, so they speak the protocol the same way.
 *
 * <p>The caller owns the {@link WebSocketClient} and keeps a reference to it: Vert.x closes a client
 * that is garbage-collected, and its sockets with it.
 */
public final class ConveneSocket {
  /** The type of the frame answering a request. */
  public static final String ACK = "ack";
  private static final AtomicLong IDS = new AtomicLong();

  private final WebSocket socket;
  private final Map<String, Promise<JsonObject>> awaitingAck = new ConcurrentHashMap<>();
  private final Promise<Short> closed = Promise.promise();

  private ConveneSocket(WebSocket socket, Consumer<JsonObject> onFrame) {
    this.socket = socket;
    socket.textMessageHandler(text -> {
      JsonObject frame = new JsonObject(text);
      if (ACK.equals(frame.getString("type")) && frame.getValue("id") instanceof String id) {
        Promise<JsonObject> ack = awaitingAck.remove(id);
        if (ack != null) {
          ack.complete(frame);
        }
      }
      onFrame.accept(frame);
    });
    socket.closeHandler(v -> {
      closed.tryComplete(socket.closeStatusCode());
      awaitingAck.values().forEach(ack -> ack.tryFail("socket closed (" + socket.closeStatusCode() + ") before the ack"));
      awaitingAck.clear();
    });
  }

  /**
   * Opens a socket at {@code uri} (normally {@code /ws}, with query parameters if wanted) with
   * {@code Authorization: Bearer <bearer>} unless {@code bearer} is null. Every frame received, acks
   * included, is handed to {@code onFrame} in order, from the first one on. Fails with Vert.x's
   * {@code UpgradeRejectedException} (carrying the HTTP status) when the server refuses the upgrade.
   */
  public static Future<ConveneSocket> connect(WebSocketClient client, String host, int port, String uri,
      String bearer, Consumer<JsonObject> onFrame) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(host).setPort(port).setURI(uri);
    if (bearer != null) {
      options.addHeader("Authorization", "Bearer " + bearer);
    }
    // the handlers are in place before the upgrade, so a frame right behind the 101 is never missed
    ClientWebSocket ws = client.webSocket();
    ConveneSocket socket = new ConveneSocket(ws, onFrame);
    return ws.connect(options).map(socket);
  }

  /**
   * Sends a request with an id of its own; completes with its ack frame, whether {@code ok} or not, or
   * fails if the socket closes first. {@code data} may be null (the envelope then has none).
   */
  public Future<JsonObject> request(String type, JsonObject data) {
    String id = "r" + IDS.incrementAndGet();
    Promise<JsonObject> ack = Promise.promise();
    awaitingAck.put(id, ack);
    JsonObject frame = new JsonObject().put("id", id).put("type", type);
    if (data != null) {
      frame.put("data", data);
    }
    socket.writeTextMessage(frame.encode()).onFailure(err -> {
      if (awaitingAck.remove(id) != null) {
        ack.tryFail(err);
      }
    });
    return ack.future();
  }

  /** Sends a text frame as it is (malformed frames included); its ack, if any, reaches the frame handler. */
  public Future<Void> sendRaw(String text) {
    return socket.writeTextMessage(text);
  }

  /** Completes when the socket has closed, with the close code, or null when no close frame came. */
  public Future<Short> closed() {
    return closed.future();
  }

  public Future<Void> close() {
    return socket.close();
  }

  /** The underlying socket, for what the envelope does not cover (pings, oversized or raw frames). */
  public WebSocket webSocket() {
    return socket;
  }
}
