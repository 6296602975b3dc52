package io.convene.limit;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.protocol.Events;
import io.convene.testing.ServerTestBase;
import io.convene.testing.WsClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Limits where strangers reach, per node: clients come from loopback addresses of their own (127.0.0.x),
 * and the server's clock stands still, so a spent bucket stays spent. The clustered variant shows that
 * another node keeps limits of its own.
 */
@Timeout(180)
class RateLimitIT extends ServerTestBase {
  private static final Map<String, WebClient> CLIENTS = new ConcurrentHashMap<>();

  @Override
  protected JsonObject overrides() {
    return new JsonObject().put("limits", new JsonObject()
        .put("enabled", true)
        .put("restPerIpPerSecond", 1).put("restPerIpBurst", 150)
        .put("authFailuresPerIpPerMinute", 3)
        .put("handshakesPerIpPerSecond", 1).put("handshakesPerIpBurst", 20)
        .put("socketsPerUser", 3)
        .put("guestRegistrationsPerIpPerMinute", 3)
        .put("guestRegistrationsPerLinkPerMinute", 6)
        .put("guestAsksPerSessionPerMinute", 2)
        .put("guestSessionsPerLink", 4)
        .put("keyBundlesPerLink", 1));
  }

  /** A request from {@code address} to {@code node}. */
  private static HttpResponse<Buffer> from(String address, int node, HttpMethod method, String path, String token,
      JsonObject body) {
    WebClient client = CLIENTS.computeIfAbsent(address + "/" + vertx.hashCode(), a -> WebClient.create(vertx,
        new WebClientOptions().setLocalAddress(address).setDefaultHost("127.0.0.1")));
    var request = client.request(method, server.port(node), "127.0.0.1", path).timeout(20_000);
    if (token != null) {
      request.bearerTokenAuthentication(token);
    }
    return (body == null ? request.send() : request.sendJsonObject(body)).await();
  }

  private static int lastNode() {
    return server.nodeCount() - 1;
  }

  @Test
  void restRequestsPerAddressGet429WithRetryAfter() {
    String token = server.token(user("busy"));
    for (int i = 0; i < 150; i++) {
      assertThat(from("127.0.0.21", 0, HttpMethod.GET, "/api/meetings/roles", token, null).statusCode()).isEqualTo(200);
    }
    var refused = from("127.0.0.21", 0, HttpMethod.GET, "/api/meetings/roles", token, null);
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.getHeader("Retry-After")).isEqualTo("1");
    assertThat(refused.bodyAsJsonObject().getString("code")).isEqualTo("rate_limited");
    assertThat(from("127.0.0.22", 0, HttpMethod.GET, "/api/meetings/roles", token, null).statusCode())
        .as("another address").isEqualTo(200);
    assertThat(from("127.0.0.21", 0, HttpMethod.GET, "/health/live", null, null).statusCode()).as("health is exempt")
        .isEqualTo(200);
    if (server.nodeCount() > 1) {
      assertThat(from("127.0.0.21", lastNode(), HttpMethod.GET, "/api/meetings/roles", token, null).statusCode())
          .as("limits are per node").isEqualTo(200);
    }
  }

  @Test
  void anAddressThatFailsToAuthenticateTooOftenIsRefusedBeforeItsTokenIsRead() {
    for (int i = 0; i < 3; i++) {
      assertThat(from("127.0.0.23", 0, HttpMethod.GET, "/api/meetings", "forged.token.x", null).statusCode()).isEqualTo(401);
    }
    String good = server.token(user("unlucky"));
    var refused = from("127.0.0.23", 0, HttpMethod.GET, "/api/meetings", good, null);
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(Long.parseLong(refused.getHeader("Retry-After"))).isPositive();
    assertThat(WsClient.rejectionFrom(vertx, "127.0.0.23", server.port(0), "/ws?access_token=" + good, null))
        .as("the socket too").isEqualTo(429);
    assertThat(from("127.0.0.24", 0, HttpMethod.GET, "/api/meetings", good, null).statusCode()).isEqualTo(200);
  }

  @Test
  void socketHandshakesPerAddressAndSocketsPerUser() {
    List<WsClient> open = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      open.add(WsClient.attemptFrom(vertx, "127.0.0.25", server.port(0), "/ws", server.token(user("many"))).await());
    }
    assertThat(WsClient.rejectionFrom(vertx, "127.0.0.25", server.port(0), "/ws", server.token(user("one-more"))))
        .isEqualTo(429);
    open.forEach(WsClient::close);

    String sam = user("sam");
    String token = server.token(sam);
    List<WsClient> sams = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      WsClient ws = WsClient.attemptFrom(vertx, "127.0.0.26", server.port(0), "/ws", token).await();
      ws.awaitEvent(Events.SESSION_WELCOME);
      sams.add(ws);
    }
    assertThat(WsClient.rejectionFrom(vertx, "127.0.0.26", server.port(0), "/ws", token)).isEqualTo(429);
    if (server.nodeCount() > 1) {
      WsClient elsewhere = WsClient.attemptFrom(vertx, "127.0.0.26", server.port(lastNode()), "/ws", token).await();
      elsewhere.awaitEvent(Events.SESSION_WELCOME);
      elsewhere.close();
    }
    sams.get(0).close();
    long deadline = System.nanoTime() + 15_000_000_000L;
    WsClient again = null;
    while (again == null) {
      try {
        again = WsClient.attemptFrom(vertx, "127.0.0.26", server.port(0), "/ws", token).await();
      } catch (io.vertx.core.http.UpgradeRejectedException e) {
        assertThat(System.nanoTime()).as("a closed socket makes room").isLessThan(deadline);
        vertx.timer(20).await();
      }
    }
    again.awaitEvent(Events.SESSION_WELCOME);
  }

  @Test
  void guestRegistrationsPerAddressAndLinkAndCapsOnSessionsAndKeyBundles() {
    String owner = user("owner");
    String id = api.meeting(owner).title("Open door").from(0).to(60).allowExternal().createId();
    api.join(id, owner);
    String link = api.link(id, owner).getString("token");
    JsonObject plain = new JsonObject().put("invitationToken", link).put("displayName", "G");
    JsonObject keyed = plain.copy().put("keys", new JsonObject().put("k", "v"));

    assertThat(register("127.0.0.27", keyed).statusCode()).isEqualTo(201);
    HttpResponse<Buffer> secondBundle = register("127.0.0.27", keyed);
    assertThat(secondBundle.statusCode()).isEqualTo(409);
    assertThat(secondBundle.bodyAsJsonObject().getString("detail")).contains("key bundles");
    assertThat(register("127.0.0.27", plain).statusCode()).isEqualTo(201);
    HttpResponse<Buffer> perAddress = register("127.0.0.27", plain);
    assertThat(perAddress.statusCode()).isEqualTo(429);
    assertThat(perAddress.bodyAsJsonObject().getString("detail")).contains("from this address");

    assertThat(register("127.0.0.28", plain).statusCode()).isEqualTo(201);
    assertThat(register("127.0.0.28", plain).statusCode()).isEqualTo(201);
    HttpResponse<Buffer> full = register("127.0.0.28", plain);
    assertThat(full.statusCode()).as("four live guests are all this link takes").isEqualTo(409);
    HttpResponse<Buffer> perLink = register("127.0.0.29", plain);
    assertThat(perLink.statusCode()).isEqualTo(429);
    assertThat(perLink.bodyAsJsonObject().getString("detail")).contains("through this link");
  }

  private static HttpResponse<Buffer> register(String address, JsonObject body) {
    return from(address, 0, HttpMethod.POST, "/api/external/register", null, body);
  }

  @Test
  void askingAgainIsNotAnnouncedAgainAndIsLimitedPerSession() {
    String owner = user("owner");
    String id = api.meeting(owner).title("Lobby").from(0).to(60).allowExternal().createId();
    WsClient ownerSocket = server.socket(owner, 0);
    ownerSocket.awaitEvent(Events.SESSION_WELCOME);
    api.join(id, owner);
    String link = api.link(id, owner).getString("token");
    JsonObject first = register("127.0.0.30", new JsonObject().put("invitationToken", link).put("displayName", "A"))
        .bodyAsJsonObject();
    JsonObject second = register("127.0.0.31", new JsonObject().put("invitationToken", link).put("displayName", "B"))
        .bodyAsJsonObject();

    assertThat(ask(first).statusCode()).isEqualTo(200);
    assertThat(ask(first).statusCode()).isEqualTo(200);
    HttpResponse<Buffer> third = ask(first);
    assertThat(third.statusCode()).isEqualTo(429);
    assertThat(third.bodyAsJsonObject().getString("code")).isEqualTo("rate_limited");
    assertThat(ask(second).statusCode()).isEqualTo(200);
    ownerSocket.awaitEvent(Events.MEETING_GUEST_WAITING, d -> second.getString("sessionId").equals(d.getString("sessionId")));
    assertThat(ownerSocket.events(Events.MEETING_GUEST_WAITING).stream()
        .filter(d -> first.getString("sessionId").equals(d.getString("sessionId")))).hasSize(1);
  }

  private static HttpResponse<Buffer> ask(JsonObject guest) {
    return from("127.0.0.32", 0, HttpMethod.POST, "/api/external/session/" + guest.getString("sessionId") + "/ask",
        guest.getString("guestToken"), null);
  }

  @Test
  void joiningTheWaitingRoomAgainIsNotAnnouncedAgain() {
    String owner = user("owner");
    String mia = user("mia");
    String max = user("max");
    String id = api.meeting(owner).title("Waiting").from(0).to(60).invite(mia, max).waitingRoom().createId();
    WsClient ownerSocket = server.socket(owner, 0);
    ownerSocket.awaitEvent(Events.SESSION_WELCOME);
    api.join(id, owner);
    api.expect(202).join(id, mia);
    api.expect(202).join(id, mia);
    api.expect(202).join(id, max);
    // on a cluster the two announcements may come through different nodes, in either order
    ownerSocket.awaitEvent(Events.MEETING_GUEST_WAITING, d -> mia.equals(d.getString("userId")));
    ownerSocket.awaitEvent(Events.MEETING_GUEST_WAITING, d -> max.equals(d.getString("userId")));
    assertThat(ownerSocket.events(Events.MEETING_GUEST_WAITING).stream().filter(d -> mia.equals(d.getString("userId"))))
        .hasSize(1);
  }
}
