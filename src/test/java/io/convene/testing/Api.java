package io.convene.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Convene's REST API as the tests speak it, beside {@link WsClient} for the socket. Users are named by
 * their ids and their tokens minted on the fly. Every operation asserts the status its route answers
 * on success (201 for creations, 204 for deletions, 200 otherwise) and returns the JSON body (null when
 * there is none); {@link #expect(int)} asks for another status instead, for the refusals tests pin:
 *
 * <pre>{@code
 * String id = api.meeting(alice).title("Planning").from(60).to(90).invite(bob).waitingRoom().createId();
 * api.join(id, alice);
 * JsonObject waiting = api.expect(202).join(id, bob);
 * Guest gina = api.register(api.link(id, alice).getString("token"), "Gina");
 * assertThat(gina.expect(409).ask().getString("detail")).contains("nobody has joined yet");
 * }</pre>
 *
 * An unexpected status fails with the route, the caller, the answer and what was sent.
 */
public final class Api {
  /** How a request reaches the server: the next node in turn, or one given node. */
  @FunctionalInterface
  public interface Http {
    HttpResponse<Buffer> call(HttpMethod method, String path, String token, Object body);
  }

  private final Http http;
  private final Function<String, String> tokens;
  private final Map<String, String> signedIn;
  private final Integer expected;

  private Api(Http http, Function<String, String> tokens, Map<String, String> signedIn, Integer expected) {
    this.http = http;
    this.tokens = tokens;
    this.signedIn = signedIn;
    this.expected = expected;
  }

  /** The API of a test server (of its nodes in turn, when it is a cluster). */
  public static Api of(TestServer server) {
    return new Api(server::call, server::token, Map.of(), null);
  }

  /** The API of a server at {@code port} on loopback (a server in another process), with its tokens. */
  public static Api at(Vertx vertx, int port, Function<String, String> tokens) {
    WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
    Http http = (method, path, token, body) -> {
      var request = client.request(method, path).timeout(20_000);
      if (token != null) {
        request.bearerTokenAuthentication(token);
      }
      return (body == null ? request.send() : request.sendJsonObject((JsonObject) body)).await();
    };
    return new Api(http, tokens, Map.of(), null);
  }

  /**
   * This API with every call expected to answer {@code status} instead of the route's success; calls
   * return that answer's body, typically a problem: {@code api.expect(409).join(id, bob)}.
   */
  public Api expect(int status) {
    return new Api(http, tokens, signedIn, status);
  }

  /** This API with {@code userId} calling with {@code token} (a display name, roles, another expiry). */
  public Api signedIn(String userId, String token) {
    Map<String, String> more = new HashMap<>(signedIn);
    more.put(userId, token);
    return new Api(http, tokens, Map.copyOf(more), expected);
  }

  /** The token {@code userId} calls with. */
  public String token(String userId) {
    return signedIn.getOrDefault(userId, tokens.apply(userId));
  }

  // ---- meetings ------------------------------------------------------------------------------

  /** A meeting {@code owner} is about to create; by default "Meeting", from 60 to 90 minutes after T0. */
  public MeetingDraft meeting(String owner) {
    return new MeetingDraft(this, owner);
  }

  public JsonObject get(String meetingId, String user) {
    return send(HttpMethod.GET, meeting(meetingId, ""), user, null, 200);
  }

  /** {@code GET /api/meetings?query}, e.g. {@code list(dana, "filter=upcoming&limit=2")}. */
  public JsonObject list(String user, String query) {
    return send(HttpMethod.GET, "/api/meetings" + (query.isEmpty() ? "" : "?" + query), user, null, 200);
  }

  /** {@code PATCH} of this meeting only. */
  public JsonObject update(String meetingId, String user, JsonObject changes) {
    return send(HttpMethod.PATCH, meeting(meetingId, ""), user, changes, 200);
  }

  /** {@code PATCH} of the whole series the meeting belongs to. */
  public JsonObject updateSeries(String meetingId, String user, JsonObject changes) {
    return send(HttpMethod.PATCH, meeting(meetingId, "?scope=series"), user, changes, 200);
  }

  public JsonObject updateSettings(String meetingId, String user, JsonObject settings) {
    return send(HttpMethod.PATCH, meeting(meetingId, "/settings"), user, settings, 200);
  }

  /** Cancels (deletes) the meeting: 204. */
  public JsonObject cancel(String meetingId, String user) {
    return send(HttpMethod.DELETE, meeting(meetingId, ""), user, null, 204);
  }

  public JsonObject cancelSeries(String meetingId, String user) {
    return send(HttpMethod.DELETE, meeting(meetingId, "?scope=series"), user, null, 204);
  }

  public JsonObject cancelAll(String user, String... meetingIds) {
    return send(HttpMethod.DELETE, "/api/meetings/bulk", user,
        new JsonObject().put("meetingIds", new JsonArray(List.of(meetingIds))), 200);
  }

  public JsonObject start(String meetingId, String user) {
    return send(HttpMethod.POST, meeting(meetingId, "/start"), user, null, 200);
  }

  public JsonObject end(String meetingId, String user) {
    return send(HttpMethod.POST, meeting(meetingId, "/end"), user, null, 200);
  }

  /** The permission matrix of the roles. */
  public JsonObject roles(String user) {
    return send(HttpMethod.GET, "/api/meetings/roles", user, null, 200);
  }

  // ---- participants and roles -----------------------------------------------------------------

  public JsonObject invite(String meetingId, String user, String... invitees) {
    return send(HttpMethod.POST, meeting(meetingId, "/participants"), user,
        new JsonObject().put("userIds", new JsonArray(List.of(invitees))), 200);
  }

  /** The user answers their own invitation: {@code accepted} or {@code declined}. */
  public JsonObject respond(String meetingId, String user, String status) {
    return respondFor(meetingId, user, "me", status);
  }

  /** {@code actor} answers {@code participant}'s invitation (only their own is allowed). */
  public JsonObject respondFor(String meetingId, String actor, String participant, String status) {
    return send(HttpMethod.PATCH, meeting(meetingId, "/participants/" + participant), actor,
        new JsonObject().put("status", status), 200);
  }

  public JsonObject remove(String meetingId, String actor, String participant) {
    return send(HttpMethod.DELETE, meeting(meetingId, "/participants/" + participant), actor, null, 204);
  }

  public JsonObject ban(String meetingId, String actor, String participant) {
    return send(HttpMethod.DELETE, meeting(meetingId, "/participants/" + participant + "?ban=true"), actor, null, 204);
  }

  /** {@code owner} gives {@code participant} a role: {@code owner} (a transfer), {@code manager} or {@code member}. */
  public JsonObject assignRole(String meetingId, String actor, String participant, String role) {
    return send(HttpMethod.POST, meeting(meetingId, "/roles"), actor,
        new JsonObject().put("userId", participant).put("role", role), 200);
  }

  // ---- the room ------------------------------------------------------------------------------

  /** Joins the meeting's room: 200 with a media token (202 when sent to the waiting room). */
  public JsonObject join(String meetingId, String user) {
    return send(HttpMethod.POST, meeting(meetingId, "/join"), user, null, 200);
  }

  public JsonObject leave(String meetingId, String user) {
    return send(HttpMethod.POST, meeting(meetingId, "/leave"), user, null, 200);
  }

  public JsonObject mute(String meetingId, String actor, String participant) {
    return send(HttpMethod.POST, meeting(meetingId, "/mute"), actor, new JsonObject().put("userId", participant), 200);
  }

  public JsonObject attendance(String meetingId, String user) {
    return send(HttpMethod.GET, meeting(meetingId, "/attendance"), user, null, 200);
  }

  /** Who is in the room and who is invited (counts only, for a guest: see {@link Guest#preview(String)}). */
  public JsonObject preview(String meetingId, String user) {
    return send(HttpMethod.GET, meeting(meetingId, "/preview"), user, null, 200);
  }

  // ---- waiting room and lobby ----------------------------------------------------------------

  public JsonObject waitingRoom(String meetingId, String user) {
    return send(HttpMethod.GET, meeting(meetingId, "/waiting-room"), user, null, 200);
  }

  /** An owner or manager lets a waiting member in. */
  public JsonObject admit(String meetingId, String actor, String member) {
    return send(HttpMethod.POST, meeting(meetingId, "/waiting-room/" + member + "/admit"), actor, null, 200);
  }

  /** An owner or manager turns a waiting member away. */
  public JsonObject decline(String meetingId, String actor, String member) {
    return send(HttpMethod.POST, meeting(meetingId, "/waiting-room/" + member + "/decline"), actor, null, 200);
  }

  /** A participant lets an asking guest in. */
  public JsonObject admitGuest(String meetingId, String actor, Guest guest) {
    return send(HttpMethod.POST, meeting(meetingId, "/guests/" + guest.sessionId() + "/admit"), actor, null, 200);
  }

  /** A participant turns an asking guest away. */
  public JsonObject declineGuest(String meetingId, String actor, Guest guest) {
    return send(HttpMethod.POST, meeting(meetingId, "/guests/" + guest.sessionId() + "/decline"), actor, null, 200);
  }

  // ---- invitation links and guests -----------------------------------------------------------

  /** A new invitation link for the meeting: {@code {token, validFrom, validUntil}}. */
  public JsonObject link(String meetingId, String user) {
    return send(HttpMethod.POST, meeting(meetingId, "/generate-link"), user, null, 200);
  }

  /** What an invitation link shows anyone who opens it (no authentication). */
  public JsonObject joinInfo(String linkToken) {
    return sendAs(HttpMethod.GET, "/api/external/join/" + linkToken, "anyone", null, null, 200);
  }

  /** Registers a guest through an invitation link. */
  public Guest register(String linkToken, String displayName) {
    return registration(linkToken).name(displayName).register();
  }

  /** A guest registration to fill in: name, e-mail, keys. */
  public Registration registration(String linkToken) {
    return new Registration(this, linkToken);
  }

  /** The keys a guest registered with, as a participant reads them. */
  public JsonObject guestKeys(String sessionId, String user) {
    return send(HttpMethod.GET, "/api/external/keys/" + sessionId, user, null, 200);
  }

  /** An owner or manager ends a guest's session: 204. */
  public JsonObject removeGuest(Guest guest, String actor) {
    return send(HttpMethod.DELETE, "/api/external/session/" + guest.sessionId(), actor, null, 204);
  }

  // ---- calls ---------------------------------------------------------------------------------

  /** {@code caller} rings {@code callees} in a new instant call (or answers theirs, glare): 201. */
  public JsonObject instantCall(String caller, String... callees) {
    return send(HttpMethod.POST, "/api/calls/instant", caller,
        new JsonObject().put("participantIds", new JsonArray(List.of(callees))), 201);
  }

  public JsonObject callState(String callId, String user) {
    return send(HttpMethod.GET, "/api/calls/" + callId, user, null, 200);
  }

  public JsonObject acceptCall(String callId, String user) {
    return send(HttpMethod.POST, "/api/calls/" + callId + "/accept", user, null, 200);
  }

  public JsonObject declineCall(String callId, String user) {
    return send(HttpMethod.POST, "/api/calls/" + callId + "/decline", user, null, 200);
  }

  public JsonObject cancelCall(String callId, String user) {
    return send(HttpMethod.POST, "/api/calls/" + callId + "/cancel", user, null, 200);
  }

  public JsonObject leaveCall(String callId, String user) {
    return send(HttpMethod.DELETE, "/api/calls/" + callId, user, null, 200);
  }

  /** Rings more people into a call in progress. */
  public JsonObject inviteToCall(String callId, String user, String... callees) {
    return send(HttpMethod.POST, "/api/calls/" + callId + "/invite", user,
        new JsonObject().put("participantIds", new JsonArray(List.of(callees))), 200);
  }

  // ---- notifications -------------------------------------------------------------------------

  public JsonObject notifications(String user) {
    return send(HttpMethod.GET, "/api/notifications", user, null, 200);
  }

  public JsonObject unreadNotifications(String user) {
    return send(HttpMethod.GET, "/api/notifications?unread=true", user, null, 200);
  }

  public JsonObject markRead(String notificationId, String user) {
    return send(HttpMethod.POST, "/api/notifications/" + notificationId + "/read", user, null, 204);
  }

  /** Dismisses the user's notifications of {@code type} (e.g. {@code reminder}) for a meeting: 204. */
  public JsonObject dismiss(String meetingId, String user, String type) {
    return send(HttpMethod.POST, meeting(meetingId, "/notifications/" + type + "/dismiss"), user, null, 204);
  }

  // ---- plumbing ------------------------------------------------------------------------------

  private static String meeting(String meetingId, String rest) {
    return "/api/meetings/" + meetingId + rest;
  }

  JsonObject send(HttpMethod method, String path, String user, JsonObject body, int success) {
    return sendAs(method, path, user, token(user), body, success);
  }

  JsonObject sendAs(HttpMethod method, String path, String who, String token, JsonObject body, int success) {
    return check(method, path, who, body, raw(method, path, token, body), success);
  }

  HttpResponse<Buffer> raw(HttpMethod method, String path, String token, JsonObject body) {
    return http.call(method, path, token, body);
  }

  JsonObject check(HttpMethod method, String path, String who, JsonObject body, HttpResponse<Buffer> response,
      int success) {
    int want = expected == null ? success : expected;
    if (response.statusCode() != want) {
      throw new AssertionError(method + " " + path + " as " + who + ": expected HTTP " + want + " but got "
          + response.statusCode() + " " + response.bodyAsString() + (body == null ? "" : "\n  sent: " + body.encode()));
    }
    Buffer bytes = response.body();
    return bytes == null || bytes.length() == 0 ? null : bytes.toJsonObject();
  }

  /** A meeting to create; only what is set goes into the request. */
  public static final class MeetingDraft {
    private final Api api;
    private final String owner;
    private final JsonObject body = new JsonObject().put("title", "Meeting");
    private final JsonObject settings = new JsonObject();
    private Instant start = ServerTestBase.T0.plusSeconds(60 * 60);
    private Instant end;

    private MeetingDraft(Api api, String owner) {
      this.api = api;
      this.owner = owner;
    }

    public MeetingDraft title(String title) {
      body.put("title", title);
      return this;
    }

    /** Starts {@code minutes} after T0. */
    public MeetingDraft from(int minutes) {
      return from(ServerTestBase.T0.plusSeconds(minutes * 60L));
    }

    /** Ends {@code minutes} after T0 (by default, half an hour after the start). */
    public MeetingDraft to(int minutes) {
      return to(ServerTestBase.T0.plusSeconds(minutes * 60L));
    }

    public MeetingDraft from(Instant start) {
      this.start = start;
      return this;
    }

    public MeetingDraft to(Instant end) {
      this.end = end;
      return this;
    }

    /** The participants besides the owner (an empty list when called with none). */
    public MeetingDraft invite(String... invitees) {
      body.put("participantIds", new JsonArray(List.of(invitees)));
      return this;
    }

    public MeetingDraft maxParticipants(int max) {
      body.put("maxParticipants", max);
      return this;
    }

    public MeetingDraft allowExternal() {
      return allowExternal(true);
    }

    public MeetingDraft allowExternal(boolean allow) {
      body.put("allowExternal", allow);
      return this;
    }

    public MeetingDraft waitingRoom() {
      settings.put("waitingRoom", true);
      return this;
    }

    public MeetingDraft voiceOnly() {
      settings.put("voiceOnly", true);
      return this;
    }

    public MeetingDraft muteOnJoin() {
      settings.put("muteOnJoin", true);
      return this;
    }

    /** A series: {@code frequency} ({@code daily}, {@code weekly}, ...) for {@code count} instances. */
    public MeetingDraft recurring(String frequency, int count) {
      body.put("recurrence", new JsonObject().put("frequency", frequency).put("count", count));
      return this;
    }

    /** The request body as it will be sent. */
    public JsonObject body() {
      JsonObject out = body.copy().put("startTime", start.toString())
          .put("endTime", (end != null ? end : start.plusSeconds(30 * 60)).toString());
      if (!settings.isEmpty()) {
        out.put("settings", settings.copy());
      }
      return out;
    }

    /** Creates the meeting (201) and returns it as the server answered. */
    public JsonObject create() {
      JsonObject sent = body();
      return api.check(HttpMethod.POST, "/api/meetings", owner, sent,
          api.raw(HttpMethod.POST, "/api/meetings", api.token(owner), sent), 201);
    }

    /** Creates the meeting (201) and returns its id. */
    public String createId() {
      return create().getString("meetingId");
    }

    /** Sends the creation and returns the response as it is, whatever its status. */
    public HttpResponse<Buffer> createResponse() {
      return api.raw(HttpMethod.POST, "/api/meetings", api.token(owner), body());
    }
  }

  /** A guest registration; only what is set goes into the request. */
  public static final class Registration {
    private final Api api;
    private final JsonObject body;

    private Registration(Api api, String linkToken) {
      this.api = api;
      this.body = new JsonObject().put("invitationToken", linkToken);
    }

    public Registration name(String displayName) {
      body.put("displayName", displayName);
      return this;
    }

    public Registration email(String email) {
      body.put("email", email);
      return this;
    }

    public Registration keys(JsonObject keys) {
      body.put("keys", keys);
      return this;
    }

    /** Registers (201): the guest's session and token. */
    public Guest register() {
      if (api.expected != null) {
        throw new IllegalStateException("register() expects 201; a refusal is checked with send()");
      }
      JsonObject session = send();
      return new Guest(api, session.getString("sessionId"), session.getString("guestToken"));
    }

    /** Sends the registration and returns the answer's body, checked against 201 or {@link Api#expect(int)}. */
    public JsonObject send() {
      return api.sendAs(HttpMethod.POST, "/api/external/register", "a new guest", null, body, 201);
    }
  }

  /** A registered guest: a session of its own and a token that works only on the guest routes. */
  public static final class Guest {
    private final Api api;
    private final String sessionId;
    private final String token;

    private Guest(Api api, String sessionId, String token) {
      this.api = api;
      this.sessionId = sessionId;
      this.token = token;
    }

    public String sessionId() {
      return sessionId;
    }

    public String token() {
      return token;
    }

    /** The guest's identity in rooms and events: {@code guest:<sessionId>}. */
    public String userId() {
      return "guest:" + sessionId;
    }

    /** This guest talking to another server (node) than the one it registered with. */
    public Guest via(Api other) {
      return new Guest(other, sessionId, token);
    }

    /** This guest with every call expected to answer {@code status}. */
    public Guest expect(int status) {
      return new Guest(api.expect(status), sessionId, token);
    }

    /** Asks to be let in: 200 with {@code status: waiting}. */
    public JsonObject ask() {
      return session("/ask", token);
    }

    /** Joins the room once admitted: 200 with a media token. */
    public JsonObject join() {
      return session("/join", token);
    }

    /** This guest's route called with another token (another guest's, or none). */
    public JsonObject askWith(String otherToken) {
      return session("/ask", otherToken);
    }

    /** The guest leaves: their session ends (204). */
    public JsonObject leave() {
      return api.sendAs(HttpMethod.DELETE, "/api/external/session/" + sessionId, userId(), token, null, 204);
    }

    /** The meeting as a guest sees it: counts, no names. */
    public JsonObject preview(String meetingId) {
      return api.sendAs(HttpMethod.GET, meeting(meetingId, "/preview"), userId(), token, null, 200);
    }

    /** A meetings route (not for guests) called with this guest's token. */
    public JsonObject meetings() {
      return api.sendAs(HttpMethod.GET, "/api/meetings", userId(), token, null, 200);
    }

    /** The keys of a guest session read with this guest's token. */
    public JsonObject keysOf(String otherSessionId) {
      return api.sendAs(HttpMethod.GET, "/api/external/keys/" + otherSessionId, userId(), token, null, 200);
    }

    private JsonObject session(String action, String withToken) {
      return api.sendAs(HttpMethod.POST, "/api/external/session/" + sessionId + action, userId(), withToken, null, 200);
    }
  }
}
