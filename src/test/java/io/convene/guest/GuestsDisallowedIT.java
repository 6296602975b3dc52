package io.convene.guest;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.protocol.CloseCodes;
import io.convene.protocol.Events;
import io.convene.testing.Api.Guest;
import io.convene.testing.ServerTestBase;
import io.convene.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Turning {@code allowExternal} off closes every guest path, and the guests already in are let go. */
@Timeout(120)
class GuestsDisallowedIT extends ServerTestBase {

  private static WsClient online(Guest guest) {
    WsClient ws = server.guestSocket(guest.token());
    ws.awaitEvent(Events.SESSION_WELCOME);
    return ws;
  }

  @Test
  void turningGuestsOffClosesEveryGuestPath() {
    String owner = user("owner");
    String member = user("member");
    String id = api.meeting(owner).title("Guests").from(0).to(60).allowExternal().invite(member).createId();
    String link = api.link(id, owner).getString("token");
    api.join(id, owner);

    Guest inside = api.register(link, "Inside");
    WsClient insideSocket = online(inside);
    inside.ask();
    api.admitGuest(id, owner, inside);
    inside.join();
    Guest waiting = api.register(link, "Waiting");
    WsClient waitingSocket = online(waiting);
    waiting.ask();
    Guest outside = api.register(link, "Outside");

    api.update(id, owner, new JsonObject().put("allowExternal", false));

    insideSocket.awaitEvent(Events.EXTERNAL_GUESTS_DISALLOWED, d -> id.equals(d.getString("meetingId")));
    assertThat(insideSocket.awaitClose()).isEqualTo(CloseCodes.SESSION_ENDED.code());
    assertThat(waitingSocket.awaitClose()).isEqualTo(CloseCodes.SESSION_ENDED.code());
    server.awaitRows(rows -> rows.isEmpty(), "SELECT 1 FROM attendance_cycles WHERE meeting_id = $1 AND user_id = $2"
        + " AND left_at IS NULL", id, "guest:" + inside.sessionId());

    assertThat(api.expect(404).joinInfo(link).getString("code")).isEqualTo("not_found");
    api.expect(404).registration(link).name("Late").send();
    outside.expect(401).ask();
    assertThat(api.expect(409).admitGuest(id, member, waiting).getString("detail")).contains("does not allow guests");
    assertThat(WsClient.rejection(vertx, server.port, "/ws?guest_token=" + inside.token(), null)).isEqualTo(401);

    api.update(id, owner, new JsonObject().put("allowExternal", true));
    assertThat(api.expect(404).joinInfo(link).getString("code")).as("old links stay dead").isEqualTo("not_found");
    String fresh = api.link(id, owner).getString("token");
    api.register(fresh, "Welcome back");
  }
}
