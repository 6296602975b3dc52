package io.convene.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convene.testing.Api.Guest;
import io.convene.testing.FakeLiveKit;
import io.convene.testing.ServerTestBase;
import io.convene.testing.WebhookReceiver;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The audit log records every change to a meeting with its actor, in the change's transaction; owners
 * and managers read a meeting's log, admins search all of it; it is append-only, kept for its own
 * retention, and outlives the purge of its meeting.
 */
@Timeout(180)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuditIT extends ServerTestBase {
  private static final Vertx SIDE = Vertx.vertx();
  private static FakeLiveKit liveKit;
  private static WebhookReceiver receiver;
  /** The meeting of the walk-through, purged by the last test. */
  private static String walked;

  @Override
  protected JsonObject overrides() {
    liveKit = FakeLiveKit.start(SIDE);
    receiver = WebhookReceiver.start(SIDE);
    return new JsonObject()
        .put("livekit", new JsonObject().put("url", liveKit.url()).put("apiKey", FakeLiveKit.KEY)
            .put("apiSecret", FakeLiveKit.SECRET))
        .put("webhooks", new JsonObject().put("sweepMillis", 50));
  }

  @AfterAll
  void stopFakes() {
    liveKit.close();
    receiver.close();
    SIDE.close().await();
  }

  private String adminToken() {
    return server.token(user("auditor"), "Auditor", List.of("admin"));
  }

  @Test
  @Order(1)
  void everyAuditedActionIsRecordedWithItsActorAndTheWebhooksHearOfTheLiveOnes() {
    json(server.post("/api/webhooks", adminToken(), new JsonObject().put("url", receiver.url("/ok/all"))
        .put("events", new JsonArray().add("*"))), 201);
    String owner = user("owner");
    String mia = user("mia");
    String max = user("max");
    String bob = user("bob");
    String dan = user("dan");
    String carl = user("carl");
    String id = api.meeting(owner).title("Board").from(30).to(90).waitingRoom().allowExternal()
        .invite(mia, max, bob, dan).createId();
    walked = id;
    api.update(id, owner, new JsonObject().put("title", "Board 2"));
    api.updateSettings(id, owner, new JsonObject().put("muteOnJoin", true));
    api.invite(id, owner, carl);
    api.respond(id, max, "accepted");
    api.assignRole(id, owner, mia, "manager");
    api.remove(id, owner, carl);
    api.ban(id, owner, bob);
    String link = api.link(id, mia).getString("token");
    api.start(id, owner);
    api.join(id, owner);
    api.expect(202).join(id, max);
    api.admit(id, mia, max);
    api.join(id, max);
    api.expect(202).join(id, dan);
    api.decline(id, owner, dan);
    Guest gina = api.register(link, "Gina");
    gina.ask();
    api.admitGuest(id, max, gina);
    Guest otto = api.register(link, "Otto");
    otto.ask();
    api.declineGuest(id, owner, otto);
    api.removeGuest(gina, owner);
    liveKit.inRoom(id, max);
    api.mute(id, owner, max);
    api.leave(id, max);
    api.end(id, owner);
    String cancelled = api.meeting(owner).title("Cancelled").createId();
    api.cancel(cancelled, owner);
    String deleted = api.meeting(owner).title("Deleted").createId();
    api.cancelAll(owner, deleted);

    List<JsonObject> log = all("/api/meetings/" + id + "/audit", api.token(owner));
    Map<String, String> expected = new java.util.LinkedHashMap<>();
    expected.put("meeting.created", owner);
    expected.put("meeting.updated", owner);
    expected.put("meeting.settings_changed", owner);
    expected.put("participant.invited", owner);
    expected.put("participant.responded", max);
    expected.put("participant.role_changed", owner);
    expected.put("participant.removed", owner);
    expected.put("participant.banned", owner);
    expected.put("link.generated", mia);
    expected.put("meeting.started", owner);
    expected.put("lobby.admitted", mia);
    expected.put("lobby.declined", owner);
    expected.put("guest.admitted", max);
    expected.put("guest.declined", owner);
    expected.put("guest.removed", owner);
    expected.put("participant.muted", owner);
    expected.put("meeting.ended", owner);
    expected.forEach((action, actor) -> assertThat(log)
        .as(action + " by " + actor)
        .anySatisfy(e -> {
          assertThat(e.getString("action")).isEqualTo(action);
          assertThat(e.getString("actorId")).isEqualTo(actor);
          assertThat(e.getString("meetingId")).isEqualTo(id);
          assertThat(e.getString("auditId")).startsWith("aud_");
          assertThat(Instant.parse(e.getString("at"))).isNotNull();
        }));
    assertThat(log.get(log.size() - 1).getString("action")).as("oldest last").isEqualTo("meeting.created");
    JsonObject ban = log.stream().filter(e -> e.getString("action").equals("participant.banned")).findFirst().orElseThrow();
    assertThat(ban.getJsonObject("details").getString("userId")).isEqualTo(bob);
    JsonObject edit = log.stream().filter(e -> e.getString("action").equals("meeting.updated")).findFirst().orElseThrow();
    assertThat(edit.getJsonObject("details").getJsonObject("changes").getJsonObject("title").getString("from"))
        .isEqualTo("Board");
    assertThat(all("/api/meetings/" + cancelled + "/audit", api.token(owner)))
        .extracting(e -> e.getString("action")).containsExactly("meeting.cancelled", "meeting.created");
    assertThat(all("/api/audit?meetingId=" + deleted, adminToken()))
        .extracting(e -> e.getString("action")).containsExactly("meeting.deleted", "meeting.created");

    receiver.await("/ok/all", got -> types(got).containsAll(List.of("meeting.created", "meeting.updated",
        "participant.invited", "meeting.started", "participant.joined", "participant.left", "guest.waiting",
        "guest.admitted", "guest.declined", "meeting.ended", "meeting.cancelled")));
    JsonObject admitted = receiver.received("/ok/all").stream().map(r -> r.json())
        .filter(b -> b.getString("type").equals("guest.admitted"))
        .filter(b -> b.getJsonObject("data").getString("kind").equals("guest")).findFirst().orElseThrow();
    assertThat(admitted.getJsonObject("data").getString("sessionId")).isEqualTo(gina.sessionId());
    assertThat(admitted.getJsonObject("data").getString("decidedBy")).isEqualTo(max);
    server.rows("DELETE FROM webhooks");
  }

  private static List<String> types(List<WebhookReceiver.Received> got) {
    return got.stream().map(r -> r.json().getString("type")).toList();
  }

  /** Every entry behind a paged route, following its cursors (three at a time). */
  private List<JsonObject> all(String path, String token) {
    List<JsonObject> out = new ArrayList<>();
    String cursor = null;
    do {
      String sep = path.contains("?") ? "&" : "?";
      JsonObject page = json(server.get(path + sep + "limit=3" + (cursor == null ? "" : "&cursor=" + cursor), token), 200);
      page.getJsonArray("items").forEach(o -> out.add((JsonObject) o));
      assertThat(page.getJsonArray("items").size()).isLessThanOrEqualTo(3);
      cursor = page.getString("nextCursor");
    } while (cursor != null);
    return out;
  }

  @Test
  @Order(2)
  void onlyOwnersManagersAndAdminsReadAMeetingsLog() {
    String owner = user("owner");
    String manager = user("manager");
    String member = user("member");
    String id = api.meeting(owner).invite(manager, member).createId();
    api.assignRole(id, owner, manager, "manager");
    String path = "/api/meetings/" + id + "/audit";
    assertThat(json(server.get(path, api.token(owner)), 200).getJsonArray("items")).isNotEmpty();
    assertThat(json(server.get(path, api.token(manager)), 200).getJsonArray("items")).isNotEmpty();
    assertThat(json(server.get(path, adminToken()), 200).getJsonArray("items")).isNotEmpty();
    assertThat(server.get(path, api.token(member)).statusCode()).isEqualTo(403);
    assertThat(server.get(path, api.token(user("stranger"))).statusCode()).isEqualTo(404);
    assertThat(server.get(path, null).statusCode()).isEqualTo(401);
    assertThat(server.get("/api/meetings/mtg_nope/audit", api.token(owner)).statusCode()).isEqualTo(404);
    assertThat(server.get(path + "?cursor=garbage!", api.token(owner)).statusCode()).isEqualTo(400);
    assertThat(server.get(path + "?limit=1000", api.token(owner)).statusCode()).isEqualTo(400);
    assertThat(server.get("/api/audit", api.token(owner)).statusCode()).isEqualTo(403);
  }

  @Test
  @Order(3)
  void adminsFilterByActorActionMeetingAndTimeAndPageThrough() {
    String admin = adminToken();
    String alice = user("alice");
    String bert = user("bert");
    String a1 = api.meeting(alice).title("A1").createId();
    clock.advance(Duration.ofMinutes(1));
    Instant between = clock.instant();
    clock.advance(Duration.ofMinutes(1));
    String a2 = api.meeting(alice).title("A2").invite(bert).createId();
    api.respond(a2, bert, "declined");
    api.update(a1, alice, new JsonObject().put("title", "A1 again"));

    assertThat(all("/api/audit?actor=" + alice, admin)).extracting(e -> e.getString("action"))
        .containsExactly("meeting.updated", "meeting.created", "meeting.created");
    assertThat(all("/api/audit?actor=" + bert, admin)).extracting(e -> e.getString("meetingId")).containsExactly(a2);
    assertThat(all("/api/audit?actor=" + alice + "&action=meeting.created", admin))
        .extracting(e -> e.getString("meetingId")).containsExactly(a2, a1);
    assertThat(all("/api/audit?actor=" + alice + "&meetingId=" + a1, admin)).hasSize(2);
    String from = URLEncoder.encode(between.toString(), StandardCharsets.UTF_8);
    assertThat(all("/api/audit?actor=" + alice + "&from=" + from, admin)).extracting(e -> e.getString("meetingId"))
        .containsExactly(a1, a2);
    assertThat(all("/api/audit?actor=" + alice + "&to=" + from, admin)).extracting(e -> e.getString("meetingId"))
        .containsExactly(a1);

    List<JsonObject> everything = all("/api/audit", admin);
    Set<String> ids = new HashSet<>();
    everything.forEach(e -> assertThat(ids.add(e.getString("auditId"))).as("no entry twice").isTrue());
    assertThat(everything).hasSize(server.rows("SELECT id FROM audit_log").size());

    assertThat(json(server.get("/api/audit?action=meeting.exploded", admin), 400).encode()).contains("action");
    assertThat(json(server.get("/api/audit?from=yesterday", admin), 400).encode()).contains("from");
    assertThat(server.get("/api/audit?cursor=%%", admin).statusCode()).isEqualTo(400);
    assertThat(server.get("/api/audit?limit=0", admin).statusCode()).isEqualTo(400);
  }

  @Test
  @Order(4)
  void theLogIsAppendOnlyAndKeptForItsOwnRetention() {
    assertThatThrownBy(() -> server.rows("UPDATE audit_log SET action = 'meeting.forged'"))
        .hasMessageContaining("append-only");
    assertThatThrownBy(() -> server.rows("DELETE FROM audit_log")).hasMessageContaining("append-only");
    assertThatThrownBy(() -> server.rows("TRUNCATE audit_log")).hasMessageContaining("append-only");

    OffsetDateTime old = clock.instant().minus(Duration.ofDays(366)).atOffset(ZoneOffset.UTC);
    OffsetDateTime recent = clock.instant().minus(Duration.ofDays(364)).atOffset(ZoneOffset.UTC);
    server.rows("INSERT INTO audit_log (at, actor_id, action, meeting_id, details) VALUES"
        + " ($1, 'ancient', 'meeting.created', 'mtg_old', '{}'), ($2, 'ancient', 'meeting.created', 'mtg_recent', '{}')",
        old, recent);
    server.awaitRows(List::isEmpty, "SELECT id FROM audit_log WHERE meeting_id = 'mtg_old'");
    assertThat(server.rows("SELECT id FROM audit_log WHERE meeting_id = 'mtg_recent'")).hasSize(1);
  }

  @Test
  @Order(5)
  void entriesOutliveThePurgeOfTheirMeeting() {
    int before = server.rows("SELECT id FROM audit_log WHERE meeting_id = $1", walked).size();
    assertThat(before).isGreaterThan(10);
    // The walk-through meeting ended; its rows go 8 hours after its scheduled end (retentionHours).
    clock.advance(Duration.ofHours(10));
    server.awaitRows(List::isEmpty, "SELECT id FROM meetings WHERE id = $1", walked);
    assertThat(server.rows("SELECT id FROM audit_log WHERE meeting_id = $1", walked)).hasSize(before);
    assertThat(all("/api/audit?meetingId=" + walked, adminToken())).hasSize(before);
  }
}
