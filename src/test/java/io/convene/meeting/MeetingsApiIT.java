package io.convene.meeting;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.protocol.Events;
import io.convene.testing.ServerTestBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(120)
class MeetingsApiIT extends ServerTestBase {

  private JsonObject create(String ownerToken, JsonObject body) {
    return json(server.post("/api/meetings", ownerToken, body), 201);
  }

  private static JsonObject meeting(String title, int startMin, int endMin, String... invitees) {
    return new JsonObject().put("title", title).put("startTime", at(startMin)).put("endTime", at(endMin))
        .put("participantIds", new JsonArray(List.of(invitees)));
  }

  @Test
  void createStoresMeetingAndParticipantsAndTellsEveryone() {
    String alice = user("alice");
    String bob = user("bob");
    String carol = user("carol");
    JsonObject created = create(server.token(alice, "Alice", List.of()),
        meeting("Planning", 60, 90, bob, carol).put("maxParticipants", 10).put("allowExternal", true)
            .put("settings", new JsonObject().put("voiceOnly", true).put("waitingRoom", true)));

    String id = created.getString("meetingId");
    assertThat(id).startsWith("mtg_").hasSizeGreaterThanOrEqualTo(4 + 22);
    assertThat(created.getString("status")).isEqualTo("scheduled");
    assertThat(created.getString("createdBy")).isEqualTo(alice);
    assertThat(created.getJsonObject("settings").getBoolean("voiceOnly")).isTrue();
    assertThat(created.getJsonArray("participants").stream().map(p -> ((JsonObject) p).getString("userId") + ":"
        + ((JsonObject) p).getString("role") + ":" + ((JsonObject) p).getString("status")))
        .containsExactlyInAnyOrder(alice + ":owner:accepted", bob + ":member:invited", carol + ":member:invited");

    List<JsonObject> rows = server.rows("SELECT * FROM meetings WHERE id = $1", id);
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).getString("title")).isEqualTo("Planning");
    assertThat(rows.get(0).getInteger("max_participants")).isEqualTo(10);
    assertThat(rows.get(0).getBoolean("voice_only")).isTrue();
    assertThat(rows.get(0).getBoolean("waiting_room")).isTrue();
    assertThat(rows.get(0).getBoolean("allow_external")).isTrue();
    assertThat(server.rows("SELECT user_id, role FROM meeting_participants WHERE meeting_id = $1 ORDER BY role", id))
        .hasSize(3);
    assertThat(server.rows("SELECT display_name FROM users WHERE id = $1", alice).get(0).getString("display_name"))
        .isEqualTo("Alice");

    for (String u : List.of(alice, bob, carol)) {
      JsonObject event = server.events.await(u, Events.MEETING_CREATED, d -> id.equals(d.getString("meetingId")));
      assertThat(event.getString("title")).isEqualTo("Planning");
    }
  }

  @Test
  void overlappingMeetingsAreAllowedWithWarnings() {
    String alice = user("alice");
    String bob = user("bob");
    String first = create(server.token(alice), meeting("First", 60, 120, bob)).getString("meetingId");
    JsonObject second = create(server.token(alice), meeting("Second", 90, 150, bob));
    JsonArray warnings = second.getJsonArray("warnings");
    assertThat(warnings).isNotNull();
    assertThat(warnings.stream().map(w -> ((JsonObject) w).getString("userId") + "@" + ((JsonObject) w).getString("meetingId")))
        .containsExactlyInAnyOrder(alice + "@" + first, bob + "@" + first);
    assertThat(warnings.getJsonObject(0).getString("code")).isEqualTo("overlap");

    JsonObject third = create(server.token(alice), meeting("Later", 200, 230, bob));
    assertThat(third.containsKey("warnings")).isFalse();
  }

  @Test
  void listFiltersSearchAndPaginates() {
    String dana = user("dana");
    String erin = user("erin");
    String t = server.token(dana);
    for (int i = 0; i < 5; i++) {
      create(t, meeting("Sprint review " + i, 60 + i * 10, 65 + i * 10, erin));
    }
    create(server.token(erin), meeting("Erin's own", 300, 330, dana));

    JsonObject page1 = json(server.get("/api/meetings?filter=upcoming&limit=2", t), 200);
    assertThat(titles(page1)).containsExactly("Sprint review 0", "Sprint review 1");
    JsonObject page2 = json(server.get("/api/meetings?filter=upcoming&limit=2&cursor=" + page1.getString("nextCursor"), t), 200);
    assertThat(titles(page2)).containsExactly("Sprint review 2", "Sprint review 3");
    JsonObject page3 = json(server.get("/api/meetings?filter=upcoming&limit=2&cursor=" + page2.getString("nextCursor"), t), 200);
    assertThat(titles(page3)).containsExactly("Sprint review 4", "Erin's own");
    assertThat(page3.containsKey("nextCursor")).isFalse();

    assertThat(titles(json(server.get("/api/meetings?filter=created", t), 200))).hasSize(5).doesNotContain("Erin's own");
    assertThat(titles(json(server.get("/api/meetings?filter=my&q=erin", t), 200))).containsExactly("Erin's own");
    assertThat(titles(json(server.get("/api/meetings?filter=upcoming&q=REVIEW%203", t), 200))).containsExactly("Sprint review 3");
    assertThat(titles(json(server.get("/api/meetings?filter=past", t), 200))).isEmpty();
    assertThat(titles(json(server.get("/api/meetings?filter=upcoming&status=in_progress", t), 200))).isEmpty();
  }

  private static List<String> titles(JsonObject page) {
    return page.getJsonArray("items").stream().map(o -> ((JsonObject) o).getString("title")).collect(Collectors.toList());
  }

  @Test
  void someoneElsesMeetingIsNotFoundAndMembersCannotEdit() {
    String alice = user("alice");
    String bob = user("bob");
    String mallory = user("mallory");
    String id = create(server.token(alice), meeting("Private", 60, 90, bob)).getString("meetingId");

    JsonObject problem = json(server.get("/api/meetings/" + id, server.token(mallory)), 404);
    assertThat(problem.getString("code")).isEqualTo("not_found");
    json(server.patch("/api/meetings/" + id, server.token(mallory), new JsonObject().put("title", "x")), 404);
    json(server.get("/api/meetings/" + id, server.token(bob)), 200);

    JsonObject forbidden = json(server.patch("/api/meetings/" + id, server.token(bob), new JsonObject().put("title", "x")), 403);
    assertThat(forbidden.getString("code")).isEqualTo("forbidden");
    json(server.delete("/api/meetings/" + id, server.token(bob), null), 403);
    assertThat(server.rows("SELECT title, status FROM meetings WHERE id = $1", id).get(0).getString("title")).isEqualTo("Private");

    JsonObject asAdmin = json(server.get("/api/meetings/" + id, server.token(mallory, null, List.of("admin"))), 200);
    assertThat(asAdmin.getString("myRole")).isEqualTo("owner");
  }

  @Test
  void patchByManagerUpdatesAndNotifies() {
    String alice = user("alice");
    String bob = user("bob");
    String id = create(server.token(alice), meeting("Old title", 60, 90, bob)).getString("meetingId");
    json(server.post("/api/meetings/" + id + "/roles", server.token(alice),
        new JsonObject().put("userId", bob).put("role", "manager")), 200);

    JsonObject updated = json(server.patch("/api/meetings/" + id, server.token(bob), new JsonObject()
        .put("title", "New title").put("endTime", at(120)).put("settings", new JsonObject().put("muteOnJoin", true))), 200);
    assertThat(updated.getString("title")).isEqualTo("New title");
    assertThat(updated.getString("endTime")).isEqualTo(at(120));
    assertThat(updated.getJsonObject("settings").getBoolean("muteOnJoin")).isTrue();
    JsonObject row = server.rows("SELECT title, end_time, mute_on_join FROM meetings WHERE id = $1", id).get(0);
    assertThat(row.getString("title")).isEqualTo("New title");
    assertThat(row.getBoolean("mute_on_join")).isTrue();
    server.events.await(alice, Events.MEETING_UPDATED, d -> "New title".equals(d.getString("title")));

    JsonObject bad = json(server.patch("/api/meetings/" + id, server.token(bob), new JsonObject().put("endTime", at(30))), 400);
    assertThat(bad.getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo("endTime");
  }

  @Test
  void lifecycleStartEndAndCancel() {
    String alice = user("alice");
    String bob = user("bob");
    String t = server.token(alice);
    String id = create(t, meeting("Lifecycle", 60, 90, bob)).getString("meetingId");

    json(server.post("/api/meetings/" + id + "/end", t, null), 409);
    json(server.post("/api/meetings/" + id + "/start", server.token(bob), null), 403);
    JsonObject started = json(server.post("/api/meetings/" + id + "/start", t, null), 200);
    assertThat(started.getString("status")).isEqualTo("in_progress");
    assertThat(started.getString("startedAt")).isEqualTo(T0.toString());
    server.events.await(bob, Events.MEETING_STARTED, d -> id.equals(d.getString("meetingId")));
    json(server.post("/api/meetings/" + id + "/start", t, null), 200);

    JsonObject ended = json(server.post("/api/meetings/" + id + "/end", t, null), 200);
    assertThat(ended.getString("status")).isEqualTo("ended");
    server.events.await(bob, Events.MEETING_ENDED, d -> id.equals(d.getString("meetingId")));
    assertThat(server.rows("SELECT status FROM meetings WHERE id = $1", id).get(0).getString("status")).isEqualTo("ended");
    json(server.delete("/api/meetings/" + id, t, null), 409);

    String other = create(t, meeting("To cancel", 60, 90, bob)).getString("meetingId");
    assertThat(server.delete("/api/meetings/" + other, t, null).statusCode()).isEqualTo(204);
    assertThat(server.delete("/api/meetings/" + other, t, null).statusCode()).isEqualTo(204);
    server.events.await(bob, Events.MEETING_CANCELLED, d -> other.equals(d.getString("meetingId")));
    assertThat(server.rows("SELECT status FROM meetings WHERE id = $1", other).get(0).getString("status")).isEqualTo("cancelled");
  }

  @Test
  void bulkDeleteReportsEachMeeting() {
    String alice = user("alice");
    String bob = user("bob");
    String a1 = create(server.token(alice), meeting("A1", 60, 90, bob)).getString("meetingId");
    String a2 = create(server.token(alice), meeting("A2", 60, 90)).getString("meetingId");
    String b1 = create(server.token(bob), meeting("B1", 60, 90, alice)).getString("meetingId");

    JsonObject result = json(server.delete("/api/meetings/bulk", server.token(alice),
        new JsonObject().put("meetingIds", new JsonArray().add(a1).add(a2).add(b1).add("mtg_doesnotexist"))), 200);
    assertThat(result.getInteger("deleted")).isEqualTo(2);
    assertThat(result.getInteger("failed")).isEqualTo(2);
    assertThat(result.getJsonArray("errors").stream().map(e -> ((JsonObject) e).getString("meetingId") + ":"
        + ((JsonObject) e).getString("reason"))).containsExactlyInAnyOrder(b1 + ":forbidden", "mtg_doesnotexist:not_found");
    assertThat(server.rows("SELECT id FROM meetings WHERE id = ANY($1)", (Object) new String[] {a1, a2, b1}))
        .extracting(r -> r.getString("id")).containsExactly(b1);
    server.events.await(bob, Events.MEETING_CANCELLED, d -> a1.equals(d.getString("meetingId")));
  }

  @Test
  void inviteRemoveBanAndRespond() {
    String alice = user("alice");
    String bob = user("bob");
    String carol = user("carol");
    String dave = user("dave");
    String t = server.token(alice);
    String id = create(t, meeting("Team", 60, 90, bob)).getString("meetingId");

    JsonObject invited = json(server.post("/api/meetings/" + id + "/participants", t,
        new JsonObject().put("userIds", new JsonArray().add(carol).add(dave).add(bob))), 200);
    assertThat(invited.getJsonArray("invited").stream().map(p -> ((JsonObject) p).getString("userId"))).containsExactlyInAnyOrder(carol, dave);
    assertThat(invited.getJsonArray("skipped").getJsonObject(0).getString("reason")).isEqualTo("already_participant");
    server.events.await(carol, Events.MEETING_INVITED, d -> id.equals(d.getString("meetingId")));
    server.events.await(bob, Events.MEETING_PARTICIPANTS_INVITED, d -> d.getJsonArray("userIds").contains(carol));

    JsonObject accepted = json(server.patch("/api/meetings/" + id + "/participants/me", server.token(carol),
        new JsonObject().put("status", "accepted")), 200);
    assertThat(accepted.getString("status")).isEqualTo("accepted");
    json(server.patch("/api/meetings/" + id + "/participants/" + carol, server.token(bob),
        new JsonObject().put("status", "declined")), 403);

    json(server.delete("/api/meetings/" + id + "/participants/" + dave, server.token(bob), null), 403);
    assertThat(server.delete("/api/meetings/" + id + "/participants/" + dave, t, null).statusCode()).isEqualTo(204);
    server.events.await(dave, Events.MEETING_REMOVED, d -> id.equals(d.getString("meetingId")));
    assertThat(server.rows("SELECT 1 FROM meeting_participants WHERE meeting_id = $1 AND user_id = $2", id, dave)).isEmpty();

    assertThat(server.delete("/api/meetings/" + id + "/participants/" + carol + "?ban=true", t, null).statusCode()).isEqualTo(204);
    assertThat(server.rows("SELECT status FROM meeting_participants WHERE meeting_id = $1 AND user_id = $2", id, carol)
        .get(0).getString("status")).isEqualTo("banned");
    json(server.get("/api/meetings/" + id, server.token(carol)), 404);
    JsonObject again = json(server.post("/api/meetings/" + id + "/participants", t,
        new JsonObject().put("userIds", new JsonArray().add(carol))), 200);
    assertThat(again.getJsonArray("invited")).isEmpty();
    assertThat(again.getJsonArray("skipped").getJsonObject(0).getString("reason")).isEqualTo("banned");

    json(server.delete("/api/meetings/" + id + "/participants/" + alice, t, null), 409);
  }

  @Test
  void inviteIntoMeetingInProgressSendsLiveInvite() {
    String alice = user("alice");
    String zed = user("zed");
    String t = server.token(alice);
    String id = create(t, meeting("Live", 0, 60)).getString("meetingId");
    json(server.post("/api/meetings/" + id + "/start", t, null), 200);
    json(server.post("/api/meetings/" + id + "/participants", t, new JsonObject().put("userIds", new JsonArray().add(zed))), 200);
    JsonObject live = server.events.await(zed, Events.MEETING_LIVE_INVITE_SENT, d -> id.equals(d.getString("meetingId")));
    assertThat(live.getString("invitedBy")).isEqualTo(alice);
  }

  @Test
  void rolesAreAssignedByTheOwnerAndOwnershipTransfers() {
    String alice = user("alice");
    String bob = user("bob");
    String carol = user("carol");
    String id = create(server.token(alice), meeting("Roles", 60, 90, bob, carol)).getString("meetingId");

    json(server.post("/api/meetings/" + id + "/roles", server.token(bob), new JsonObject().put("userId", carol).put("role", "manager")), 403);
    json(server.post("/api/meetings/" + id + "/roles", server.token(alice), new JsonObject().put("userId", bob).put("role", "owner")), 200);
    List<JsonObject> roles = server.rows("SELECT user_id, role FROM meeting_participants WHERE meeting_id = $1 AND role = 'owner'", id);
    assertThat(roles).hasSize(1);
    assertThat(roles.get(0).getString("user_id")).isEqualTo(bob);
    assertThat(server.rows("SELECT role FROM meeting_participants WHERE meeting_id = $1 AND user_id = $2", id, alice)
        .get(0).getString("role")).isEqualTo("manager");
    server.events.await(carol, Events.MEETING_ROLE_CHANGED, d -> bob.equals(d.getString("userId")) && "owner".equals(d.getString("role")));
    json(server.post("/api/meetings/" + id + "/roles", server.token(alice), new JsonObject().put("userId", carol).put("role", "manager")), 403);

    JsonObject matrix = json(server.get("/api/meetings/roles", server.token(carol)), 200);
    assertThat(matrix.getJsonObject("permissions").getJsonArray("assign_roles")).containsExactly("owner");
  }

  @Test
  void settingsPatchByManager() {
    String alice = user("alice");
    String bob = user("bob");
    String id = create(server.token(alice), meeting("Settings", 60, 90, bob)).getString("meetingId");
    json(server.patch("/api/meetings/" + id + "/settings", server.token(bob), new JsonObject().put("waitingRoom", true)), 403);
    json(server.post("/api/meetings/" + id + "/roles", server.token(alice), new JsonObject().put("userId", bob).put("role", "manager")), 200);
    JsonObject out = json(server.patch("/api/meetings/" + id + "/settings", server.token(bob),
        new JsonObject().put("waitingRoom", true).put("voiceOnly", true).put("allowExternal", true).put("maxParticipants", 5)), 200);
    assertThat(out.getJsonObject("settings").getBoolean("waitingRoom")).isTrue();
    assertThat(out.getInteger("maxParticipants")).isEqualTo(5);
    assertThat(out.getBoolean("allowExternal")).isTrue();
    json(server.patch("/api/meetings/" + id + "/settings", server.token(bob), new JsonObject().put("title", "x")), 400);
  }

  @Test
  void recurringSeriesCreatesInstancesAndCanBeCancelledWhole() {
    String alice = user("alice");
    String bob = user("bob");
    String t = server.token(alice);
    JsonObject created = create(t, meeting("Weekly", 60, 90)
        .put("participantIds", new JsonArray().add(bob))
        .put("recurrence", new JsonObject().put("frequency", "weekly").put("count", 4)));
    JsonArray instances = created.getJsonArray("instances");
    assertThat(instances).hasSize(4);
    String first = created.getString("meetingId");
    assertThat(instances.getJsonObject(3).getString("startTime")).isEqualTo(T0.plusSeconds(3600 + 3 * 7 * 86400L).toString());
    List<JsonObject> children = server.rows("SELECT id FROM meetings WHERE parent_meeting_id = $1", first);
    assertThat(children).hasSize(3);
    // Only the first instance carries the rule; every instance seats the owner and the invitee.
    assertThat(server.rows("SELECT id FROM meetings WHERE recurrence IS NOT NULL AND (id = $1 OR parent_meeting_id = $1)",
        first)).extracting(r -> r.getString("id")).containsExactly(first);
    assertThat(server.rows("SELECT p.role, p.status, count(*) AS n FROM meeting_participants p JOIN meetings m"
        + " ON m.id = p.meeting_id WHERE m.id = $1 OR m.parent_meeting_id = $1 GROUP BY 1, 2 ORDER BY 1", first))
        .extracting(r -> r.getString("role") + " " + r.getString("status") + " " + r.getLong("n"))
        .containsExactly("member invited 4", "owner accepted 4");
    assertThat(created.getJsonArray("participants")).hasSize(2);

    String second = instances.getJsonObject(1).getString("meetingId");
    json(server.patch("/api/meetings/" + second + "?scope=series", t, new JsonObject().put("title", "Weekly sync")), 200);
    assertThat(server.rows("SELECT DISTINCT title FROM meetings WHERE id = $1 OR parent_meeting_id = $1", first))
        .extracting(r -> r.getString("title")).containsExactly("Weekly sync");
    assertThat(server.delete("/api/meetings/" + second + "?scope=series", t, null).statusCode()).isEqualTo(204);
    assertThat(server.rows("SELECT DISTINCT status FROM meetings WHERE id = $1 OR parent_meeting_id = $1", first))
        .extracting(r -> r.getString("status")).containsExactly("cancelled");
  }
}
