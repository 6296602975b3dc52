package io.convene.presence;

import static org.assertj.core.api.Assertions.assertThat;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import io.convene.protocol.Events;
import io.convene.protocol.Requests;
import io.convene.testing.ServerTestBase;
import io.convene.testing.TestServer;
import io.convene.testing.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Presence is seen by the people one shares a meeting with (and the contacts a token lists); to anyone
 * else a user reads as offline, never seen, whether they exist or not. Sockets and queries spread over
 * the nodes in the clustered variant.
 */
@Timeout(120)
class PresenceVisibilityIT extends ServerTestBase {

  @Override
  protected JsonObject overrides() {
    return new JsonObject().put("presence", new JsonObject().put("visibility", "shared-meetings"));
  }

  private static JsonObject stateOf(JsonArray users, String userId) {
    for (Object u : users) {
      if (userId.equals(((JsonObject) u).getString("userId"))) {
        return (JsonObject) u;
      }
    }
    throw new AssertionError(userId + " missing from " + users);
  }

  private static JsonArray query(String token, String... ids) {
    return json(server.get("/api/presence/users?ids=" + String.join(",", ids), token), 200).getJsonArray("users");
  }

  private static String tokenWithContacts(String userId, String... contacts) {
    return JWT.create().withSubject(userId).withClaim("contacts", List.of(contacts))
        .withExpiresAt(Date.from(clock.instant().plusSeconds(3600))).sign(Algorithm.HMAC256(TestServer.SECRET));
  }

  @Test
  void onlyPeopleWhoShareAMeetingOrAreListedContactsSeePresence() {
    String alice = user("alice");
    String bob = user("bob");
    String carol = user("carol");
    String dave = user("dave");
    String erin = user("erin");
    api.meeting(alice).title("Shared").from(60).to(90).invite(bob).createId();
    String cancelled = api.meeting(alice).title("Called off").from(60).to(90).invite(erin).createId();
    api.cancel(cancelled, alice);

    WsClient bobSocket = server.socket(bob);
    bobSocket.awaitEvent(Events.SESSION_WELCOME);
    JsonObject allowed = bobSocket.request(Requests.PRESENCE_SUBSCRIBE, new JsonObject().put("userIds",
        new JsonArray().add(alice)));
    assertThat(allowed.getBoolean("ok")).isTrue();
    WsClient aliceSocket = server.socket(alice);
    aliceSocket.awaitEvent(Events.SESSION_WELCOME);
    bobSocket.awaitEvent(Events.PRESENCE_UPDATE, d -> alice.equals(d.getString("userId"))
        && "online".equals(d.getString("status")));
    WsClient carolSocket = server.socket(carol);
    carolSocket.awaitEvent(Events.SESSION_WELCOME);

    JsonArray seenByBob = query(server.token(bob), alice, carol);
    assertThat(stateOf(seenByBob, alice).getString("status")).isEqualTo("online");
    assertThat(stateOf(seenByBob, carol).getString("status")).as("online, but shares nothing with bob").isEqualTo("offline");
    assertThat(stateOf(seenByBob, carol).getValue("lastSeen")).isNull();

    JsonObject seenByCarol = stateOf(query(server.token(carol), alice), alice);
    assertThat(seenByCarol.getString("status")).isEqualTo("offline");
    assertThat(seenByCarol.getValue("lastSeen")).isNull();
    assertThat(stateOf(query(server.token(erin), alice), alice).getString("status")).as("a cancelled meeting shares nothing")
        .isEqualTo("offline");
    assertThat(stateOf(query(tokenWithContacts(dave, alice), alice), alice).getString("status"))
        .as("the host app lists alice among dave's contacts").isEqualTo("online");
    assertThat(stateOf(query(server.token(carol), carol), carol).getString("status")).as("oneself").isEqualTo("online");

    JsonObject refused = carolSocket.request(Requests.PRESENCE_SUBSCRIBE, new JsonObject().put("userIds",
        new JsonArray().add(alice)));
    assertThat(stateOf(refused.getJsonObject("data").getJsonArray("users"), alice).getString("status")).isEqualTo("offline");

  }
}
