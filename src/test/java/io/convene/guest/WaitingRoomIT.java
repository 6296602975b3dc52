package io.convene.guest;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.protocol.Events;
import io.convene.testing.ServerTestBase;
import io.convene.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** With the waiting room on, members wait for an owner or manager; owners and managers never wait. */
@Timeout(120)
class WaitingRoomIT extends ServerTestBase {

  @Test
  void membersWaitUntilAnOwnerOrManagerDecides() {
    String owner = user("owner");
    String manager = user("manager");
    String mia = user("mia");
    String max = user("max");
    String id = api.meeting(owner).title("Clinic").from(0).to(60).waitingRoom().invite(manager, mia, max).createId();
    api.assignRole(id, owner, manager, "manager");
    WsClient ownerSocket = server.socket(owner);
    ownerSocket.awaitEvent(Events.SESSION_WELCOME);
    assertThat(api.join(id, owner).getString("token")).isNotBlank();
    assertThat(api.join(id, manager).getString("token")).as("managers never wait").isNotBlank();

    WsClient miaSocket = server.socket(mia);
    miaSocket.awaitEvent(Events.SESSION_WELCOME);
    JsonObject waiting = api.expect(202).join(id, mia);
    assertThat(waiting.getString("status")).isEqualTo("waiting");
    assertThat(waiting.containsKey("token")).isFalse();
    ownerSocket.awaitEvent(Events.MEETING_GUEST_WAITING, d -> mia.equals(d.getString("userId")));
    JsonObject lobby = api.waitingRoom(id, owner);
    assertThat(lobby.getJsonArray("members").getJsonObject(0).getString("userId")).isEqualTo(mia);

    api.expect(403).admit(id, max, mia);
    api.admit(id, manager, mia);
    assertThat(api.expect(409).decline(id, owner, mia).getString("code")).isEqualTo("too_late");
    miaSocket.awaitEvent(Events.MEETING_GUEST_ADMITTED, d -> id.equals(d.getString("meetingId")));
    assertThat(api.join(id, mia).getString("token")).isNotBlank();

    api.expect(202).join(id, max);
    api.decline(id, owner, max);
    assertThat(api.expect(403).join(id, max).getString("detail")).contains("turned away");
    api.expect(404).admit(id, owner, "nobody");
  }
}
