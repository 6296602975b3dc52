package io.convene.guest;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.protocol.Events;
import io.convene.testing.Api.Guest;
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
    return api.signedIn(owner, server.token(owner, "Olga Owner", List.of())).meeting(owner).title("Open day")
        .from(startMin).to(startMin + 60).allowExternal(allowExternal).invite(invitees).createId();
  }

  @Test
  void linksAreForOwnersAndManagersOfMeetingsThatAllowGuests() {
    String owner = user("owner");
    String member = user("member");
    String closed = meeting(owner, 30, false, member);
    assertThat(api.expect(409).link(closed, owner).getString("detail")).contains("allowExternal");
    String open = meeting(owner, 30, true, member);
    api.expect(403).link(open, member);
    JsonObject link = api.link(open, owner);
    assertThat(link.getString("token")).startsWith("inv_").hasSizeGreaterThan(30);
    assertThat(link.getString("validFrom")).isEqualTo(at(-30));
    assertThat(link.getString("validUntil")).isEqualTo(at(90));
    assertThat(server.rows("SELECT token_hash FROM invite_links WHERE meeting_id = $1", open).get(0).getString("token_hash"))
        .as("only the hash is stored").isNotEqualTo(link.getString("token")).hasSize(64);

    JsonObject second = api.link(open, owner);
    assertThat(api.expect(404).joinInfo(link.getString("token")).getString("detail")).contains("replaced");
    assertThat(api.joinInfo(second.getString("token")).getBoolean("valid")).isTrue();
    assertThat(api.expect(404).joinInfo("inv_madeup").getString("detail")).contains("unknown");
    api.expect(404).joinInfo("whatever");
  }

  @Test
  void joinInfoTellsWhenTheLinkWorksAndWhetherAskingIsPossible() {
    String owner = user("owner");
    String later = meeting(owner, 180, true);
    String token = api.link(later, owner).getString("token");
    // names are written behind: the node answering may know the host's name only from the table
    server.awaitRows(names -> !names.isEmpty(), "SELECT 1 FROM users WHERE id = $1 AND display_name IS NOT NULL", owner);
    JsonObject early = api.joinInfo(token);
    assertThat(early.getBoolean("valid")).isFalse();
    assertThat(early.getString("reason")).isEqualTo("too_early");
    assertThat(early.getString("validFrom")).isEqualTo(at(120));
    assertThat(early.getString("title")).isEqualTo("Open day");
    assertThat(early.getString("hostName")).isEqualTo("Olga Owner");
    assertThat(api.expect(409).registration(token).name("Early Bird").send().getString("detail")).contains("too_early");

    String now = meeting(owner, 10, true);
    String t2 = api.link(now, owner).getString("token");
    JsonObject before = api.joinInfo(t2);
    assertThat(before.getBoolean("valid")).isTrue();
    assertThat(before.getBoolean("canAskForAccess")).as("nobody has joined yet").isFalse();
    api.join(now, owner);
    assertThat(api.joinInfo(t2).getBoolean("canAskForAccess")).isTrue();
  }

  @Test
  void registrationValidatesAndGuestTokensStayOnGuestRoutes() {
    String owner = user("owner");
    String member = user("member");
    String id = meeting(owner, 0, true, member);
    String token = api.link(id, owner).getString("token");
    api.expect(400).registration(token).send();
    api.expect(400).registration(token).name("x".repeat(65)).send();
    api.expect(400).registration(token).name("bad\u0007name").send();
    api.expect(400).registration(token).name("Gina").email("not-an-email").send();
    api.expect(413).registration(token).name("Gina").keys(new JsonObject().put("blob", "k".repeat(70_000))).send();
    api.expect(404).registration("inv_nope").name("Gina").send();

    Guest gina = api.registration(token).name("  Gina Guest ").email("gina@example.org")
        .keys(new JsonObject().put("identityKey", "AAEC")).register();
    String sessionId = gina.sessionId();
    assertThat(sessionId).startsWith("gst_");
    assertThat(gina.token()).startsWith("gt_");
    assertThat(server.rows("SELECT display_name, token_hash FROM guest_sessions WHERE id = $1", sessionId).get(0)
        .getString("display_name")).isEqualTo("Gina Guest");

    assertThat(gina.expect(403).meetings().getString("code")).isEqualTo("forbidden");
    gina.expect(403).keysOf(sessionId);
    JsonObject keys = api.guestKeys(sessionId, member);
    assertThat(keys.getJsonObject("keys").getString("identityKey")).isEqualTo("AAEC");
    api.expect(404).guestKeys(sessionId, user("stranger"));
    api.expect(404).guestKeys("gst_unknown", member);

    WsClient guest = server.guestSocket(gina.token());
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
