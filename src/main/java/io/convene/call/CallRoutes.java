package io.convene.call;

import io.convene.web.AuthHandler;
import io.convene.web.Bodies;
import io.convene.protocol.Input;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/** The calls REST surface: thin wrappers over {@link CallService}. */
public final class CallRoutes {
  private final CallService calls;

  public CallRoutes(CallService calls) {
    this.calls = calls;
  }

  public void mount(Router api) {
    api.post("/calls/instant").handler(this::start);
    api.get("/calls/:id").handler(rc -> Bodies.answer(rc, 200, calls.get(AuthHandler.identity(rc), rc.pathParam("id"))));
    api.delete("/calls/:id").handler(rc -> Bodies.answer(rc, 200, calls.leave(AuthHandler.identity(rc), rc.pathParam("id"))));
    api.post("/calls/:id/accept").handler(rc -> Bodies.answer(rc, 200,
        calls.accept(AuthHandler.identity(rc), rc.pathParam("id"), CallService.REST_DEVICE)));
    api.post("/calls/:id/decline").handler(rc -> Bodies.answer(rc, 200,
        calls.decline(AuthHandler.identity(rc), rc.pathParam("id"), CallService.REST_DEVICE)));
    api.post("/calls/:id/cancel").handler(rc -> Bodies.answer(rc, 200, calls.cancel(AuthHandler.identity(rc), rc.pathParam("id"))));
    api.post("/calls/:id/invite").handler(this::invite);
  }

  private void start(RoutingContext rc) {
    Input in = Input.of(Bodies.object(rc)).allowOnly("participantIds", "title");
    List<String> ids = in.ids("participantIds", true, calls.config().maxCallees());
    String title = in.string("title", false, 1, 200);
    in.check();
    Bodies.answer(rc, 201, calls.start(AuthHandler.identity(rc), ids, title));
  }

  private void invite(RoutingContext rc) {
    Input in = Input.of(Bodies.object(rc)).allowOnly("participantIds");
    List<String> ids = in.ids("participantIds", true, calls.config().maxCallees());
    in.check();
    Bodies.answer(rc, 200, calls.invite(AuthHandler.identity(rc), rc.pathParam("id"), ids));
  }
}
