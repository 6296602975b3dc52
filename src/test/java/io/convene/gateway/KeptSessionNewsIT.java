package io.convene.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.protocol.Events;
import io.convene.testing.ServerTestBase;
import io.convene.testing.TcpProxy;
import io.convene.testing.TestBackends;
import io.convene.testing.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A device whose network drops is kept for its return; its user's other devices hear that it went and
 * that it came back, and a device that has none tells nobody. One event loop serves the sockets, so its
 * presence store calls are answered in the order they were made.
 */
@Timeout(60)
class KeptSessionNewsIT extends ServerTestBase {
  private Redis redis;
  private TcpProxy proxy;

  @Override
  protected JsonObject overrides() {
    return new JsonObject().put("http", new JsonObject().put("instances", 1));
  }

  @AfterAll
  void stop() {
    if (proxy != null) {
      proxy.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void aDroppedDeviceIsHeardOfByItsUsersOtherDevicesOnly() {
    redis = Redis.createClient(vertx, TestBackends.redisUrl());
    proxy = TcpProxy.start(vertx, server.port);
    String dave = user("dave");
    String erin = user("erin");
    WsClient davesPhone = WsClient.connect(vertx, proxy.port(), server.token(dave));
    JsonObject phone = davesPhone.awaitEvent(Events.SESSION_WELCOME);
    WsClient erinsLaptop = server.socket(erin);
    erinsLaptop.awaitEvent(Events.SESSION_WELCOME);
    WsClient erinsTablet = WsClient.connect(vertx, proxy.port(), server.token(erin));
    JsonObject tablet = erinsTablet.awaitEvent(Events.SESSION_WELCOME);
    String tabletId = tablet.getString("connectionId");
    erinsLaptop.awaitEvent(Events.PRESENCE_USER_CONNECTED, d -> tabletId.equals(d.getString("connectionId")));

    proxy.cut();
    erinsLaptop.awaitEvent(Events.PRESENCE_USER_DISCONNECTED, d -> tabletId.equals(d.getString("connectionId")));
    WsClient tabletBack = WsClient.connect(vertx, server.port,
        "/ws?resume=" + tablet.getString("resumeToken") + "&last_seq=0", server.token(erin));
    String tabletBackId = tabletBack.awaitEvent(Events.SESSION_RESUMED).getString("connectionId");
    erinsLaptop.awaitEvent(Events.PRESENCE_USER_CONNECTED, d -> tabletBackId.equals(d.getString("connectionId")));

    // the phone's session is kept once the node has asked whether Dave has another device; its resume
    // is registered after that answer came
    String token = phone.getString("resumeToken");
    String session = server.config().getJsonObject("redis").getString("keyPrefix") + "sess:" + token;
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (redis.send(Request.cmd(Command.EXISTS).arg(session)).await().toInteger() == 0) {
      assertThat(System.nanoTime()).as("the phone's session was never kept").isLessThan(deadline);
      vertx.timer(20).await();
    }
    WsClient back = WsClient.connect(vertx, server.port, "/ws?resume=" + token + "&last_seq=0", server.token(dave));
    back.awaitEvent(Events.SESSION_RESUMED);
    // asked of the presence store after whom to tell of the resume was
    back.request("presence:subscribe", new JsonObject().put("userIds", new JsonArray().add(erin)));
    for (String news : List.of(Events.PRESENCE_USER_DISCONNECTED, Events.PRESENCE_USER_CONNECTED)) {
      assertThat(server.events.of(dave, news)).as("Dave has no other device to tell: " + news).isEmpty();
    }
    back.close();
    tabletBack.close();
    erinsLaptop.close();
  }
}
