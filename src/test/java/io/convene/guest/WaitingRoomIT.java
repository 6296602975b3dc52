package io.convene.guest;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.protocol.Events;
import io.convene.testing.ServerTestBase;
import io.convene.testing.WsClient;
import io.vertx.core.json.JsonArray;
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
    String id = json(server.post("/api/meetings", server.token(owner), new JsonObject().put("title", "Clinic")
        .put("startTime", at(0)).put("endTime", at(60)).put("settings", new JsonObject().put("waitingRoom", true))
        .put("participantIds", new JsonArray().add(manager).add(mia).add(max))), 201).getString("meetingId");
    json(server.post("/api/meetings/" + id + "/roles", server.token(owner), new JsonObject().put("userId", manager).put("role", "manager")), 200);
    WsClient ownerSocket = server.socket(owner);
    ownerSocket.awaitEvent(Events.SESSION_WELCOME);
    assertThat(json(server.post("/api/meetings/" + id + "/join", server.token(owner), null), 200).getString("token")).isNotBlank();
    assertThat(json(server.post("/api/meetings/" + id + "/join", server.token(manager), null), 200).getString("token"))
        .as("managers never wait").isNotBlank();

    WsClient miaSocket = server.socket(mia);
    miaSocket.awaitEvent(Events.SESSION_WELCOME);
    JsonObject waiting = json(server.post("/api/meetings/" + id + "/join", server.token(mia), null), 202);
    assertThat(waiting.getString("status")).isEqualTo("waiting");
    assertThat(waiting.containsKey("token")).isFalse();
    ownerSocket.awaitEvent(Events.MEETING_GUEST_WAITING, d -> mia.equals(d.getString("userId")));
    JsonObject lobby = json(server.get("/api/meetings/" + id + "/waiting-room", server.token(owner)), 200);
    assertThat(lobby.getJsonArray("members").getJsonObject(0).getString("userId")).isEqualTo(mia);

    json(server.post("/api/meetings/" + id + "/waiting-room/" + mia + "/admit", server.token(max), null), 403);
    json(server.post("/api/meetings/" + id + "/waiting-room/" + mia + "/admit", server.token(manager), null), 200);
    assertThat(json(server.post("/api/meetings/" + id + "/waiting-room/" + mia + "/decline", server.token(owner), null), 409)
        .getString("code")).isEqualTo("too_late");
    miaSocket.awaitEvent(Events.MEETING_GUEST_ADMITTED, d -> id.equals(d.getString("meetingId")));
    assertThat(json(server.post("/api/meetings/" + id + "/join", server.token(mia), null), 200).getString("token")).isNotBlank();

    json(server.post("/api/meetings/" + id + "/join", server.token(max), null), 202);
    json(server.post("/api/meetings/" + id + "/waiting-room/" + max + "/decline", server.token(owner), null), 200);
    assertThat(json(server.post("/api/meetings/" + id + "/join", server.token(max), null), 403).getString("detail"))
        .contains("turned away");
    json(server.post("/api/meetings/" + id + "/waiting-room/nobody/admit", server.token(owner), null), 404);
  }
}
