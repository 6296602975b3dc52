package io.convene.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.protocol.Events;
import io.convene.testing.ManualClock;
import io.convene.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * permessage-deflate is refused unless an operator turns it on; then the client is asked to keep no
 * context between messages (its decompressor on our side is released after each message).
 */
@Timeout(60)
class CompressionIT {
  private final Vertx vertx = Vertx.vertx();
  private WebSocketClient client;

  @AfterEach
  void close() {
    vertx.close().await();
  }

  private String extensionsAgreed(TestServer server) throws Exception {
    client = vertx.createWebSocketClient(new WebSocketClientOptions().setTryUsePerMessageCompression(true)
        .setCompressionAllowClientNoContext(true));
    CompletableFuture<String> welcome = new CompletableFuture<>();
    // the handler is in place before the upgrade: a welcome right behind the 101 is not missed
    ClientWebSocket ws = client.webSocket();
    ws.textMessageHandler(welcome::complete);
    ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(server.port)
        .setURI("/ws").addHeader("Authorization", "Bearer " + server.token("browser"))).await();
    assertThat(new JsonObject(welcome.get(15, TimeUnit.SECONDS)).getString("type")).isEqualTo(Events.SESSION_WELCOME);
    return ws.headers().get("sec-websocket-extensions");
  }

  @Test
  void aBrowserOfferingDeflateGetsPlainFramesByDefault() throws Exception {
    TestServer server = TestServer.start(vertx, new ManualClock(Instant.now()));
    assertThat(extensionsAgreed(server)).isNull();
  }

  @Test
  void turnedOnDeflateIsNegotiatedWithoutClientContextTakeover() throws Exception {
    TestServer server = TestServer.start(vertx, new ManualClock(Instant.now()),
        new JsonObject().put("gateway", new JsonObject().put("compression", true)));
    assertThat(extensionsAgreed(server)).contains("permessage-deflate").contains("client_no_context_takeover");
  }

  @Test
  void aDeflatedMessageThatInflatesPastTheLimitClosesItsSocketWith1009() throws Exception {
    TestServer server = TestServer.start(vertx, new ManualClock(Instant.now()),
        new JsonObject().put("gateway", new JsonObject().put("compression", true)));
    client = vertx.createWebSocketClient(new WebSocketClientOptions().setTryUsePerMessageCompression(true)
        .setCompressionAllowClientNoContext(true).setMaxFrameSize(16 * 1024 * 1024).setMaxMessageSize(16 * 1024 * 1024));
    WebSocket ws = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(server.port)
        .setURI("/ws").addHeader("Authorization", "Bearer " + server.token("bomber"))).await();
    CompletableFuture<Short> closed = new CompletableFuture<>();
    ws.closeHandler(v -> closed.complete(ws.closeStatusCode()));
    // 4 MiB of one character: a few KiB on the wire, 16 times what a message may be once inflated
    String bomb = "{\"id\":\"1\",\"type\":\"presence:heartbeat\",\"data\":{\"x\":\"" + " ".repeat(4 * 1024 * 1024) + "\"}}";
    ws.writeTextMessage(bomb);
    assertThat(closed.get(15, TimeUnit.SECONDS)).isEqualTo((short) 1009);
    assertThat(extensionsAgreed(server)).as("the server goes on").contains("permessage-deflate");
  }
}
