package io.convene.guest;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.protocol.Events;
import io.convene.testing.ServerTestBase;
import io.convene.testing.WsClient;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Invitation links, what they show, guest registration, guest tokens and their limits. */
@Timeout(120)
class GuestLinksIT extends ServerTestBase {

  private static String meeting(String owner, int startMin, boolean allowExternal, String... invitees) {
    return json(server.post("/api/meetings", server.token(owner, "Olga Owner", List.of()), new JsonObject()
        .put("title", "Open day").put("startTime", at(startMin)).put("endTime", at(startMin + 60))
        .put("allowExternal", allowExternal).put("participantIds", new JsonArray(List.of(invitees)))), 201)
        .getString("meetingId");
  }

  @Test
  void linksAreForOwnersAndManagersOfMeetingsThatAllowGuests() {
    String owner = user("owner");
    String member = user("member");
    String closed = meeting(owner, 30, false, member);
    assertThat(json(server.post("/api/meetings/" + closed + "/generate-link", server.token(owner), null), 409)
        .getString("detail")).contains("allowExternal");
    String open = meeting(owner, 30, true, member);
    json(server.post("/api/meetings/" + open + "/generate-link", server.token(member), null), 403);
    JsonObject link = json(server.post("/api/meetings/" + open + "/generate-link", server.token(owner), null), 200);
    assertThat(link.getString("token")).startsWith("inv_").hasSizeGreaterThan(30);
    assertThat(link.getString("validFrom")).isEqualTo(at(-30));
    assertThat(link.getString("validUntil")).isEqualTo(at(90));
    assertThat(server.rows("SELECT token_hash FROM invite_links WHERE meeting_id = $1", open).get(0).getString("token_hash"))
        .as("only the hash is stored").isNotEqualTo(link.getString("token")).hasSize(64);

    JsonObject second = json(server.post("/api/meetings/" + open + "/generate-link", server.token(owner), null), 200);
    assertThat(json(server.get("/api/external/join/" + link.getString("token"), null), 404).getString("detail")).contains("replaced");
    assertThat(json(server.get("/api/external/join/" + second.getString("token"), null), 200).getBoolean("valid")).isTrue();
    assertThat(json(server.get("/api/external/join/inv_madeup", null), 404).getString("detail")).contains("unknown");
    json(server.get("/api/external/join/whatever", null), 404);
  }

  @Test
  void joinInfoTellsWhenTheLinkWorksAndWhetherAskingIsPossible() {
    String owner = user("owner");
    String later = meeting(owner, 180, true);
    String token = json(server.post("/api/meetings/" + later + "/generate-link", server.token(owner), null), 200).getString("token");
    JsonObject early = json(server.get("/api/external/join/" + token, null), 200);
    assertThat(early.getBoolean("valid")).isFalse();
    assertThat(early.getString("reason")).isEqualTo("too_early");
    assertThat(early.getString("validFrom")).isEqualTo(at(120));
    assertThat(early.getString("title")).isEqualTo("Open day");
    assertThat(early.getString("hostName")).isEqualTo("Olga Owner");
    assertThat(json(server.post("/api/external/register", null, new JsonObject().put("invitationToken", token)
        .put("displayName", "Early Bird")), 409).getString("detail")).contains("too_early");

    String now = meeting(owner, 10, true);
    String t2 = json(server.post("/api/meetings/" + now + "/generate-link", server.token(owner), null), 200).getString("token");
    JsonObject before = json(server.get("/api/external/join/" + t2, null), 200);
    assertThat(before.getBoolean("valid")).isTrue();
    assertThat(before.getBoolean("canAskForAccess")).as("nobody has joined yet").isFalse();
    json(server.post("/api/meetings/" + now + "/join", server.token(owner), null), 200);
    assertThat(json(server.get("/api/external/join/" + t2, null), 200).getBoolean("canAskForAccess")).isTrue();
  }

  @Test
  void registrationValidatesAndGuestTokensStayOnGuestRoutes() {
    String owner = user("owner");
    String member = user("member");
    String id = meeting(owner, 0, true, member);
    String token = json(server.post("/api/meetings/" + id + "/generate-link", server.token(owner), null), 200).getString("token");
    JsonObject base = new JsonObject().put("invitationToken", token);
    json(server.post("/api/external/register", null, base.copy()), 400);
    json(server.post("/api/external/register", null, base.copy().put("displayName", "x".repeat(65))), 400);
    json(server.post("/api/external/register", null, base.copy().put("displayName", "bad\u0007name")), 400);
    json(server.post("/api/external/register", null, base.copy().put("displayName", "Gina").put("email", "not-an-email")), 400);
    json(server.post("/api/external/register", null, base.copy().put("displayName", "Gina")
        .put("keys", new JsonObject().put("blob", "k".repeat(70_000)))), 413);
    json(server.post("/api/external/register", null, new JsonObject().put("invitationToken", "inv_nope").put("displayName", "Gina")), 404);

    JsonObject session = json(server.post("/api/external/register", null, base.copy().put("displayName", "  Gina Guest ")
        .put("email", "gina@example.org").put("keys", new JsonObject().put("identityKey", "AAEC"))), 201);
    String sessionId = session.getString("sessionId");
    String guestToken = session.getString("guestToken");
    assertThat(sessionId).startsWith("gst_");
    assertThat(guestToken).startsWith("gt_");
    assertThat(server.rows("SELECT display_name, token_hash FROM guest_sessions WHERE id = $1", sessionId).get(0)
        .getString("display_name")).isEqualTo("Gina Guest");

    assertThat(json(server.get("/api/meetings", guestToken), 403).getString("code")).isEqualTo("forbidden");
    json(server.get("/api/external/keys/" + sessionId, guestToken), 403);
    JsonObject keys = json(server.get("/api/external/keys/" + sessionId, server.token(member)), 200);
    assertThat(keys.getJsonObject("keys").getString("identityKey")).isEqualTo("AAEC");
    json(server.get("/api/external/keys/" + sessionId, server.token(user("stranger"))), 404);
    json(server.get("/api/external/keys/gst_unknown", server.token(member)), 404);

    WsClient guest = WsClient.connect(vertx, server.port, "/ws?guest_token=" + guestToken, null);
    assertThat(guest.awaitEvent(Events.SESSION_WELCOME).getString("userId")).isEqualTo("guest:" + sessionId);
    assertThat(guest.request("presence:subscribe", new JsonObject().put("userIds", new JsonArray().add(owner)))
        .getJsonObject("error").getString("code")).isEqualTo("forbidden");
    try {
      WsClient.attempt(vertx, server.port, "/ws?guest_token=gt_forged", null).await();
      throw new AssertionError("a forged guest token was accepted");
    } catch (UpgradeRejectedException e) {
      assertThat(e.getStatus()).isEqualTo(401);
    }
    guest.close();
  }
}
