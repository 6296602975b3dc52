package io.convene.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.protocol.Requests;
import io.convene.testing.Api.Guest;
import io.convene.testing.ServerTestBase;
import io.convene.testing.WsClient;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A table-driven fuzzer: every route and every socket request type gets generated input (odd types,
 * strings, numbers, dates, ids, cursors, bodies and frames that are not JSON), thousands of cases per run
 * against one server over keep-alive connections. No answer may be a server error (a 503 from a backing
 * service that is too slow under the load is counted, not failed) and no bad frame may drop the socket.
 *
 * <p>{@code -Dconvene.fuzz.seed=<n>} replays a run; {@code -Dconvene.fuzz.cases=<n>} sets its size (at
 * least 10,000 by default). The number of cases tried and the seed are printed.
 */
@Timeout(600)
class FuzzIT extends ServerTestBase {
  private static final int CASES = Integer.getInteger("convene.fuzz.cases", 10_000);
  private static final int IN_FLIGHT = 8;

  /** Every route, as the routers declare them. */
  private static final String[][] ROUTES = {
      {"DELETE", "/api/calls/:id"}, {"DELETE", "/api/meetings/:id"}, {"DELETE", "/api/meetings/:id/participants/:userId"},
      {"DELETE", "/api/meetings/bulk"}, {"DELETE", "/api/recordings/:recordingId"}, {"DELETE", "/api/webhooks/:id"},
      {"GET", "/api/admin/outbox/dead"}, {"GET", "/api/audit"}, {"GET", "/api/calls/:id"},
      {"GET", "/api/external/keys/:sessionId"}, {"GET", "/api/meetings"}, {"GET", "/api/meetings/:id"},
      {"GET", "/api/meetings/:id/attendance"}, {"GET", "/api/meetings/:id/audit"},
      {"GET", "/api/meetings/:id/participants"}, {"GET", "/api/meetings/:id/recordings"},
      {"GET", "/api/meetings/:id/waiting-room"}, {"GET", "/api/meetings/roles"}, {"GET", "/api/notifications"},
      {"GET", "/api/presence/users"}, {"GET", "/api/webhooks"}, {"GET", "/api/webhooks/:id"},
      {"GET", "/api/webhooks/:id/deliveries"}, {"PATCH", "/api/meetings/:id"},
      {"PATCH", "/api/meetings/:id/participants/:userId"}, {"PATCH", "/api/meetings/:id/settings"},
      {"PATCH", "/api/webhooks/:id"}, {"POST", "/api/admin/outbox/:id/retry"}, {"POST", "/api/calls/:id/accept"},
      {"POST", "/api/calls/:id/cancel"}, {"POST", "/api/calls/:id/decline"}, {"POST", "/api/calls/:id/invite"},
      {"POST", "/api/calls/instant"}, {"POST", "/api/meetings"}, {"POST", "/api/meetings/:id/end"},
      {"POST", "/api/meetings/:id/generate-link"}, {"POST", "/api/meetings/:id/guests/:sessionId/admit"},
      {"POST", "/api/meetings/:id/guests/:sessionId/decline"}, {"POST", "/api/meetings/:id/join"},
      {"POST", "/api/meetings/:id/leave"}, {"POST", "/api/meetings/:id/mute"},
      {"POST", "/api/meetings/:id/notifications/:type/dismiss"}, {"POST", "/api/meetings/:id/participants"},
      {"POST", "/api/meetings/:id/recordings"}, {"POST", "/api/meetings/:id/recordings/:recordingId/stop"},
      {"POST", "/api/meetings/:id/roles"}, {"POST", "/api/meetings/:id/start"},
      {"POST", "/api/meetings/:id/waiting-room/:userId/admit"}, {"POST", "/api/meetings/:id/waiting-room/:userId/decline"},
      {"POST", "/api/notifications/:id/read"}, {"POST", "/api/presence/heartbeat"}, {"POST", "/api/webhooks"},
      {"POST", "/api/webhooks/:id/deliveries/:deliveryId/retry"}, {"POST", "/api/webhooks/:id/test"},
      {"DELETE", "/api/external/session/:sessionId"}, {"GET", "/api/external/join/:token"},
      {"GET", "/api/meetings/:id/preview"}, {"GET", "/api/recordings/:recordingId"}, {"GET", "/console"},
      {"GET", "/console/settings.json"}, {"GET", "/health/live"}, {"GET", "/health/ready"}, {"GET", "/join/:token"},
      {"GET", "/metrics"}, {"POST", "/api/external/register"}, {"POST", "/api/external/session/:sessionId/ask"},
      {"POST", "/api/external/session/:sessionId/join"}, {"POST", "/dev/token"}, {"POST", "/api/livekit/webhook"},
      {"PUT", "/api/meetings/:id"}, {"GET", "/api/nowhere/:id"}};

  private static final String[] FIELDS = {"title", "description", "startTime", "endTime", "participantIds",
      "maxParticipants", "allowExternal", "settings", "recurrence", "frequency", "interval", "until", "count", "userId",
      "userIds", "role", "status", "meetingId", "meetingIds", "sessionId", "invitationToken", "displayName", "email",
      "keys", "url", "events", "enabled", "ttlSeconds", "name", "roles", "voiceOnly", "muteOnJoin", "waitingRoom",
      "autoRecord", "recordingAccess", "description", "clientMsgId", "text", "id", "type", "data"};

  private static final String[] QUERY = {"cursor", "limit", "ids", "filter", "q", "format", "ban", "scope", "from", "to",
      "actor", "action", "meetingId", "unread", "resume", "last_seq"};

  private static final String[] FRAME_TYPES = {Requests.PRESENCE_HEARTBEAT, Requests.PRESENCE_SUBSCRIBE,
      Requests.PRESENCE_UNSUBSCRIBE, Requests.CALL_ACCEPT, Requests.CALL_DECLINE, Requests.CALL_CANCEL,
      Requests.MEETING_ADMIT_GUEST, Requests.MEETING_DECLINE_GUEST, "room:refresh_token", "chat:send", "nope", "",
      "presence:", ":"};

  private Random random;
  /** Held in a field: a client only a local variable holds may be closed when collected. */
  private WebClient client;
  private final List<String> strings = new ArrayList<>();

  @Override
  protected JsonObject overrides() {
    // Limits of a node protect it from strangers; the fuzzer is one stranger sending a lot, on purpose.
    return new JsonObject()
        .put("gateway", new JsonObject().put("rateBurst", 100_000).put("ratePerSecond", 100_000))
        .put("limits", new JsonObject().put("enabled", false));
  }

  @Test
  void noInputAnsweredWithAServerErrorNoFrameDropsTheSocket() {
    long seed = Long.getLong("convene.fuzz.seed", System.nanoTime());
    random = new Random(seed);
    String owner = user("fuzz-owner");
    String member = user("fuzz-member");
    String meetingId = api.meeting(owner).title("Fuzzed").from(0).to(60).allowExternal().invite(member).createId();
    String series = api.meeting(owner).title("Series").from(120).to(150).recurring("daily", 3).createId();
    api.join(meetingId, owner);
    String link = api.link(meetingId, owner).getString("token");
    Guest guest = api.register(link, "Fuzzy");
    String callId = api.instantCall(owner, member).getString("meetingId");
    String cursor = Base64.getUrlEncoder().withoutPadding().encodeToString(("1:0:" + meetingId).getBytes(StandardCharsets.UTF_8));
    String hugeCursor = Base64.getUrlEncoder().withoutPadding().encodeToString(
        ("9223372036854775807:999999999:" + meetingId).getBytes(StandardCharsets.UTF_8));
    strings.addAll(List.of(meetingId, series, callId, link, guest.sessionId(), "guest:" + guest.sessionId(), owner,
        member, "mtg_" + "A".repeat(16), "call_x", "inv_x", "gst_x", "rec_x", "wh_x", "", " ", "x".repeat(300),
        "x".repeat(70_000), "ü😀\u0000\u202e", "../../etc/passwd", "%00", "null", "true", "-1", "0", "2147483648",
        "99999999999999999999999", "1e309", "NaN", "2026-13-45T99:99:99Z", "+999999999-12-31T23:59:59Z",
        "-999999999-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "2026-11-22T10:00:00Z", at(30), at(-30), at(60 * 24 * 400),
        cursor, hugeCursor, "AAAA", "!!!", "9223372036854775807", "-9223372036854775808", "owner", "manager", "member",
        "guest", "admin", "accepted", "declined", "banned", "daily", "weekly", "monthly", "yearly", "csv", "json",
        "series", "instance", "upcoming", "past", "my", "created", "*", "meeting.created", "http://127.0.0.1:1/x",
        "https://example.org/hook", "reminder", "at_start", "Bearer x", "a@b.co", "owners", "participants", "public"));

    String ownerToken = server.token(owner);
    String adminToken = server.token(user("fuzz-admin"), "Admin", List.of("admin"));
    String[] tokens = {ownerToken, ownerToken, ownerToken, server.token(member), adminToken, null, "garbage.token.x",
        guest.token(), server.token("guest:" + guest.sessionId())};

    int frames = Math.max(1000, CASES / 5);
    int requests = CASES - frames;
    client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(server.port).setKeepAlive(true),
        new io.vertx.core.http.PoolOptions().setHttp1MaxSize(IN_FLIGHT));
    List<String> failures = new ArrayList<>();
    int unavailable = 0;
    int sent = 0;
    while (sent < requests) {
      List<Future<HttpResponse<Buffer>>> batch = new ArrayList<>();
      List<String> described = new ArrayList<>();
      for (int i = 0; i < IN_FLIGHT && sent < requests; i++, sent++) {
        String[] route = ROUTES[random.nextInt(ROUTES.length)];
        String path = path(route[1]) + query();
        HttpRequest<Buffer> req = client.request(HttpMethod.valueOf(route[0]), path).timeout(30_000);
        String token = tokens[random.nextInt(tokens.length)];
        if (token != null) {
          req.bearerTokenAuthentication(token);
        }
        String body = body();
        described.add(route[0] + " " + path + " " + (body == null ? "" : body.substring(0, Math.min(300, body.length()))));
        batch.add(body == null ? req.send()
            : req.putHeader("Content-Type", random.nextInt(10) == 0 ? "text/plain" : "application/json")
                .sendBuffer(Buffer.buffer(body)));
      }
      Future.join(batch).await();
      for (int i = 0; i < batch.size(); i++) {
        Future<HttpResponse<Buffer>> f = batch.get(i);
        if (f.failed()) {
          failures.add(described.get(i) + " → no answer: " + f.cause());
          continue;
        }
        int status = f.result().statusCode();
        if (status == 503) {
          unavailable++;
        } else if (status >= 500 && failures.size() < 30) {
          failures.add(described.get(i) + " → " + status + " " + f.result().bodyAsString());
        }
      }
    }

    // The sockets' own meeting and guest are out of the fuzzer's reach: only bad frames could drop them.
    String host = user("fuzz-host");
    String quiet = api.meeting(host).title("Quiet").from(0).to(60).allowExternal().createId();
    api.join(quiet, host);
    WsClient memberSocket = WsClient.connect(vertx, server.port, server.token(member));
    WsClient guestSocket = server.guestSocket(api.register(api.link(quiet, host).getString("token"), "Quiet").token());
    for (int i = 0; i < frames; i++) {
      WsClient ws = i % 5 == 0 ? guestSocket : memberSocket;
      int kind = random.nextInt(10);
      if (kind == 0) {
        ws.sendRaw(random.nextBoolean() ? json(2) : pick());
      } else {
        JsonObject ack = ws.request(FRAME_TYPES[random.nextInt(FRAME_TYPES.length)], object(2));
        assertThat(ack.getString("type")).isEqualTo("ack");
        if (!ack.getBoolean("ok") && "internal_error".equals(ack.getJsonObject("error").getString("code"))) {
          failures.add("frame → " + ack.encode());
        }
      }
    }
    assertThat(memberSocket.request(Requests.PRESENCE_HEARTBEAT, new JsonObject()).getBoolean("ok")).isTrue();
    assertThat(guestSocket.closed()).as("a bad frame never drops the socket").isFalse();
    assertThat(memberSocket.closed()).as("a bad frame never drops the socket").isFalse();
    System.out.printf("fuzz: %d cases tried (%d requests, %d frames), seed %d, %d answered 503%n",
        requests + frames, requests, frames, seed, unavailable);
    assertThat(failures).as("server errors (seed " + seed + ")").isEmpty();
  }

  private String path(String template) {
    StringBuilder out = new StringBuilder();
    for (String part : template.split("/")) {
      if (part.isEmpty()) {
        continue;
      }
      out.append('/');
      out.append(part.startsWith(":") ? URLEncoder.encode(pick(), StandardCharsets.UTF_8) : part);
    }
    return out.toString();
  }

  private String query() {
    int n = random.nextInt(4);
    if (n == 0) {
      return "";
    }
    StringBuilder out = new StringBuilder("?");
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        out.append('&');
      }
      out.append(QUERY[random.nextInt(QUERY.length)]).append('=')
          .append(URLEncoder.encode(pick(), StandardCharsets.UTF_8));
    }
    return out.toString();
  }

  private String pick() {
    String s = strings.get(random.nextInt(strings.size()));
    return s.length() > 2000 ? s.substring(0, 2000) : s;
  }

  private String body() {
    return switch (random.nextInt(10)) {
      case 0 -> null;
      case 1 -> json(3);
      case 2 -> "{\"title\":" + "[".repeat(random.nextInt(50));
      default -> object(3).encode();
    };
  }

  private String json(int depth) {
    Object v = value(depth);
    return v instanceof String s ? new JsonArray().add(s).encode().replaceAll("^\\[|]$", "") : String.valueOf(
        v instanceof JsonObject o ? o.encode() : v instanceof JsonArray a ? a.encode() : v);
  }

  private JsonObject object(int depth) {
    JsonObject o = new JsonObject();
    int n = random.nextInt(6);
    for (int i = 0; i < n; i++) {
      o.put(random.nextInt(12) == 0 ? pick() : FIELDS[random.nextInt(FIELDS.length)], value(depth - 1));
    }
    return o;
  }

  private Object value(int depth) {
    int kind = random.nextInt(depth > 0 ? 11 : 8);
    return switch (kind) {
      case 0 -> null;
      case 1 -> random.nextBoolean();
      case 2 -> random.nextInt(2001) - 1000;
      case 3 -> random.nextBoolean() ? Long.MAX_VALUE : Long.MIN_VALUE;
      case 4 -> random.nextBoolean() ? 1e308 : -0.5;
      case 5, 6, 7 -> pick();
      case 8 -> {
        JsonArray a = new JsonArray();
        int n = random.nextInt(5);
        for (int i = 0; i < n; i++) {
          a.add(value(depth - 1));
        }
        yield a;
      }
      default -> object(depth - 1);
    };
  }
}
