package io.convene.room;

import io.convene.http.AuthHandler;
import io.convene.http.Bodies;
import io.convene.protocol.ApiException;
import io.convene.protocol.FieldError;
import io.convene.protocol.Input;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/** Join, leave, mute and attendance of a meeting's live room. */
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
    api.get("/meetings/:id/attendance").handler(this::attendance);
  }

  private void mute(RoutingContext rc) {
    Input in = Input.of(Bodies.object(rc)).allowOnly("userId");
    String userId = in.string("userId", true, 1, Input.MAX_ID_LENGTH);
    in.check();
    Bodies.answer(rc, 200, room.mute(AuthHandler.identity(rc), rc.pathParam("id"), userId));
  }

  private void attendance(RoutingContext rc) {
    String format = rc.queryParams().get("format");
    if (format != null && !format.equals("json") && !format.equals("csv")) {
      throw ApiException.validation(List.of(new FieldError("format", "invalid", "must be json or csv")));
    }
    room.attendance(AuthHandler.identity(rc), rc.pathParam("id")).onSuccess(rows -> {
      if ("csv".equals(format)) {
        rc.response().putHeader("Content-Type", "text/csv; charset=utf-8")
            .putHeader("Content-Disposition", "attachment; filename=\"attendance-" + rc.pathParam("id") + ".csv\"")
            .end(RoomService.csv(rows));
      } else {
        Bodies.json(rc, 200, new JsonObject().put("meetingId", rc.pathParam("id")).put("items", new JsonArray(rows)));
      }
    }).onFailure(rc::fail);
  }
}
