package io.convene;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.SignatureVerificationException;
import io.convene.testing.ServerTestBase;
import io.convene.testing.TestServer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.util.Date;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Single-node hardening: dev tokens, reserved subjects, what refusals reveal, the rights of who declined. */
@Timeout(120)
class HardeningIT extends ServerTestBase {

  @Test
  void devTokensAreSignedWithTheDevKeyNeverWithTheHostAppSecret() {
    var r = server.post("/dev/token", null, new JsonObject().put("userId", user("dev")));
    String token = json(r, 200).getString("token");
    assertThat(server.get("/api/meetings", token).statusCode()).as("good on the dev server").isEqualTo(200);
    assertThatThrownBy(() -> JWT.require(Algorithm.HMAC256(TestServer.SECRET)).build().verify(token))
        .as("not signed with the configured secret").isInstanceOf(SignatureVerificationException.class);

    TestServer production = TestServer.start(vertx, clock, new JsonObject().put("devMode", "off")
        .put("auth", new JsonObject().put("requireIssuer", false)));
    try {
      assertThat(production.get("/api/meetings", token).statusCode()).as("worthless elsewhere").isEqualTo(401);
      assertThat(production.post("/dev/token", null, new JsonObject().put("userId", "x")).statusCode()).isEqualTo(404);
      assertThat(production.get("/api/meetings", production.token(user("real"))).statusCode()).isEqualTo(200);
    } finally {
      production.close();
    }
  }

  @Test
  void hostTokensCannotClaimAGuestIdentity() {
    var r = server.get("/api/meetings", server.token("guest:gst_somebody"));
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.bodyAsJsonObject().getString("detail")).contains("reserved for guests");
  }

  @Test
  void aRejectedWebhookSaysNothingOfTheJwtLibrary() {
    String forged = JWT.create().withIssuer("devkey").withExpiresAt(Date.from(clock.instant().plusSeconds(60)))
        .withClaim("sha256", "x").sign(Algorithm.HMAC256("not-the-livekit-secret"));
    WebClient client = WebClient.create(vertx);
    var r = client.post(server.port, "127.0.0.1", "/api/livekit/webhook").putHeader("Authorization", forged)
        .putHeader("Content-Type", "application/webhook+json").sendBuffer(Buffer.buffer("{}")).await();
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.bodyAsJsonObject().getString("detail")).isEqualTo("webhook signature rejected");
    var garbage = client.post(server.port, "127.0.0.1", "/api/livekit/webhook").putHeader("Authorization", "a.b.c")
        .sendBuffer(Buffer.buffer("{}")).await();
    assertThat(garbage.bodyAsJsonObject().getString("detail")).isEqualTo("webhook signature rejected");
  }

  @Test
  void aParticipantWhoDeclinedKeepsNoneOfTheirRolesRights() {
    String owner = user("owner");
    String manager = user("manager");
    String waiting = user("waiting");
    String id = api.meeting(owner).title("Declined").from(0).to(60).invite(manager, waiting).waitingRoom().createId();
    api.assignRole(id, owner, manager, "manager");
    api.respond(id, manager, "declined");

    assertThat(api.expect(403).join(id, manager).getString("detail")).contains("declined");
    assertThat(api.expect(403).update(id, manager, new JsonObject().put("title", "Mine now")).getString("code"))
        .isEqualTo("forbidden");
    api.join(id, owner);
    api.expect(202).join(id, waiting);
    assertThat(api.expect(403).admit(id, manager, waiting).getString("code")).isEqualTo("forbidden");

    api.respond(id, manager, "accepted");
    api.admit(id, manager, waiting);
    api.join(id, manager);
  }

  @Test
  void aSeriesChangeIsAuthorizedOccurrenceByOccurrence() {
    String owner = user("owner");
    String bob = user("bob");
    JsonArray instances = api.meeting(owner).title("Weekly").from(60).to(90).invite(bob).recurring("weekly", 3).create()
        .getJsonArray("instances");
    String first = instances.getJsonObject(0).getString("meetingId");
    String second = instances.getJsonObject(1).getString("meetingId");
    api.assignRole(second, owner, bob, "manager");

    JsonObject refused = api.expect(403).updateSeries(second, bob, new JsonObject().put("title", "Hijacked"));
    assertThat(refused.getString("detail")).contains(first).doesNotContain(second);
    assertThat(api.get(first, owner).getString("title")).isEqualTo("Weekly");
    assertThat(api.update(second, bob, new JsonObject().put("title", "Mine")).getString("title")).isEqualTo("Mine");

    api.assignRole(second, owner, bob, "owner");
    api.expect(403).cancelSeries(second, bob);
    assertThat(server.rows("SELECT status FROM meetings WHERE id = $1", first).get(0).getString("status"))
        .isEqualTo("scheduled");
    api.cancel(second, bob);
  }
}
