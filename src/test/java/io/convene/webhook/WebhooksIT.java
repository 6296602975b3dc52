package io.convene.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.protocol.Events;
import io.convene.testing.ServerTestBase;
import io.convene.testing.WebhookReceiver;
import io.convene.testing.WebhookReceiver.Received;
import io.convene.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Outbound webhooks against a real receiver on loopback (private targets are allowed in dev mode):
 * signed deliveries that independent verifiers accept, retries on the configured schedule (following
 * the server's clock) with one webhook-id, disabling after failures in a row, a slow receiver that
 * holds back nobody else, and deliveries that survive the node that committed them.
 */
@Timeout(180)
class WebhooksIT extends ServerTestBase {
  private static final Vertx SIDE = Vertx.vertx();
  private static WebhookReceiver receiver;

  @Override
  protected JsonObject overrides() {
    receiver = WebhookReceiver.start(SIDE);
    return new JsonObject()
        .put("webhooks", new JsonObject().put("retryDelaysSeconds", "10,60,300,1800").put("disableAfterFailures", 2)
            .put("timeoutSeconds", 1).put("maxInFlightPerWebhook", 2).put("sweepMillis", 50))
        .put("outbox", new JsonObject().put("redeliverAfterSeconds", 1).put("sweepMillis", 50));
  }

  @AfterEach
  void forgetWebhooks() {
    server.rows("DELETE FROM webhooks");
  }

  @AfterAll
  void stopReceiver() {
    receiver.close();
    SIDE.close().await();
  }

  private String admin() {
    return server.token(user("admin"), "Admin", List.of("admin"));
  }

  private JsonObject register(String token, String path, String... events) {
    return json(server.post("/api/webhooks", token, new JsonObject().put("url", receiver.url(path))
        .put("events", new JsonArray(List.of(events))).put("description", "test " + path)), 201);
  }

  private String createMeeting(String owner) {
    return json(server.post("/api/meetings", server.token(owner), new JsonObject().put("title", "Weekly")
        .put("startTime", at(60)).put("endTime", at(90))), 201).getString("meetingId");
  }

  @Test
  void aSignedDeliveryVerifiesWithTheStandardWebhooksAlgorithmInJavaAndWithTheNpmLibrary() throws Exception {
    String admin = admin();
    JsonObject hook = register(admin, "/ok/signed", "meeting.created");
    String secret = hook.getString("secret");
    assertThat(secret).startsWith("whsec_");
    assertThat(Base64.getDecoder().decode(secret.substring(6))).hasSizeBetween(24, 64);
    assertThat(hook.getBoolean("enabled")).isTrue();

    String owner = user("owner");
    String meetingId = createMeeting(owner);
    Received r = receiver.await("/ok/signed", 1).get(0);

    JsonObject body = r.json();
    assertThat(body.getString("type")).isEqualTo("meeting.created");
    assertThat(body.getString("id")).startsWith("evt_").isEqualTo(r.header("webhook-id"));
    assertThat(body.getJsonObject("data").getString("meetingId")).isEqualTo(meetingId);
    assertThat(body.getJsonObject("data").getString("createdBy")).isEqualTo(owner);
    assertThat(OffsetDateTime.parse(body.getString("createdAt"))).isNotNull();
    assertThat(Long.parseLong(r.header("webhook-timestamp"))).isEqualTo(clock.instant().getEpochSecond());

    // The Standard Webhooks algorithm, written out with javax.crypto only.
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
    byte[] expected = mac.doFinal((r.header("webhook-id") + "." + r.header("webhook-timestamp") + "." + r.body())
        .getBytes(StandardCharsets.UTF_8));
    String signature = r.header("webhook-signature");
    assertThat(signature).startsWith("v1,");
    assertThat(MessageDigest.isEqual(expected, Base64.getDecoder().decode(signature.substring(3)))).isTrue();

    // The npm library verifies the same delivery (its clock tolerance: the manual clock started at real time)
    // and refuses a body changed on the way.
    assertThat(npmVerify(secret, r, r.body())).startsWith("verified " + body.getString("id"));
    assertThat(npmVerify(secret, r, r.body().replace("Weekly", "Weakly"))).startsWith("refused");
    assertThat(npmVerify("whsec_" + Base64.getEncoder().encodeToString(new byte[32]), r, r.body())).startsWith("refused");

    // The secret is shown once: never by GET or in the list.
    String id = hook.getString("webhookId");
    assertThat(json(server.get("/api/webhooks/" + id, admin), 200).encode()).doesNotContain(secret.substring(6))
        .doesNotContain("secret");
    assertThat(json(server.get("/api/webhooks", admin), 200).encode()).doesNotContain(secret.substring(6));
    assertThat(server.rows("SELECT secret FROM webhooks WHERE id = $1", id).get(0).getString("secret"))
        .startsWith("v1:").doesNotContain(secret.substring(6));
  }

  /** Runs src/test/node/verify.mjs (the npm standardwebhooks package) on one delivery. */
  private static String npmVerify(String secret, Received r, String body) throws IOException, InterruptedException {
    Path script = Path.of("src/test/node/verify.mjs").toAbsolutePath();
    assertThat(Files.isDirectory(script.getParent().resolve("node_modules/standardwebhooks")))
        .as("npm ci --prefix src/test/node (the build runs it before the integration tests)").isTrue();
    JsonObject input = new JsonObject().put("secret", secret).put("body", body).put("headers", new JsonObject()
        .put("webhook-id", r.header("webhook-id")).put("webhook-timestamp", r.header("webhook-timestamp"))
        .put("webhook-signature", r.header("webhook-signature")));
    Process p = new ProcessBuilder("node", script.toString()).redirectErrorStream(true).start();
    p.getOutputStream().write(input.encode().getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream in = p.getInputStream()) {
      in.transferTo(out);
    }
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String text = out.toString(StandardCharsets.UTF_8).strip();
    assertThat(p.exitValue() == 0).as(text).isEqualTo(text.startsWith("verified"));
    return text;
  }

  @Test
  void aReceiverFailingTwiceGetsTheEventOnTheThirdAttemptWithTheSameWebhookId() {
    String admin = admin();
    String id = register(admin, "/fail/2/retry", "webhook.test").getString("webhookId");
    JsonObject test = json(server.post("/api/webhooks/" + id + "/test", admin, null), 202);
    String eventId = test.getString("eventId");

    receiver.await("/fail/2/retry", 1);
    JsonObject first = awaitAttempts(admin, id, 1).get(0);
    assertThat(first.getString("status")).isEqualTo("failed");
    assertThat(first.getInteger("responseCode")).isEqualTo(500);
    assertThat(first.getString("deliveryId")).isEqualTo(test.getString("deliveryId"));
    assertThat(first.getString("nextAttemptAt")).isEqualTo(clock.instant().plusSeconds(10).toString());

    clock.advance(Duration.ofSeconds(10));
    receiver.await("/fail/2/retry", 2);
    awaitAttempts(admin, id, 2);
    clock.advance(Duration.ofSeconds(60));
    List<Received> all = receiver.await("/fail/2/retry", 3);
    List<JsonObject> attempts = awaitAttempts(admin, id, 3);

    assertThat(all).extracting(r -> r.header("webhook-id")).containsOnly(eventId);
    assertThat(all).extracting(Received::body).containsOnly(all.get(0).body());
    assertThat(attempts).extracting(a -> a.getInteger("attempt")).containsExactly(3, 2, 1);
    assertThat(attempts).extracting(a -> a.getString("status")).containsExactly("succeeded", "failed", "failed");
    assertThat(attempts.get(0).getString("deliveryStatus")).isEqualTo("succeeded");
    assertThat(attempts.get(0).getString("type")).isEqualTo("webhook.test");
    assertThat(attempts.get(0).getString("eventId")).isEqualTo(eventId);

    // A manual retry sends it once more, with the same id.
    json(server.post("/api/webhooks/" + id + "/deliveries/" + test.getString("deliveryId") + "/retry", admin, null), 202);
    assertThat(receiver.await("/fail/2/retry", 4).get(3).header("webhook-id")).isEqualTo(eventId);
    assertThat(awaitAttempts(admin, id, 4).get(0).getInteger("attempt")).isEqualTo(4);
  }

  private List<JsonObject> awaitAttempts(String admin, String webhookId, int n) {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (true) {
      JsonArray items = json(server.get("/api/webhooks/" + webhookId + "/deliveries", admin), 200).getJsonArray("items");
      if (items.size() >= n) {
        return items.stream().map(o -> (JsonObject) o).toList();
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("expected " + n + " attempts; the log shows " + items);
      }
      vertx.timer(20).await();
    }
  }

  @Test
  void aReceiverThatNeverAnswersIsDisabledAfterTheConfiguredFailuresAndItsCreatorIsNotified() {
    String creator = user("ops");
    String token = server.token(creator, "Ops", List.of("admin"));
    String id = register(token, "/hang/never", "webhook.test").getString("webhookId");
    json(server.post("/api/webhooks/" + id + "/test", token, null), 202);
    json(server.post("/api/webhooks/" + id + "/test", token, null), 202);

    // Two deliveries, each: the first attempt and four retries (10, 60, 300, 1800 s), every one timing out.
    int[] delays = {10, 60, 300, 1800};
    for (int attempt = 1; attempt <= 5; attempt++) {
      int n = attempt * 2;
      server.awaitRows(rows -> rows.stream().mapToLong(r -> r.getLong("logged")).sum() >= n,
          "SELECT d.id, d.attempts, d.state, d.next_attempt_at, d.claimed_until, (SELECT count(*) FROM webhook_attempts a"
              + " WHERE a.delivery_id = d.id) AS logged FROM webhook_deliveries d WHERE d.webhook_id = $1", id);
      if (attempt <= delays.length) {
        clock.advance(Duration.ofSeconds(delays[attempt - 1]));
      }
    }
    JsonObject hook = server.awaitRows(rows -> !rows.get(0).getBoolean("enabled"),
        "SELECT enabled, consecutive_failures, disabled_reason FROM webhooks WHERE id = $1", id).get(0);
    assertThat(hook.getInteger("consecutive_failures")).isEqualTo(2);
    List<JsonObject> attempts = server.rows("SELECT status, error FROM webhook_attempts WHERE webhook_id = $1", id);
    assertThat(attempts).hasSize(10).allSatisfy(a -> {
      assertThat(a.getString("status")).isEqualTo("failed");
      assertThat(a.getString("error")).contains("timeout");
    });
    JsonObject shown = json(server.get("/api/webhooks/" + id, token), 200);
    assertThat(shown.getBoolean("enabled")).isFalse();
    assertThat(shown.getString("disabledReason")).contains("2 deliveries in a row failed");

    server.awaitRows(rows -> rows.size() == 1,
        "SELECT data FROM notifications WHERE user_id = $1 AND type = 'webhook_disabled'", creator);
    JsonObject notice = json(server.get("/api/notifications", token), 200).getJsonArray("items").getJsonObject(0);
    assertThat(notice.getString("type")).isEqualTo("webhook_disabled");
    assertThat(notice.getJsonObject("data").getString("webhookId")).isEqualTo(id);

    // Disabled: no test events, no retries; enabling it again starts its count afresh.
    json(server.post("/api/webhooks/" + id + "/test", token, null), 409);
    JsonObject enabled = json(server.patch("/api/webhooks/" + id, token, new JsonObject().put("enabled", true)), 200);
    assertThat(enabled.getBoolean("enabled")).isTrue();
    assertThat(enabled.getInteger("consecutiveFailures")).isZero();
    assertThat(enabled.getString("disabledReason")).isNull();
  }

  @Test
  void aReceiverThatNeverAnswersHoldsBackNoOtherReceiver() {
    String admin = admin();
    register(admin, "/hang/slow", "meeting.created");
    register(admin, "/ok/fast", "meeting.created");
    String owner = user("busy");
    for (int i = 0; i < 6; i++) {
      createMeeting(owner);
    }
    List<Received> fast = receiver.await("/ok/fast", 6);
    long lastFast = fast.stream().mapToLong(Received::arrivedNanos).max().orElseThrow();
    Long slowFirstClosed = receiver.firstClosed("/hang/slow");
    assertThat(slowFirstClosed == null || lastFast < slowFirstClosed)
        .as("the fast receiver got all six before the slow one's first request timed out").isTrue();
    assertThat(receiver.maxOpen("/hang/slow")).as("requests open at once at the slow receiver").isBetween(1, 2);
  }

  @Test
  void anEventWhoseNodeDiedAfterTheCommitIsDeliveredByTheDispatcherOnce() {
    String admin = admin();
    register(admin, "/ok/orphan", "recording.ready");
    String eventId = "evt_orphan" + System.nanoTime();
    JsonObject event = new JsonObject().put("id", eventId).put("type", "recording.ready")
        .put("createdAt", clock.instant().toString())
        .put("data", new JsonObject().put("meetingId", "mtg_x").put("recordingId", "rec_1"));
    // As a node leaves it when it dies right after its commit: the event stored twice, nothing carried out.
    OffsetDateTime now = clock.instant().atOffset(ZoneOffset.UTC);
    for (int copy = 0; copy < 2; copy++) {
      server.rows("INSERT INTO outbox (kind, payload, created_at, next_attempt_at) VALUES ('webhook.event', $1, $2, $2)",
          event, now);
    }
    Received r = receiver.await("/ok/orphan", 1).get(0);
    assertThat(r.header("webhook-id")).isEqualTo(eventId);
    assertThat(r.json().getJsonObject("data").getString("recordingId")).isEqualTo("rec_1");
    server.awaitRows(List::isEmpty, "SELECT id FROM outbox WHERE payload->>'id' = $1", eventId);
    server.awaitRows(rows -> rows.size() == 1 && "succeeded".equals(rows.get(0).getString("state")),
        "SELECT state FROM webhook_deliveries WHERE event_id = $1", eventId);

    // A delivery claimed by a node that died mid-attempt is sent once its claim lapsed.
    String orphan = register(admin, "/ok/claimed", "webhook.test").getString("webhookId");
    server.rows("INSERT INTO webhook_deliveries (id, webhook_id, event_id, type, body, state, next_attempt_at,"
        + " claim_id, claimed_until, created_at, updated_at) VALUES ('dlv_00000000000000000000000000000001', $1,"
        + " 'evt_claimed', 'webhook.test', '{\"id\":\"evt_claimed\",\"type\":\"webhook.test\"}', 'pending', $2,"
        + " 'dead-node', $3, $2, $2)", orphan, now, now.plusSeconds(60));
    clock.advance(Duration.ofSeconds(61));
    assertThat(receiver.await("/ok/claimed", 1).get(0).header("webhook-id")).isEqualTo("evt_claimed");
    assertThat(receiver.received("/ok/orphan")).hasSize(1);
  }

  @Test
  void meetingCallAndLobbyChangesReachTheSubscribedWebhooksOnly() {
    String admin = admin();
    register(admin, "/ok/all", "*");
    register(admin, "/ok/cancelled", "meeting.cancelled");
    String owner = user("host");
    String bob = user("bob");
    String id = json(server.post("/api/meetings", server.token(owner), new JsonObject().put("title", "Review")
        .put("startTime", at(60)).put("endTime", at(90)).put("participantIds", new JsonArray().add(bob))), 201)
        .getString("meetingId");
    json(server.patch("/api/meetings/" + id, server.token(owner), new JsonObject().put("title", "Review 2")), 200);
    assertThat(server.delete("/api/meetings/" + id, server.token(owner), null).statusCode()).isEqualTo(204);

    List<Received> all = receiver.await("/ok/all", got -> types(got).containsAll(
        List.of("meeting.created", "participant.invited", "meeting.updated", "meeting.cancelled")));
    JsonObject updated = all.stream().map(Received::json).filter(b -> b.getString("type").equals("meeting.updated"))
        .findFirst().orElseThrow();
    assertThat(updated.getJsonObject("data").getJsonObject("changes").getJsonObject("title").getString("to"))
        .isEqualTo("Review 2");
    List<Received> cancelled = receiver.await("/ok/cancelled", 1);
    assertThat(types(cancelled)).containsOnly("meeting.cancelled");
    assertThat(cancelled.get(0).json().getJsonObject("data").getString("meetingId")).isEqualTo(id);
  }

  @Test
  void eventsNoEnabledWebhookSubscribesToAreNotEvenStored() {
    // what the outbox stores, seen by the database itself
    server.rows("CREATE TABLE outbox_seen (type TEXT)");
    server.rows("CREATE FUNCTION outbox_seen() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        + " INSERT INTO outbox_seen VALUES (NEW.payload->>'type'); RETURN NEW; END $$");
    server.rows("CREATE TRIGGER outbox_seen AFTER INSERT ON outbox FOR EACH ROW WHEN (NEW.kind = 'webhook.event')"
        + " EXECUTE FUNCTION outbox_seen()");
    try {
      String admin = admin();
      register(admin, "/only/cancelled", "meeting.cancelled");
      String off = register(admin, "/off/all", "*").getString("webhookId");
      json(server.patch("/api/webhooks/" + off, admin, new JsonObject().put("enabled", false)), 200);
      String owner = user("quiet");
      String id = json(server.post("/api/meetings", server.token(owner), new JsonObject().put("title", "Quiet")
          .put("startTime", at(60)).put("endTime", at(90)).put("participantIds", new JsonArray().add(user("ann")))),
          201).getString("meetingId");
      assertThat(server.delete("/api/meetings/" + id, server.token(owner), null).statusCode()).isEqualTo(204);

      assertThat(receiver.await("/only/cancelled", 1).get(0).json().getString("type")).isEqualTo("meeting.cancelled");
      assertThat(server.rows("SELECT type FROM outbox_seen")).extracting(r -> r.getString("type"))
          .containsExactly("meeting.cancelled");
      assertThat(receiver.received("/off/all")).isEmpty();
    } finally {
      server.rows("DROP TRIGGER outbox_seen ON outbox");
      server.rows("DROP FUNCTION outbox_seen()");
      server.rows("DROP TABLE outbox_seen");
    }
  }

  @Test
  void callsReachTheWebhooksWhenTheyStartAreAnsweredMissedAndEnd() {
    register(admin(), "/ok/calls", "call.started", "call.answered", "call.missed", "call.ended");
    String alice = user("alice");
    String bob = user("bob");
    String carol = user("carol");
    WsClient b = server.socket(bob);
    b.awaitEvent(Events.SESSION_WELCOME);
    // Bob is online and answers; Carol is offline: a missed call.
    String callId = api.instantCall(alice, bob, carol).getString("meetingId");
    b.awaitEvent(Events.CALL_INCOMING);
    api.acceptCall(callId, bob);
    api.leaveCall(callId, bob);
    api.leaveCall(callId, alice);

    List<Received> got = receiver.await("/ok/calls", r -> types(r).containsAll(
        List.of("call.started", "call.answered", "call.missed", "call.ended")));
    assertThat(got).allSatisfy(r -> assertThat(r.json().getJsonObject("data").getString("callId")).isEqualTo(callId));
    JsonObject started = byType(got, "call.started");
    assertThat(started.getString("callerId")).isEqualTo(alice);
    assertThat(started.getJsonArray("calleeIds")).containsExactlyInAnyOrder(bob, carol);
    assertThat(byType(got, "call.answered").getString("userId")).isEqualTo(bob);
    assertThat(byType(got, "call.missed").getString("userId")).isEqualTo(carol);
    assertThat(byType(got, "call.ended").getString("reason")).isNotEmpty();
    assertThat(types(got).stream().filter(t -> t.equals("call.ended"))).as("one end per call").hasSize(1);
    b.close();
  }

  private static JsonObject byType(List<Received> got, String type) {
    return got.stream().map(Received::json).filter(j -> j.getString("type").equals(type)).findFirst().orElseThrow()
        .getJsonObject("data");
  }

  private static List<String> types(List<Received> got) {
    return got.stream().map(r -> r.json().getString("type")).toList();
  }

  @Test
  void webhooksAreForAdminsAndBadInputIsRefusedWithTheFieldNamed() {
    String admin = admin();
    String someone = server.token(user("someone"));
    JsonObject valid = new JsonObject().put("url", receiver.url("/ok/x")).put("events", new JsonArray().add("*"));
    assertThat(server.post("/api/webhooks", someone, valid).statusCode()).isEqualTo(403);
    assertThat(server.get("/api/webhooks", someone).statusCode()).isEqualTo(403);
    assertThat(server.post("/api/webhooks", null, valid).statusCode()).isEqualTo(401);

    assertThat(server.post("/api/webhooks", admin, null).statusCode()).isEqualTo(400);
    assertThat(server.post("/api/webhooks", admin, "[1,2]").statusCode()).isEqualTo(400);
    assertThat(server.post("/api/webhooks", admin, "{not json").statusCode()).isEqualTo(400);
    JsonObject unknown = json(server.post("/api/webhooks", admin, valid.copy()
        .put("events", new JsonArray().add("meeting.created").add("meeting.exploded").add("nope"))), 400);
    assertThat(unknown.encode()).contains("meeting.exploded").contains("nope");
    assertThat(json(server.post("/api/webhooks", admin, valid.copy().put("events", new JsonArray())), 400)
        .encode()).contains("events");
    assertThat(json(server.post("/api/webhooks", admin, valid.copy().put("events", "meeting.created")), 400)
        .encode()).contains("events");
    assertThat(json(server.post("/api/webhooks", admin, valid.copy().put("events", new JsonArray().add(7))), 400)
        .encode()).contains("events");
    assertThat(json(server.post("/api/webhooks", admin, valid.copy().put("url", 42)), 400).encode()).contains("url");
    assertThat(json(server.post("/api/webhooks", admin, valid.copy().put("url", "ftp://example.org/x")), 400)
        .encode()).contains("url");
    assertThat(json(server.post("/api/webhooks", admin, valid.copy().put("url", "not a url")), 400).encode()).contains("url");
    assertThat(json(server.post("/api/webhooks", admin, valid.copy().put("url", "http://u:p@127.0.0.1/x")), 400)
        .encode()).contains("credentials");
    assertThat(json(server.post("/api/webhooks", admin, valid.copy().put("url", "http://127.0.0.1/" + "a".repeat(100_000))), 400)
        .encode()).contains("url");
    assertThat(json(server.post("/api/webhooks", admin, valid.copy().put("description", "d".repeat(501))), 400)
        .encode()).contains("description");
    assertThat(json(server.post("/api/webhooks", admin, valid.copy().put("secret", "mine")), 400).encode()).contains("secret");

    String id = json(server.post("/api/webhooks", admin, valid), 201).getString("webhookId");
    assertThat(server.get("/api/webhooks/wh_nope", admin).statusCode()).isEqualTo(404);
    assertThat(server.get("/api/webhooks/" + "x".repeat(1000), admin).statusCode()).isEqualTo(404);
    assertThat(server.delete("/api/webhooks/wh_nope", admin, null).statusCode()).isEqualTo(404);
    assertThat(server.patch("/api/webhooks/wh_nope", admin, new JsonObject().put("enabled", true)).statusCode()).isEqualTo(404);
    assertThat(server.post("/api/webhooks/wh_nope/test", admin, null).statusCode()).isEqualTo(404);
    assertThat(server.get("/api/webhooks/wh_nope/deliveries", admin).statusCode()).isEqualTo(404);
    assertThat(server.post("/api/webhooks/" + id + "/deliveries/dlv_nope/retry", admin, null).statusCode()).isEqualTo(404);
    assertThat(server.post("/api/webhooks/" + id + "/deliveries/dlv_" + "0".repeat(32) + "/retry", admin, null)
        .statusCode()).isEqualTo(404);
    assertThat(server.patch("/api/webhooks/" + id, admin, new JsonObject().put("enabled", "yes")).statusCode()).isEqualTo(400);
    assertThat(server.patch("/api/webhooks/" + id, admin, new JsonObject().put("colour", "red")).statusCode()).isEqualTo(400);
    assertThat(server.patch("/api/webhooks/" + id, admin, null).statusCode()).isEqualTo(400);
    assertThat(server.get("/api/webhooks?limit=0", admin).statusCode()).isEqualTo(400);
    assertThat(server.get("/api/webhooks?limit=abc", admin).statusCode()).isEqualTo(400);
    assertThat(server.get("/api/webhooks?cursor=%%%", admin).statusCode()).isEqualTo(400);
    assertThat(server.get("/api/webhooks?cursor=bm9wZQ", admin).statusCode()).isEqualTo(400);
    assertThat(server.get("/api/webhooks/" + id + "/deliveries?cursor=zz", admin).statusCode()).isEqualTo(400);
    assertThat(server.patch("/api/webhooks/" + id, someone, new JsonObject().put("enabled", false)).statusCode()).isEqualTo(403);
    assertThat(server.delete("/api/webhooks/" + id, someone, null).statusCode()).isEqualTo(403);

    JsonObject changed = json(server.patch("/api/webhooks/" + id, admin, new JsonObject()
        .put("events", new JsonArray().add("call.missed").add("call.ended")).put("description", "calls")
        .put("enabled", false)), 200);
    assertThat(changed.getJsonArray("events")).containsExactly("call.missed", "call.ended");
    assertThat(changed.getBoolean("enabled")).isFalse();
    assertThat(changed.getString("description")).isEqualTo("calls");
    assertThat(server.delete("/api/webhooks/" + id, admin, null).statusCode()).isEqualTo(204);
    assertThat(server.get("/api/webhooks/" + id, admin).statusCode()).isEqualTo(404);
  }

  @Test
  void theListIsPaged() {
    String admin = admin();
    for (int i = 0; i < 5; i++) {
      register(admin, "/ok/page" + i, "webhook.test");
      clock.advance(Duration.ofMillis(1));
    }
    JsonObject first = json(server.get("/api/webhooks?limit=2", admin), 200);
    JsonObject second = json(server.get("/api/webhooks?limit=2&cursor=" + first.getString("nextCursor"), admin), 200);
    JsonObject third = json(server.get("/api/webhooks?limit=2&cursor=" + second.getString("nextCursor"), admin), 200);
    assertThat(third.containsKey("nextCursor")).isFalse();
    List<String> urls = java.util.stream.Stream.of(first, second, third)
        .flatMap(p -> p.getJsonArray("items").stream()).map(o -> ((JsonObject) o).getString("url")).toList();
    assertThat(urls).containsExactly(receiver.url("/ok/page4"), receiver.url("/ok/page3"), receiver.url("/ok/page2"),
        receiver.url("/ok/page1"), receiver.url("/ok/page0"));
  }
}
