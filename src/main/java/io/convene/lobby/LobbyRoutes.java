package io.convene.lobby;

import io.convene.protocol.Identity;
import io.convene.protocol.Input;
import io.convene.protocol.Requests;
import io.convene.protocol.SocketRequests;
import io.convene.web.AuthHandler;
import io.convene.web.Bodies;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * The lobby over REST ({@code /api/meetings/{id}/waiting-room}, {@code .../guests/{sessionId}/admit|decline},
 * {@code .../waiting-room/{userId}/admit|decline}) and over the socket ({@code meeting:admit_guest},
 * {@code meeting:decline_guest}).
 */
public final class LobbyRoutes {
  private final Lobby lobby;

  public LobbyRoutes(Lobby lobby) {
    this.lobby = lobby;
  }

  public void mount(Router api) {
    api.get("/meetings/:id/waiting-room").handler(rc -> Bodies.answer(rc, 200,
        lobby.waiting(AuthHandler.identity(rc), rc.pathParam("id"))));
    api.post("/meetings/:id/guests/:sessionId/admit").handler(rc -> Bodies.answer(rc, 200,
        lobby.decideGuest(AuthHandler.identity(rc), rc.pathParam("id"), rc.pathParam("sessionId"), true)));
    api.post("/meetings/:id/guests/:sessionId/decline").handler(rc -> Bodies.answer(rc, 200,
        lobby.decideGuest(AuthHandler.identity(rc), rc.pathParam("id"), rc.pathParam("sessionId"), false)));
    api.post("/meetings/:id/waiting-room/:userId/admit").handler(rc -> Bodies.answer(rc, 200,
        lobby.decideMember(AuthHandler.identity(rc), rc.pathParam("id"), rc.pathParam("userId"), true)));
    api.post("/meetings/:id/waiting-room/:userId/decline").handler(rc -> Bodies.answer(rc, 200,
        lobby.decideMember(AuthHandler.identity(rc), rc.pathParam("id"), rc.pathParam("userId"), false)));
  }

  public void register(SocketRequests requests) {
    requests.on(Requests.MEETING_ADMIT_GUEST, (who, conn, data) -> decide(who, data, true));
    requests.on(Requests.MEETING_DECLINE_GUEST, (who, conn, data) -> decide(who, data, false));
  }

  private Future<JsonObject> decide(Identity who, JsonObject data, boolean admit) {
    Input in = Input.of(data).allowOnly("meetingId", "sessionId");
    String meetingId = in.string("meetingId", true, 1, 64);
    String sessionId = in.string("sessionId", true, 1, 64);
    in.check();
    return lobby.decideGuest(who, meetingId, sessionId, admit);
  }
}
