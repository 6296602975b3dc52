package io.convene.meeting;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.testing.ServerTestBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every kind of bad input on every meetings route gets a clear 4xx problem, never a 500. */
@Timeout(120)
class BadInputIT extends ServerTestBase {
  private String ownerToken;
  private String meetingId;

  /** Each test has an owner and a meeting of its own to send bad input about. */
  @BeforeEach
  void aMeeting() {
    String owner = user("owner");
    ownerToken = server.token(owner);
    meetingId = api.meeting(owner).title("Target").from(60).to(90).invite("member-x").createId();
  }

  private static JsonObject problem(HttpResponse<Buffer> r, int status, String code) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(status);
    assertThat(r.getHeader("Content-Type")).isEqualTo("application/problem+json");
    JsonObject body = r.bodyAsJsonObject();
    assertThat(body.getString("code")).isEqualTo(code);
    assertThat(body.getString("detail")).isNotBlank();
    return body;
  }

  private static String field(JsonObject problem) {
    return problem.getJsonArray("errors").getJsonObject(0).getString("field");
  }

  private HttpResponse<Buffer> raw(HttpMethod method, String path, String contentType, String body) {
    return server.call(method, path, ownerToken, body == null ? null : new Object() {
      @Override
      public String toString() {
        return body;
      }
    });
  }

  @Test
  void bodiesThatAreNotJsonObjects() {
    problem(server.call(HttpMethod.POST, "/api/meetings", ownerToken, null), 400, "bad_request");
    problem(raw(HttpMethod.POST, "/api/meetings", "application/json", "{\"title\":"), 400, "malformed_json");
    problem(raw(HttpMethod.POST, "/api/meetings", "application/json", "[1,2]"), 400, "bad_request");
    problem(raw(HttpMethod.POST, "/api/meetings", "application/json", "\"text\""), 400, "bad_request");
    problem(raw(HttpMethod.POST, "/api/meetings", "application/json", "x".repeat(2 * 1024 * 1024)), 413, "payload_too_large");
  }

  @Test
  void wrongContentTypeIsRefused() {
    var r = vertxClientPostForm();
    problem(r, 415, "unsupported_media_type");
  }

  private HttpResponse<Buffer> vertxClientPostForm() {
    var client = io.vertx.ext.web.client.WebClient.create(vertx);
    try {
      return client.post(server.port, "127.0.0.1", "/api/meetings").bearerTokenAuthentication(ownerToken)
          .putHeader("Content-Type", "text/plain").sendBuffer(Buffer.buffer("title=x")).await();
    } finally {
      client.close();
    }
  }

  @Test
  void createValidationNamesEachField() {
    JsonObject p = problem(server.post("/api/meetings", ownerToken, new JsonObject()), 400, "validation_failed");
    assertThat(p.getJsonArray("errors").stream().map(e -> ((JsonObject) e).getString("field")))
        .contains("title", "startTime", "endTime");

    JsonObject base = new JsonObject().put("title", "T").put("startTime", at(60)).put("endTime", at(90));
    assertThat(field(problem(server.post("/api/meetings", ownerToken, base.copy().put("title", "x".repeat(201))), 400, "validation_failed"))).isEqualTo("title");
    assertThat(field(problem(server.post("/api/meetings", ownerToken, base.copy().put("title", "a\u0000b")), 400, "validation_failed"))).isEqualTo("title");
    assertThat(field(problem(server.post("/api/meetings", ownerToken, base.copy().put("title", 42)), 400, "validation_failed"))).isEqualTo("title");
    assertThat(field(problem(server.post("/api/meetings", ownerToken, base.copy().put("endTime", at(30))), 400, "validation_failed"))).isEqualTo("endTime");
    assertThat(field(problem(server.post("/api/meetings", ownerToken, base.copy().put("startTime", at(-120)).put("endTime", at(-60))), 400, "validation_failed"))).isEqualTo("endTime");
    assertThat(field(problem(server.post("/api/meetings", ownerToken, base.copy().put("endTime", at(60 * 24 * 30))), 400, "validation_failed"))).isEqualTo("endTime");
    assertThat(field(problem(server.post("/api/meetings", ownerToken, base.copy().put("startTime", "tomorrow")), 400, "validation_failed"))).isEqualTo("startTime");
    assertThat(field(problem(server.post("/api/meetings", ownerToken, base.copy().put("maxParticipants", 1)), 400, "validation_failed"))).isEqualTo("maxParticipants");
    assertThat(field(problem(server.post("/api/meetings", ownerToken, base.copy().put("maxParticipants", 2.5)), 400, "validation_failed"))).isEqualTo("maxParticipants");
    assertThat(field(problem(server.post("/api/meetings", ownerToken, base.copy().put("allowExternal", "yes")), 400, "validation_failed"))).isEqualTo("allowExternal");
    assertThat(field(problem(server.post("/api/meetings", ownerToken, base.copy().put("settings", new JsonObject().put("voiceOnly", 1))), 400, "validation_failed"))).isEqualTo("settings.voiceOnly");
    assertThat(field(problem(server.post("/api/meetings", ownerToken, base.copy().put("settings", new JsonObject().put("recording", true))), 400, "validation_failed"))).isEqualTo("settings.recording");
    assertThat(field(problem(server.post("/api/meetings", ownerToken, base.copy().put("participantIds", "bob")), 400, "validation_failed"))).isEqualTo("participantIds");
    assertThat(field(problem(server.post("/api/meetings", ownerToken, base.copy().put("participantIds", new JsonArray().add("ok").add(7))), 400, "validation_failed"))).isEqualTo("participantIds[1]");
    assertThat(field(problem(server.post("/api/meetings", ownerToken, base.copy().put("participantIds", new JsonArray().add("x".repeat(129)))), 400, "validation_failed"))).isEqualTo("participantIds[0]");
    JsonArray many = new JsonArray();
    IntStream.range(0, 501).forEach(i -> many.add("u" + i));
    assertThat(field(problem(server.post("/api/meetings", ownerToken, base.copy().put("participantIds", many)), 400, "validation_failed"))).isEqualTo("participantIds");
    assertThat(field(problem(server.post("/api/meetings", ownerToken, base.copy().put("recurrence", new JsonObject().put("frequency", "yearly").put("count", 2))), 400, "validation_failed"))).isEqualTo("recurrence.frequency");
    assertThat(field(problem(server.post("/api/meetings", ownerToken, base.copy().put("isAdmin", true)), 400, "validation_failed"))).isEqualTo("isAdmin");

    assertThat(server.rows("SELECT count(*) AS n FROM meetings WHERE title = 'T'").get(0).getLong("n"))
        .as("no half-written meeting").isZero();
  }

  @Test
  void listQueryParameters() {
    assertThat(field(problem(server.get("/api/meetings?filter=soon", ownerToken), 400, "validation_failed"))).isEqualTo("filter");
    assertThat(field(problem(server.get("/api/meetings?limit=0", ownerToken), 400, "validation_failed"))).isEqualTo("limit");
    assertThat(field(problem(server.get("/api/meetings?limit=abc", ownerToken), 400, "validation_failed"))).isEqualTo("limit");
    assertThat(field(problem(server.get("/api/meetings?cursor=garbage", ownerToken), 400, "validation_failed"))).isEqualTo("cursor");
    assertThat(field(problem(server.get("/api/meetings?status=done", ownerToken), 400, "validation_failed"))).isEqualTo("status");
    assertThat(field(problem(server.get("/api/meetings?type=webinar", ownerToken), 400, "validation_failed"))).isEqualTo("type");
    assertThat(field(problem(server.get("/api/meetings?q=" + "x".repeat(201), ownerToken), 400, "validation_failed"))).isEqualTo("q");
    assertThat(server.get("/api/meetings?q=%25_%5C'%22", ownerToken).statusCode()).isEqualTo(200);
  }

  @Test
  void unknownAndMalformedIds() {
    for (String path : new String[] {"/api/meetings/mtg_unknown", "/api/meetings/nonsense", "/api/meetings/" + "mtg_" + "x".repeat(1000),
        "/api/meetings/call_unknown/participants"}) {
      problem(server.get(path, ownerToken), 404, "not_found");
    }
    assertThat(problem(server.get("/api/meetings/mtg_%00%01", ownerToken), 400, "bad_request").getString("detail"))
        .as("no id holds a NUL character; PostgreSQL text cannot").contains("NUL");
    problem(server.post("/api/meetings/mtg_unknown/start", ownerToken, null), 404, "not_found");
    problem(server.post("/api/meetings/mtg_unknown/end", ownerToken, null), 404, "not_found");
    problem(server.delete("/api/meetings/mtg_unknown", ownerToken, null), 404, "not_found");
    problem(server.patch("/api/meetings/mtg_unknown", ownerToken, new JsonObject().put("title", "x")), 404, "not_found");
    problem(server.get("/api/nothing-here", ownerToken), 404, "not_found");
    JsonObject tooLong = problem(server.get("/api/meetings/mtg_" + "x".repeat(100_000), ownerToken), 414, "bad_request");
    assertThat(tooLong.getString("detail")).contains("too long");
    problem(server.call(HttpMethod.PUT, "/api/meetings/" + meetingId, ownerToken, new JsonObject()), 405, "method_not_allowed");
  }

  @Test
  void editRoutes() {
    String base = "/api/meetings/" + meetingId;
    assertThat(field(problem(server.patch(base, ownerToken, new JsonObject()), 400, "validation_failed"))).isEqualTo("body");
    assertThat(field(problem(server.patch(base, ownerToken, new JsonObject().put("title", "")), 400, "validation_failed"))).isEqualTo("title");
    assertThat(field(problem(server.patch(base, ownerToken, new JsonObject().put("status", "ended")), 400, "validation_failed"))).isEqualTo("status");
    assertThat(field(problem(server.patch(base + "?scope=everything", ownerToken, new JsonObject().put("title", "x")), 400, "validation_failed"))).isEqualTo("scope");
    problem(server.patch(base + "?scope=series", ownerToken, new JsonObject().put("title", "x")), 400, "bad_request");
    assertThat(field(problem(server.patch(base + "/settings", ownerToken, new JsonObject()), 400, "validation_failed"))).isEqualTo("body");
    assertThat(field(problem(server.patch(base + "/settings", ownerToken, new JsonObject().put("waitingRoom", "on")), 400, "validation_failed"))).isEqualTo("waitingRoom");
    assertThat(field(problem(server.patch(base + "/settings", ownerToken, new JsonObject().put("maxParticipants", 1_000_000)), 400, "validation_failed"))).isEqualTo("maxParticipants");
  }

  @Test
  void participantAndRoleRoutes() {
    String base = "/api/meetings/" + meetingId;
    assertThat(field(problem(server.post(base + "/participants", ownerToken, new JsonObject()), 400, "validation_failed"))).isEqualTo("userIds");
    assertThat(field(problem(server.post(base + "/participants", ownerToken, new JsonObject().put("userIds", new JsonArray())), 400, "validation_failed"))).isEqualTo("userIds");
    assertThat(field(problem(server.post(base + "/participants", ownerToken, new JsonObject().put("userIds", new JsonArray().add("a")).put("role", "owner")), 400, "validation_failed"))).isEqualTo("role");
    assertThat(field(problem(server.patch(base + "/participants/me", ownerToken, new JsonObject().put("status", "maybe")), 400, "validation_failed"))).isEqualTo("status");
    assertThat(field(problem(server.delete(base + "/participants/member-x?ban=perhaps", ownerToken, null), 400, "validation_failed"))).isEqualTo("ban");
    problem(server.delete(base + "/participants/nobody", ownerToken, null), 404, "not_found");
    assertThat(field(problem(server.post(base + "/roles", ownerToken, new JsonObject().put("userId", "member-x").put("role", "guest")), 400, "validation_failed"))).isEqualTo("role");
    assertThat(field(problem(server.post(base + "/roles", ownerToken, new JsonObject().put("role", "manager")), 400, "validation_failed"))).isEqualTo("userId");
    problem(server.post(base + "/roles", ownerToken, new JsonObject().put("userId", "nobody").put("role", "manager")), 404, "not_found");
  }

  @Test
  void bulkDeleteInput() {
    assertThat(field(problem(server.delete("/api/meetings/bulk", ownerToken, new JsonObject()), 400, "validation_failed"))).isEqualTo("meetingIds");
    assertThat(field(problem(server.delete("/api/meetings/bulk", ownerToken, new JsonObject().put("meetingIds", "mtg_x")), 400, "validation_failed"))).isEqualTo("meetingIds");
    JsonArray many = new JsonArray();
    IntStream.range(0, 101).forEach(i -> many.add("mtg_" + i));
    assertThat(field(problem(server.delete("/api/meetings/bulk", ownerToken, new JsonObject().put("meetingIds", many)), 400, "validation_failed"))).isEqualTo("meetingIds");
    problem(server.delete("/api/meetings/bulk", ownerToken, null), 400, "bad_request");
  }

  @Test
  void recurrenceEndingBeforeItStartsYearsOutOfRangeAndHugeCursors() {
    JsonObject series = new JsonObject().put("title", "Series").put("startTime", at(60)).put("endTime", at(90))
        .put("recurrence", new JsonObject().put("frequency", "daily").put("until", at(-600)));
    JsonObject p = problem(server.post("/api/meetings", ownerToken, series), 400, "validation_failed");
    assertThat(field(p)).isEqualTo("recurrence.until");

    for (String time : new String[] {"+999999999-01-01T00:00:00Z", "-100000-01-01T00:00:00Z", "0001-01-01T00:00:00Z",
        "+10000-01-01T00:00:00Z"}) {
      JsonObject far = new JsonObject().put("title", "Far").put("startTime", time).put("endTime", at(90));
      assertThat(field(problem(server.post("/api/meetings", ownerToken, far), 400, "validation_failed")))
          .as(time).isEqualTo("startTime");
    }

    String huge = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
        ("9223372036854775807:999999999:" + meetingId).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    problem(server.get("/api/meetings?cursor=" + huge, ownerToken), 400, "validation_failed");
    String longer = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
        ("31556889864403199:0:" + meetingId).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    problem(server.get("/api/meetings?cursor=" + longer, ownerToken), 400, "validation_failed");
  }
}
