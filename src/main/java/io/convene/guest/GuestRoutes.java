package io.convene.guest;

import io.convene.http.AuthHandler;
import io.convene.http.Bodies;
import io.convene.protocol.ApiException;
import io.convene.protocol.ErrorCode;
import io.convene.protocol.Input;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Guest routes. Without authentication: {@code GET /api/external/join/{token}} and {@code POST
 * /api/external/register}. With the guest token: {@code POST /api/external/session/{id}/ask|join}. With
 * a member token: {@code POST /api/meetings/{id}/generate-link}, {@code POST
 * /api/meetings/{id}/guests/{sessionId}/admit|decline} and {@code GET /api/external/keys/{sessionId}}.
 */
public final class GuestRoutes {
  private static final java.util.regex.Pattern EMAIL = java.util.regex.Pattern.compile("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$");

  private static final String GUEST = "convene.guest";

  private final GuestService guests;
  private final io.convene.auth.TokenVerifier members;

  public GuestRoutes(GuestService guests, io.convene.auth.TokenVerifier members) {
    this.guests = guests;
    this.members = members;
  }

  /** The routes of people without an account; mounted before the authenticated {@code /api} router. */
  public void mountPublic(Router router) {
    router.get("/api/external/join/:token").handler(rc -> Bodies.answer(rc, 200, guests.joinInfo(rc.pathParam("token"))));
    router.post("/api/external/register").handler(this::register);
    router.route("/api/external/session/:sessionId/*").handler(this::guestAuth);
    router.delete("/api/external/session/:sessionId").handler(rc -> either(rc, who -> Bodies.answer(rc, 204, guests.end(who, rc.pathParam("sessionId")))));
    router.get("/api/meetings/:id/preview").handler(rc -> either(rc, who -> Bodies.answer(rc, 200, guests.preview(who, rc.pathParam("id")))));
    router.post("/api/external/session/:sessionId/ask").handler(rc -> Bodies.answer(rc, 200, guests.ask(guest(rc), rc.pathParam("sessionId"))));
    router.post("/api/external/session/:sessionId/join").handler(rc -> Bodies.answer(rc, 200, guests.join(guest(rc), rc.pathParam("sessionId"))));
  }

  /** Routes open to guests and members alike: the token's kind decides who is asking. */
  private void either(RoutingContext rc, java.util.function.Consumer<io.convene.auth.Identity> then) {
    String token = AuthHandler.bearer(rc.request().getHeader("Authorization"));
    (token != null && token.startsWith(GuestService.TOKEN_PREFIX) ? guests.verify(token) : members.verify(token))
        .onSuccess(then::accept)
        .onFailure(rc::fail);
  }

  /** Guest routes take the guest token as a bearer token. */
  private void guestAuth(RoutingContext rc) {
    guests.verify(AuthHandler.bearer(rc.request().getHeader("Authorization")))
        .onSuccess(identity -> {
          rc.put(GUEST, identity);
          rc.next();
        })
        .onFailure(rc::fail);
  }

  private static io.convene.auth.Identity guest(RoutingContext rc) {
    return rc.get(GUEST);
  }

  public void mount(Router api) {
    api.post("/meetings/:id/generate-link").handler(rc -> Bodies.answer(rc, 200, guests.generateLink(AuthHandler.identity(rc), rc.pathParam("id"))));
    api.post("/meetings/:id/guests/:sessionId/admit").handler(rc -> Bodies.answer(rc, 200, guests.decide(AuthHandler.identity(rc),
        rc.pathParam("id"), rc.pathParam("sessionId"), true)));
    api.post("/meetings/:id/guests/:sessionId/decline").handler(rc -> Bodies.answer(rc, 200, guests.decide(AuthHandler.identity(rc),
        rc.pathParam("id"), rc.pathParam("sessionId"), false)));
    api.get("/meetings/:id/waiting-room").handler(rc -> Bodies.answer(rc, 200, guests.waitingRoom(AuthHandler.identity(rc), rc.pathParam("id"))));
    api.post("/meetings/:id/waiting-room/:userId/admit").handler(rc -> Bodies.answer(rc, 200, guests.decideMember(AuthHandler.identity(rc),
        rc.pathParam("id"), rc.pathParam("userId"), true)));
    api.post("/meetings/:id/waiting-room/:userId/decline").handler(rc -> Bodies.answer(rc, 200, guests.decideMember(AuthHandler.identity(rc),
        rc.pathParam("id"), rc.pathParam("userId"), false)));
    api.get("/external/keys/:sessionId").handler(rc -> Bodies.answer(rc, 200, guests.keys(AuthHandler.identity(rc), rc.pathParam("sessionId"))));
  }

  private void register(RoutingContext rc) {
    JsonObject body = Bodies.object(rc);
    Input in = Input.of(body).allowOnly("invitationToken", "displayName", "email", "keys");
    String token = in.string("invitationToken", true, 1, 128);
    String name = in.string("displayName", true, 1, 64);
    String email = in.string("email", false, 3, 254);
    if (email != null && !EMAIL.matcher(email).matches()) {
      in.error("email", "format", "is not an email address");
    }
    Input keys = in.object("keys");
    in.check();
    JsonObject bundle = keys == null ? null : keys.raw();
    if (bundle != null && bundle.encode().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > guests.config().maxKeyBytes()) {
      throw new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "keys: the bundle is over " + guests.config().maxKeyBytes() + " bytes");
    }
    guests.register(token, name, email, bundle).onSuccess(out -> Bodies.json(rc, 201, out)).onFailure(rc::fail);
  }
}
