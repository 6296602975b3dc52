package io.convene.guest;

import io.convene.auth.Authenticator;
import io.convene.protocol.ApiException;
import io.convene.protocol.ErrorCode;
import io.convene.protocol.Identity;
import io.convene.protocol.Input;
import io.convene.protocol.Requests;
import io.convene.protocol.SocketRequests;
import io.convene.room.RoomService;
import io.convene.web.AuthHandler;
import io.convene.web.Bodies;
import io.convene.web.RequestLimits;
import io.convene.limit.Limits;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Guest routes. Without authentication: {@code GET /api/external/join/{token}} and {@code POST
 * /api/external/register}. With the guest token: {@code POST /api/external/session/{id}/ask|join}. With
 * either: {@code GET /api/meetings/{id}/preview}, {@code DELETE /api/external/session/{id}}. With a
 * member token: {@code POST /api/meetings/{id}/generate-link} and {@code GET /api/external/keys/{sessionId}}.
 */
public final class GuestRoutes {
  private static final Pattern EMAIL = Pattern.compile("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$");
  private static final String GUEST = "convene.guest";

  private final GuestLinks links;
  private final GuestSessions guests;
  private final Authenticator members;
  private final Limits limits;
  private final RoomService room;

  public GuestRoutes(GuestLinks links, GuestSessions guests, RoomService room, Authenticator members, Limits limits) {
    this.room = room;
    this.links = links;
    this.guests = guests;
    this.members = members;
    this.limits = limits;
  }

  /** The routes of people without an account; mounted before the authenticated {@code /api} router. */
  public void mountPublic(Router router) {
    router.get("/api/external/join/:token").handler(rc -> Bodies.answer(rc, 200, links.joinInfo(rc.pathParam("token"))));
    router.post("/api/external/register").handler(this::register);
    router.route("/api/external/session/:sessionId/*").handler(this::guestAuth);
    router.delete("/api/external/session/:sessionId").handler(rc -> either(rc,
        who -> Bodies.answer(rc, 204, guests.end(who, rc.pathParam("sessionId")))));
    router.get("/api/meetings/:id/preview").handler(rc -> either(rc,
        who -> Bodies.answer(rc, 200, guests.preview(who, rc.pathParam("id")))));
    router.post("/api/external/session/:sessionId/ask").handler(rc -> {
      limits.guestAsksPerSession.take(guest(rc).userId());
      Bodies.answer(rc, 200, guests.ask(guest(rc), rc.pathParam("sessionId")));
    });
    router.post("/api/external/session/:sessionId/join").handler(rc -> Bodies.answer(rc, 200,
        guests.join(guest(rc), rc.pathParam("sessionId"))));
  }

  /** The routes of members: under the authenticated {@code /api} router. */
  public void mount(Router api) {
    api.post("/meetings/:id/generate-link").handler(rc -> Bodies.answer(rc, 200,
        links.generate(AuthHandler.identity(rc), rc.pathParam("id"))));
    api.get("/external/keys/:sessionId").handler(rc -> Bodies.answer(rc, 200,
        guests.keys(AuthHandler.identity(rc), rc.pathParam("sessionId"))));
  }

  /**
   * The socket request {@code room:refresh_token {meetingId}}: a fresh LiveKit token while the caller (a
   * member, or a guest of that meeting) is entitled to be in the room.
   */
  public void register(SocketRequests requests) {
    requests.on(Requests.ROOM_REFRESH_TOKEN, (who, conn, data) -> {
      Input in = Input.of(data).allowOnly("meetingId");
      String meetingId = in.string("meetingId", true, 1, Input.MAX_ID_LENGTH);
      in.check();
      return who.guest() ? guests.refresh(who, meetingId) : room.refresh(who, meetingId);
    });
  }

  /** Routes open to guests and members alike: the token's kind decides who is asking. */
  private void either(RoutingContext rc, Consumer<Identity> then) {
    String token = AuthHandler.bearer(rc.request().getHeader("Authorization"));
    String address = RequestLimits.clientAddress(rc);
    limits.authFailuresPerIp.check(address);
    (token != null && token.startsWith(Identity.GUEST_TOKEN_PREFIX) ? guests.verify(token) : members.verify(token))
        .onSuccess(then::accept)
        .onFailure(err -> failedAuthentication(rc, address, err));
  }

  private void failedAuthentication(RoutingContext rc, String address, Throwable err) {
    limits.authFailuresPerIp.tryTake(address);
    rc.fail(err);
  }

  /** Guest routes take the guest token as a bearer token. */
  private void guestAuth(RoutingContext rc) {
    String address = RequestLimits.clientAddress(rc);
    limits.authFailuresPerIp.check(address);
    guests.verify(AuthHandler.bearer(rc.request().getHeader("Authorization")))
        .onSuccess(identity -> {
          rc.put(GUEST, identity);
          rc.next();
        })
        .onFailure(err -> failedAuthentication(rc, address, err));
  }

  private static Identity guest(RoutingContext rc) {
    return rc.get(GUEST);
  }

  private void register(RoutingContext rc) {
    Input in = Input.of(Bodies.object(rc)).allowOnly("invitationToken", "displayName", "email", "keys");
    String token = in.string("invitationToken", true, 1, 128);
    String name = in.string("displayName", true, 1, 64);
    String email = in.string("email", false, 3, 254);
    if (email != null && !EMAIL.matcher(email).matches()) {
      in.error("email", "format", "is not an email address");
    }
    Input keys = in.object("keys");
    in.check();
    limits.guestRegistrationsPerIp.take(RequestLimits.clientAddress(rc));
    limits.guestRegistrationsPerLink.take(Secrets.hash(token));
    JsonObject bundle = keys == null ? null : keys.raw();
    int max = guests.config().maxKeyBytes();
    if (bundle != null && bundle.encode().getBytes(StandardCharsets.UTF_8).length > max) {
      throw new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "keys: the bundle is over " + max + " bytes");
    }
    Bodies.answer(rc, 201, guests.register(token, name, email, bundle, limits.guestSessionsPerLink(),
        limits.keyBundlesPerLink()));
  }
}
