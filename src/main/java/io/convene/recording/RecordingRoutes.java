package io.convene.recording;

import io.convene.auth.Authenticator;
import io.convene.protocol.ApiException;
import io.convene.protocol.FieldError;
import io.convene.protocol.Identity;
import io.convene.web.AuthHandler;
import io.convene.web.Bodies;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * The recordings REST surface. With a member token: {@code POST /api/meetings/{id}/recordings}, {@code
 * POST /api/meetings/{id}/recordings/{recordingId}/stop}, {@code GET /api/meetings/{id}/recordings},
 * {@code DELETE /api/recordings/{recordingId}}. With a member or a guest token: {@code GET
 * /api/recordings/{recordingId}} (guests see public recordings only).
 */
public final class RecordingRoutes {
  private static final int DEFAULT_PAGE = 20;

  private final Recordings recordings;
  private final Authenticator members;
  private final Authenticator guests;

  public RecordingRoutes(Recordings recordings, Authenticator members, Authenticator guests) {
    this.recordings = recordings;
    this.members = members;
    this.guests = guests;
  }

  /** The route open to guests too; mounted before the authenticated {@code /api} router. */
  public void mountPublic(Router router) {
    router.get("/api/recordings/:recordingId").handler(rc -> {
      String token = AuthHandler.bearer(rc.request().getHeader("Authorization"));
      (token != null && token.startsWith(Identity.GUEST_TOKEN_PREFIX) ? guests.verify(token) : members.verify(token))
          .onSuccess(who -> Bodies.answer(rc, 200, recordings.get(who, rc.pathParam("recordingId"))))
          .onFailure(rc::fail);
    });
  }

  /** The routes of members: under the authenticated {@code /api} router. */
  public void mount(Router api) {
    api.post("/meetings/:id/recordings").handler(rc -> Bodies.answer(rc, 202,
        recordings.start(AuthHandler.identity(rc), rc.pathParam("id"))));
    api.post("/meetings/:id/recordings/:recordingId/stop").handler(rc -> Bodies.answer(rc, 202,
        recordings.stop(AuthHandler.identity(rc), rc.pathParam("id"), rc.pathParam("recordingId"))));
    api.get("/meetings/:id/recordings").handler(this::list);
    api.delete("/recordings/:recordingId").handler(rc -> Bodies.answer(rc, 204,
        recordings.delete(AuthHandler.identity(rc), rc.pathParam("recordingId"))));
  }

  private void list(RoutingContext rc) {
    int limit = DEFAULT_PAGE;
    String raw = rc.queryParams().get("limit");
    if (raw != null) {
      try {
        limit = Integer.parseInt(raw);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > Recordings.MAX_PAGE) {
        throw ApiException.validation(List.of(new FieldError("limit", "range",
            "must be a whole number between 1 and " + Recordings.MAX_PAGE)));
      }
    }
    Bodies.answer(rc, 200, recordings.list(AuthHandler.identity(rc), rc.pathParam("id"),
        rc.queryParams().get("cursor"), limit));
  }
}
