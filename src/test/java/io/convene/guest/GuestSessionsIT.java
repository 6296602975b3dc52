package io.convene.guest;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.bus.Addresses;
import io.convene.protocol.Events;
import io.convene.testing.EventRecorder;
import io.convene.testing.ServerTestBase;
import io.convene.testing.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Previews (counts for guests), removing guests, and sessions that end after 24 hours. */
@Timeout(120)
class GuestSessionsIT extends ServerTestBase {

  private JsonObject guest(String link, String name) {
    return json(server.post("/api/external/register", null, new JsonObject().put("invitationToken", link)
        .put("displayName", name)), 201);
  }

  @Test
  void previewsRemovalAndExpiry() {
    String owner = user("owner");
    String manager = user("manager");
    String member = user("member");
    String id = json(server.post("/api/meetings", server.token(owner), new JsonObject().put("title", "Preview")
        .put("startTime", at(0)).put("endTime", at(60)).put("allowExternal", true)
        .put("participantIds", new JsonArray().add(manager).add(member))), 201).getString("meetingId");
    json(server.post("/api/meetings/" + id + "/roles", server.token(owner), new JsonObject().put("userId", manager).put("role", "manager")), 200);
    String link = json(server.post("/api/meetings/" + id + "/generate-link", server.token(owner), null), 200).getString("token");
    json(server.post("/api/meetings/" + id + "/join", server.token(owner), null), 200);

    JsonObject a = guest(link, "Ann");
    JsonObject forMember = json(server.get("/api/meetings/" + id + "/preview", server.token(member)), 200);
    assertThat(forMember.getJsonArray("inRoom")).containsExactly(owner);
    assertThat(forMember.getJsonArray("invited")).contains(manager, member);
    JsonObject forGuest = json(server.get("/api/meetings/" + id + "/preview", a.getString("guestToken")), 200);
    assertThat(forGuest.getInteger("participantCount")).isEqualTo(1);
    assertThat(forGuest.containsKey("inRoom")).as("guests see counts, not names").isFalse();
    assertThat(forGuest.containsKey("invited")).isFalse();
    String other = json(server.post("/api/meetings", server.token(owner), new JsonObject().put("title", "Other")
        .put("startTime", at(0)).put("endTime", at(60))), 201).getString("meetingId");
    json(server.get("/api/meetings/" + other + "/preview", a.getString("guestToken")), 404);

    WsClient annSocket = WsClient.connect(vertx, server.port, "/ws?guest_token=" + a.getString("guestToken"), null);
    annSocket.awaitEvent(Events.SESSION_WELCOME);
    json(server.delete("/api/external/session/" + a.getString("sessionId"), server.token(member), null), 403);
    assertThat(server.delete("/api/external/session/" + a.getString("sessionId"), server.token(manager), null).statusCode()).isEqualTo(204);
    assertThat(annSocket.awaitClose()).isEqualTo((short) 4004);

    JsonObject b = guest(link, "Ben");
    assertThat(server.delete("/api/external/session/" + b.getString("sessionId"), b.getString("guestToken"), null).statusCode())
        .as("a guest may leave").isEqualTo(204);

    JsonObject c = guest(link, "Cy");
    EventRecorder sweeps = new EventRecorder(vertx, Addresses.SCHEDULE_SWEPT);
    clock.advance(Duration.ofHours(24));
    java.time.Instant after = clock.instant();
    sweeps.awaitMessage(s -> !java.time.Instant.parse(s.getString("at")).isBefore(after) && s.getInteger("guestSessionsEnded") > 0);
    assertThat(server.rows("SELECT 1 FROM guest_sessions WHERE id = $1 AND status <> 'ended'", c.getString("sessionId")))
        .as("24 hours after registration (the meeting itself may be purged by now)").isEmpty();
    json(server.get("/api/meetings/" + id + "/preview", c.getString("guestToken")), 401);
  }
}
