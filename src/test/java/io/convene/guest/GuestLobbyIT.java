package io.convene.guest;

import static org.assertj.core.api.Assertions.assertThat;

import com.auth0.jwt.JWT;
import io.convene.protocol.Events;
import io.convene.testing.ServerTestBase;
import io.convene.testing.WsClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A guest arrives early, waits for the first member, asks, is let in (or turned away), and joins. */
@Timeout(120)
class GuestLobbyIT extends ServerTestBase {

  private record Guest(String sessionId, String token, WsClient socket) {}

  private static Guest register(String link, String name) {
    JsonObject s = json(server.post("/api/external/register", null,
        new JsonObject().put("invitationToken", link).put("displayName", name)), 201);
    WsClient ws = WsClient.connect(vertx, server.port, "/ws?guest_token=" + s.getString("guestToken"), null);
    ws.awaitEvent(Events.SESSION_WELCOME);
    return new Guest(s.getString("sessionId"), s.getString("guestToken"), ws);
  }

  private static io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer> asGuest(Guest g, String action) {
    return server.call(HttpMethod.POST, "/api/external/session/" + g.sessionId() + "/" + action, g.token(), null);
  }

  @Test
  void theWholeLobby() {
    String owner = user("owner");
    String member = user("member");
    String id = json(server.post("/api/meetings", server.token(owner), new JsonObject().put("title", "Lobby")
        .put("startTime", at(5)).put("endTime", at(65)).put("allowExternal", true)
        .put("participantIds", new JsonArray().add(member))), 201).getString("meetingId");
    String link = json(server.post("/api/meetings/" + id + "/generate-link", server.token(owner), null), 200).getString("token");

    Guest gina = register(link, "Gina");
    JsonObject tooSoon = json(asGuest(gina, "ask"), 409);
    assertThat(tooSoon.getString("detail")).contains("nobody has joined yet");
    json(asGuest(gina, "join"), 403);

    WsClient ownerSocket = server.socket(owner);
    ownerSocket.awaitEvent(Events.SESSION_WELCOME);
    WsClient memberSocket = server.socket(member);
    memberSocket.awaitEvent(Events.SESSION_WELCOME);
    json(server.post("/api/meetings/" + id + "/join", server.token(owner), null), 200);
    gina.socket().awaitEvent(Events.MEETING_FIRST_PARTICIPANT_JOINED, d -> id.equals(d.getString("meetingId")));
    json(server.post("/api/meetings/" + id + "/join", server.token(member), null), 200);

    assertThat(json(asGuest(gina, "ask"), 200).getString("status")).isEqualTo("waiting");
    JsonObject waiting = ownerSocket.awaitEvent(Events.MEETING_GUEST_WAITING, d -> gina.sessionId().equals(d.getString("sessionId")));
    assertThat(waiting.getString("displayName")).isEqualTo("Gina");
    memberSocket.awaitEvent(Events.MEETING_GUEST_WAITING, d -> gina.sessionId().equals(d.getString("sessionId")));

    var rest = java.util.concurrent.CompletableFuture.supplyAsync(() -> server.post(
        "/api/meetings/" + id + "/guests/" + gina.sessionId() + "/admit", server.token(owner), null));
    JsonObject viaSocket = memberSocket.request("meeting:admit_guest",
        new JsonObject().put("meetingId", id).put("sessionId", gina.sessionId()));
    int restStatus = rest.join().statusCode();
    boolean socketWon = viaSocket.getBoolean("ok");
    assertThat(socketWon ^ restStatus == 200).as("exactly one decision wins").isTrue();
    if (socketWon) {
      assertThat(restStatus).isEqualTo(409);
    } else {
      assertThat(viaSocket.getJsonObject("error").getString("code")).isEqualTo("too_late");
    }
    gina.socket().awaitEvent(Events.MEETING_GUEST_ADMITTED, d -> id.equals(d.getString("meetingId")));

    JsonObject join = json(asGuest(gina, "join"), 200);
    assertThat(join.getString("identity")).isEqualTo("guest:" + gina.sessionId());
    assertThat(join.getString("role")).isEqualTo("guest");
    JsonObject metadata = new JsonObject(JWT.decode(join.getString("token")).getClaim("metadata").asString());
    assertThat(metadata.getBoolean("guest")).isTrue();
    assertThat(metadata.getString("role")).isEqualTo("guest");
    ownerSocket.awaitEvent(Events.MEETING_PARTICIPANT_JOINED, d -> ("guest:" + gina.sessionId()).equals(d.getString("userId")));

    Guest otto = register(link, "Otto");
    assertThat(json(asGuest(otto, "ask"), 200).getString("status")).isEqualTo("waiting");
    json(server.post("/api/meetings/" + id + "/guests/" + otto.sessionId() + "/decline", server.token(member), null), 200);
    otto.socket().awaitEvent(Events.MEETING_GUEST_DECLINED, d -> id.equals(d.getString("meetingId")));
    assertThat(json(asGuest(otto, "ask"), 403).getString("detail")).contains("cannot ask again");
    json(asGuest(otto, "join"), 403);
    assertThat(json(server.post("/api/meetings/" + id + "/guests/" + otto.sessionId() + "/admit", server.token(owner), null), 409)
        .getString("code")).isEqualTo("too_late");

    json(server.call(HttpMethod.POST, "/api/external/session/" + otto.sessionId() + "/ask", gina.token(), null), 404);

    // Everyone leaves: guests are warned, and after the grace their sessions end and their sockets close.
    json(server.post("/api/meetings/" + id + "/leave", server.token(member), null), 200);
    json(server.post("/api/meetings/" + id + "/leave", server.token(owner), null), 200);
    JsonObject alone = gina.socket().awaitEvent(Events.EXTERNAL_ALL_SERVER_USERS_LEFT, d -> id.equals(d.getString("meetingId")));
    assertThat(alone.getInteger("graceSeconds")).isEqualTo(5);
    clock.advance(java.time.Duration.ofSeconds(6));
    assertThat(gina.socket().awaitClose()).isEqualTo((short) 4004);
    assertThat(server.rows("SELECT status FROM guest_sessions WHERE id = $1", gina.sessionId()).get(0).getString("status"))
        .isEqualTo("ended");
    json(asGuest(gina, "join"), 401);
    json(server.call(HttpMethod.POST, "/api/external/session/" + otto.sessionId() + "/ask", null, null), 401);
    json(server.post("/api/meetings/" + id + "/guests/" + otto.sessionId() + "/admit", server.token(user("stranger")), null), 404);
    otto.socket().close();
  }
}
