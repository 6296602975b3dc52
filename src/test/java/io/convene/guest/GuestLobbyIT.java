package io.convene.guest;

import static org.assertj.core.api.Assertions.assertThat;

import com.auth0.jwt.JWT;
import io.convene.protocol.Events;
import io.convene.testing.Api.Guest;
import io.convene.testing.ServerTestBase;
import io.convene.testing.WsClient;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A guest arrives early, waits for the first member, asks, is let in (or turned away), and joins. */
@Timeout(120)
class GuestLobbyIT extends ServerTestBase {

  private static WsClient online(Guest guest) {
    WsClient ws = server.guestSocket(guest.token());
    ws.awaitEvent(Events.SESSION_WELCOME);
    return ws;
  }

  @Test
  void theWholeLobby() {
    String owner = user("owner");
    String member = user("member");
    String id = api.meeting(owner).title("Lobby").from(5).to(65).allowExternal().invite(member).createId();
    String link = api.link(id, owner).getString("token");

    Guest gina = api.register(link, "Gina");
    WsClient ginaSocket = online(gina);
    JsonObject tooSoon = gina.expect(409).ask();
    assertThat(tooSoon.getString("detail")).contains("nobody has joined yet");
    gina.expect(403).join();

    WsClient ownerSocket = server.socket(owner);
    ownerSocket.awaitEvent(Events.SESSION_WELCOME);
    WsClient memberSocket = server.socket(member);
    memberSocket.awaitEvent(Events.SESSION_WELCOME);
    api.join(id, owner);
    ginaSocket.awaitEvent(Events.MEETING_FIRST_PARTICIPANT_JOINED, d -> id.equals(d.getString("meetingId")));
    api.join(id, member);

    assertThat(gina.ask().getString("status")).isEqualTo("waiting");
    JsonObject waiting = ownerSocket.awaitEvent(Events.MEETING_GUEST_WAITING, d -> gina.sessionId().equals(d.getString("sessionId")));
    assertThat(waiting.getString("displayName")).isEqualTo("Gina");
    memberSocket.awaitEvent(Events.MEETING_GUEST_WAITING, d -> gina.sessionId().equals(d.getString("sessionId")));

    // Both ways at once: either status is right, so this one call is raw.
    var rest = CompletableFuture.supplyAsync(() -> server.post(
        "/api/meetings/" + id + "/guests/" + gina.sessionId() + "/admit", server.token(owner), null).statusCode());
    JsonObject viaSocket = memberSocket.request("meeting:admit_guest",
        new JsonObject().put("meetingId", id).put("sessionId", gina.sessionId()));
    int restStatus = rest.join();
    boolean socketWon = viaSocket.getBoolean("ok");
    assertThat(socketWon ^ restStatus == 200).as("exactly one decision wins").isTrue();
    if (socketWon) {
      assertThat(restStatus).isEqualTo(409);
    } else {
      assertThat(viaSocket.getJsonObject("error").getString("code")).isEqualTo("too_late");
    }
    ginaSocket.awaitEvent(Events.MEETING_GUEST_ADMITTED, d -> id.equals(d.getString("meetingId")));

    JsonObject join = gina.join();
    assertThat(join.getString("identity")).isEqualTo("guest:" + gina.sessionId());
    assertThat(join.getString("role")).isEqualTo("guest");
    JsonObject metadata = new JsonObject(JWT.decode(join.getString("token")).getClaim("metadata").asString());
    assertThat(metadata.getBoolean("guest")).isTrue();
    assertThat(metadata.getString("role")).isEqualTo("guest");
    ownerSocket.awaitEvent(Events.MEETING_PARTICIPANT_JOINED, d -> ("guest:" + gina.sessionId()).equals(d.getString("userId")));

    Guest otto = api.register(link, "Otto");
    WsClient ottoSocket = online(otto);
    assertThat(otto.ask().getString("status")).isEqualTo("waiting");
    api.declineGuest(id, member, otto);
    ottoSocket.awaitEvent(Events.MEETING_GUEST_DECLINED, d -> id.equals(d.getString("meetingId")));
    assertThat(otto.expect(403).ask().getString("detail")).contains("cannot ask again");
    otto.expect(403).join();
    assertThat(api.expect(409).admitGuest(id, owner, otto).getString("code")).isEqualTo("too_late");

    otto.expect(404).askWith(gina.token());

    // Everyone leaves: guests are warned, and after the grace their sessions end and their sockets close.
    api.leave(id, member);
    api.leave(id, owner);
    JsonObject alone = ginaSocket.awaitEvent(Events.EXTERNAL_ALL_SERVER_USERS_LEFT, d -> id.equals(d.getString("meetingId")));
    assertThat(alone.getInteger("graceSeconds")).isEqualTo(5);
    clock.advance(Duration.ofSeconds(6));
    assertThat(ginaSocket.awaitClose()).isEqualTo((short) 4004);
    assertThat(server.rows("SELECT status FROM guest_sessions WHERE id = $1", gina.sessionId()).get(0).getString("status"))
        .isEqualTo("ended");
    gina.expect(401).join();
    otto.expect(401).askWith(null);
    api.expect(404).admitGuest(id, user("stranger"), otto);
    ottoSocket.close();
  }
}
