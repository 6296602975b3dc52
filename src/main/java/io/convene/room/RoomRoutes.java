package io.convene.room;

import io.convene.web.AuthHandler;
import io.convene.web.Bodies;
import io.convene.protocol.Input;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** Join, leave and mute in a meeting's live room. */
public final class RoomRoutes {
  private final RoomService room;

  public RoomRoutes(RoomService room) {
    this.room = room;
  }

  public void mount(Router api) {
    api.post("/meetings/:id/join").handler(rc -> room.join(AuthHandler.identity(rc), rc.pathParam("id"))
        .onSuccess(body -> Bodies.json(rc, "waiting".equals(body.getString("status")) ? 202 : 200, body))
        .onFailure(rc::fail));
    api.post("/meetings/:id/leave").handler(rc -> Bodies.answer(rc, 200, room.leave(AuthHandler.identity(rc), rc.pathParam("id"))));
    api.post("/meetings/:id/mute").handler(this::mute);
  }

  private void mute(RoutingContext rc) {
    Input in = Input.of(Bodies.object(rc)).allowOnly("userId");
    String userId = in.string("userId", true, 1, Input.MAX_ID_LENGTH);
    in.check();
    Bodies.answer(rc, 200, room.mute(AuthHandler.identity(rc), rc.pathParam("id"), userId));
  }
}
