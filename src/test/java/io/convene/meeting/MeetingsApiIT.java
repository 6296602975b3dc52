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

  @Test
  void createStoresMeetingAndParticipantsAndTellsEveryone() {
    String alice = user("alice");
    String bob = user("bob");
    String carol = user("carol");
    JsonObject created = api.signedIn(alice, server.token(alice, "Alice", List.of())).meeting(alice)
        .title("Planning").from(60).to(90).invite(bob, carol).maxParticipants(10).allowExternal()
        .voiceOnly().waitingRoom().create();

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
    // the users table is written behind, within a second
    server.awaitRows(names -> !names.isEmpty() && "Alice".equals(names.get(0).getString("display_name")),
        "SELECT display_name FROM users WHERE id = $1", alice);

    for (String u : List.of(alice, bob, carol)) {
      JsonObject event = server.events.await(u, Events.MEETING_CREATED, d -> id.equals(d.getString("meetingId")));
      assertThat(event.getString("title")).isEqualTo("Planning");
    }
  }

  @Test
  void overlappingMeetingsAreAllowedWithWarnings() {
    String alice = user("alice");
    String bob = user("bob");
    String first = api.meeting(alice).title("First").from(60).to(120).invite(bob).createId();
    JsonObject second = api.meeting(alice).title("Second").from(90).to(150).invite(bob).create();
    JsonArray warnings = second.getJsonArray("warnings");
    assertThat(warnings).isNotNull();
    assertThat(warnings.stream().map(w -> ((JsonObject) w).getString("userId") + "@" + ((JsonObject) w).getString("meetingId")))
        .containsExactlyInAnyOrder(alice + "@" + first, bob + "@" + first);
    assertThat(warnings.getJsonObject(0).getString("code")).isEqualTo("overlap");

    JsonObject third = api.meeting(alice).title("Later").from(200).to(230).invite(bob).create();
    assertThat(third.containsKey("warnings")).isFalse();
  }

  @Test
  void overlapWarningsFollowAMeetingThatMovedAndPeopleInvitedLater() {
    String alice = user("alice");
    String bob = user("bob");
    String carol = user("carol");
    String moved = api.meeting(alice).title("Moved").from(60).to(120).invite(bob).createId();
    api.update(moved, alice, new JsonObject().put("startTime", T0.plusSeconds(300 * 60).toString())
        .put("endTime", T0.plusSeconds(360 * 60).toString()));
    api.invite(moved, alice, carol);

    assertThat(api.meeting(alice).title("Where it was").from(90).to(150).invite(bob, carol).create()
        .containsKey("warnings")).isFalse();
    JsonArray warnings = api.meeting(bob).title("Where it is").from(330).to(340).invite(carol).create()
        .getJsonArray("warnings");
    assertThat(warnings.stream().map(w -> ((JsonObject) w).getString("userId") + "@" + ((JsonObject) w).getString("meetingId")))
        .containsExactlyInAnyOrder(bob + "@" + moved, carol + "@" + moved);
  }

  @Test
  void eachPersonGetsAtMostThreeOverlapWarningsEarliestEndingFirst() {
    String dora = user("dora");
    String eli = user("eli");
    List<String> ids = new java.util.ArrayList<>();
    for (int i = 0; i < 6; i++) {
      ids.add(api.meeting(dora).title("Busy " + i).from(60).to(120 - i).createId());
    }
    String cancelled = api.meeting(dora).title("Off").from(60).to(61).createId();
    api.cancel(cancelled, dora);

    JsonArray warnings = api.meeting(eli).title("One more").from(60).to(90).invite(dora).create()
        .getJsonArray("warnings");
    assertThat(warnings.stream().map(w -> ((JsonObject) w).getString("meetingId")))
        .containsExactlyInAnyOrder(ids.get(5), ids.get(4), ids.get(3));
  }

  @Test
  void listFiltersSearchAndPaginates() {
    String dana = user("dana");
    String erin = user("erin");
    for (int i = 0; i < 5; i++) {
      api.meeting(dana).title("Sprint review " + i).from(60 + i * 10).to(65 + i * 10).invite(erin).create();
    }
    api.meeting(erin).title("Erin's own").from(300).to(330).invite(dana).create();

    JsonObject page1 = api.list(dana, "filter=upcoming&limit=2");
    assertThat(titles(page1)).containsExactly("Sprint review 0", "Sprint review 1");
    JsonObject page2 = api.list(dana, "filter=upcoming&limit=2&cursor=" + page1.getString("nextCursor"));
    assertThat(titles(page2)).containsExactly("Sprint review 2", "Sprint review 3");
    JsonObject page3 = api.list(dana, "filter=upcoming&limit=2&cursor=" + page2.getString("nextCursor"));
    assertThat(titles(page3)).containsExactly("Sprint review 4", "Erin's own");
    assertThat(page3.containsKey("nextCursor")).isFalse();

    assertThat(titles(api.list(dana, "filter=created"))).hasSize(5).doesNotContain("Erin's own");
    assertThat(titles(api.list(dana, "filter=my&q=erin"))).containsExactly("Erin's own");
    assertThat(titles(api.list(dana, "filter=upcoming&q=REVIEW%203"))).containsExactly("Sprint review 3");
    assertThat(titles(api.list(dana, "filter=past"))).isEmpty();
    assertThat(titles(api.list(dana, "filter=upcoming&status=in_progress"))).isEmpty();
  }

  private static List<String> titles(JsonObject page) {
    return page.getJsonArray("items").stream().map(o -> ((JsonObject) o).getString("title")).collect(Collectors.toList());
  }

  @Test
  void someoneElsesMeetingIsNotFoundAndMembersCannotEdit() {
    String alice = user("alice");
    String bob = user("bob");
    String mallory = user("mallory");
    String id = api.meeting(alice).title("Private").from(60).to(90).invite(bob).createId();

    JsonObject problem = api.expect(404).get(id, mallory);
    assertThat(problem.getString("code")).isEqualTo("not_found");
    api.expect(404).update(id, mallory, new JsonObject().put("title", "x"));
    api.get(id, bob);

    JsonObject forbidden = api.expect(403).update(id, bob, new JsonObject().put("title", "x"));
    assertThat(forbidden.getString("code")).isEqualTo("forbidden");
    api.expect(403).cancel(id, bob);
    assertThat(server.rows("SELECT title, status FROM meetings WHERE id = $1", id).get(0).getString("title")).isEqualTo("Private");

    JsonObject asAdmin = api.signedIn(mallory, server.token(mallory, null, List.of("admin"))).get(id, mallory);
    assertThat(asAdmin.getString("myRole")).isEqualTo("owner");
  }

  @Test
  void patchByManagerUpdatesAndNotifies() {
    String alice = user("alice");
    String bob = user("bob");
    String id = api.meeting(alice).title("Old title").from(60).to(90).invite(bob).createId();
    api.assignRole(id, alice, bob, "manager");

    JsonObject updated = api.update(id, bob, new JsonObject()
        .put("title", "New title").put("endTime", at(120)).put("settings", new JsonObject().put("muteOnJoin", true)));
    assertThat(updated.getString("title")).isEqualTo("New title");
    assertThat(updated.getString("endTime")).isEqualTo(at(120));
    assertThat(updated.getJsonObject("settings").getBoolean("muteOnJoin")).isTrue();
    JsonObject row = server.rows("SELECT title, end_time, mute_on_join FROM meetings WHERE id = $1", id).get(0);
    assertThat(row.getString("title")).isEqualTo("New title");
    assertThat(row.getBoolean("mute_on_join")).isTrue();
    server.events.await(alice, Events.MEETING_UPDATED, d -> "New title".equals(d.getString("title")));

    JsonObject bad = api.expect(400).update(id, bob, new JsonObject().put("endTime", at(30)));
    assertThat(bad.getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo("endTime");
  }

  @Test
  void lifecycleStartEndAndCancel() {
    String alice = user("alice");
    String bob = user("bob");
    String id = api.meeting(alice).title("Lifecycle").from(60).to(90).invite(bob).createId();

    api.expect(409).end(id, alice);
    api.expect(403).start(id, bob);
    JsonObject started = api.start(id, alice);
    assertThat(started.getString("status")).isEqualTo("in_progress");
    assertThat(started.getString("startedAt")).isEqualTo(T0.toString());
    server.events.await(bob, Events.MEETING_STARTED, d -> id.equals(d.getString("meetingId")));
    api.start(id, alice);

    JsonObject ended = api.end(id, alice);
    assertThat(ended.getString("status")).isEqualTo("ended");
    server.events.await(bob, Events.MEETING_ENDED, d -> id.equals(d.getString("meetingId")));
    assertThat(server.rows("SELECT status FROM meetings WHERE id = $1", id).get(0).getString("status")).isEqualTo("ended");
    api.expect(409).cancel(id, alice);

    String other = api.meeting(alice).title("To cancel").from(60).to(90).invite(bob).createId();
    api.cancel(other, alice);
    api.cancel(other, alice);
    server.events.await(bob, Events.MEETING_CANCELLED, d -> other.equals(d.getString("meetingId")));
    assertThat(server.rows("SELECT status FROM meetings WHERE id = $1", other).get(0).getString("status")).isEqualTo("cancelled");
  }

  @Test
  void bulkDeleteReportsEachMeeting() {
    String alice = user("alice");
    String bob = user("bob");
    String a1 = api.meeting(alice).title("A1").from(60).to(90).invite(bob).createId();
    String a2 = api.meeting(alice).title("A2").from(60).to(90).invite().createId();
    String b1 = api.meeting(bob).title("B1").from(60).to(90).invite(alice).createId();

    JsonObject result = api.cancelAll(alice, a1, a2, b1, "mtg_doesnotexist");
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
    String id = api.meeting(alice).title("Team").from(60).to(90).invite(bob).createId();

    JsonObject invited = api.invite(id, alice, carol, dave, bob);
    assertThat(invited.getJsonArray("invited").stream().map(p -> ((JsonObject) p).getString("userId"))).containsExactlyInAnyOrder(carol, dave);
    assertThat(invited.getJsonArray("skipped").getJsonObject(0).getString("reason")).isEqualTo("already_participant");
    server.events.await(carol, Events.MEETING_INVITED, d -> id.equals(d.getString("meetingId")));
    server.events.await(bob, Events.MEETING_PARTICIPANTS_INVITED, d -> d.getJsonArray("userIds").contains(carol));

    JsonObject accepted = api.respond(id, carol, "accepted");
    assertThat(accepted.getString("status")).isEqualTo("accepted");
    api.expect(403).respondFor(id, bob, carol, "declined");

    api.expect(403).remove(id, bob, dave);
    api.remove(id, alice, dave);
    server.events.await(dave, Events.MEETING_REMOVED, d -> id.equals(d.getString("meetingId")));
    assertThat(server.rows("SELECT 1 FROM meeting_participants WHERE meeting_id = $1 AND user_id = $2", id, dave)).isEmpty();

    api.ban(id, alice, carol);
    assertThat(server.rows("SELECT status FROM meeting_participants WHERE meeting_id = $1 AND user_id = $2", id, carol)
        .get(0).getString("status")).isEqualTo("banned");
    api.expect(404).get(id, carol);
    JsonObject again = api.invite(id, alice, carol);
    assertThat(again.getJsonArray("invited")).isEmpty();
    assertThat(again.getJsonArray("skipped").getJsonObject(0).getString("reason")).isEqualTo("banned");

    api.expect(409).remove(id, alice, alice);
  }

  @Test
  void inviteIntoMeetingInProgressSendsLiveInvite() {
    String alice = user("alice");
    String zed = user("zed");
    String id = api.meeting(alice).title("Live").from(0).to(60).invite().createId();
    api.start(id, alice);
    api.invite(id, alice, zed);
    JsonObject live = server.events.await(zed, Events.MEETING_LIVE_INVITE_SENT, d -> id.equals(d.getString("meetingId")));
    assertThat(live.getString("invitedBy")).isEqualTo(alice);
    String notification = live.getString("notificationId");
    assertThat(notification).startsWith("ntf_");

    // stored: a device that connects later finds it among the unread
    var later = server.socket(zed);
    JsonObject unread = later.awaitEvent(Events.NOTIFICATIONS_UNREAD);
    assertThat(unread.getJsonArray("items").stream().map(o -> (JsonObject) o)
        .filter(n -> notification.equals(n.getString("notificationId"))))
        .singleElement().satisfies(n -> {
          assertThat(n.getString("type")).isEqualTo("live_invite");
          assertThat(n.getString("meetingId")).isEqualTo(id);
          assertThat(n.getJsonObject("data").getString("invitedBy")).isEqualTo(alice);
        });

    // and it lapses with the meeting
    api.end(id, alice);
    server.awaitRows(rows -> rows.get(0).getValue("read_at") != null,
        "SELECT read_at FROM notifications WHERE id = $1", notification);
  }

  @Test
  void rolesAreAssignedByTheOwnerAndOwnershipTransfers() {
    String alice = user("alice");
    String bob = user("bob");
    String carol = user("carol");
    String id = api.meeting(alice).title("Roles").from(60).to(90).invite(bob, carol).createId();

    api.expect(403).assignRole(id, bob, carol, "manager");
    api.assignRole(id, alice, bob, "owner");
    List<JsonObject> roles = server.rows("SELECT user_id, role FROM meeting_participants WHERE meeting_id = $1 AND role = 'owner'", id);
    assertThat(roles).hasSize(1);
    assertThat(roles.get(0).getString("user_id")).isEqualTo(bob);
    assertThat(server.rows("SELECT role FROM meeting_participants WHERE meeting_id = $1 AND user_id = $2", id, alice)
        .get(0).getString("role")).isEqualTo("manager");
    server.events.await(carol, Events.MEETING_ROLE_CHANGED, d -> bob.equals(d.getString("userId")) && "owner".equals(d.getString("role")));
    api.expect(403).assignRole(id, alice, carol, "manager");

    JsonObject matrix = api.roles(carol);
    assertThat(matrix.getJsonObject("permissions").getJsonArray("assign_roles")).containsExactly("owner");
  }

  @Test
  void settingsPatchByManager() {
    String alice = user("alice");
    String bob = user("bob");
    String id = api.meeting(alice).title("Settings").from(60).to(90).invite(bob).createId();
    api.expect(403).updateSettings(id, bob, new JsonObject().put("waitingRoom", true));
    api.assignRole(id, alice, bob, "manager");
    JsonObject out = api.updateSettings(id, bob,
        new JsonObject().put("waitingRoom", true).put("voiceOnly", true).put("allowExternal", true).put("maxParticipants", 5));
    assertThat(out.getJsonObject("settings").getBoolean("waitingRoom")).isTrue();
    assertThat(out.getInteger("maxParticipants")).isEqualTo(5);
    assertThat(out.getBoolean("allowExternal")).isTrue();
    api.expect(400).updateSettings(id, bob, new JsonObject().put("title", "x"));
  }

  @Test
  void recurringSeriesCreatesInstancesAndCanBeCancelledWhole() {
    String alice = user("alice");
    String bob = user("bob");
    JsonObject created = api.meeting(alice).title("Weekly").from(60).to(90).invite(bob).recurring("weekly", 4).create();
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
    api.updateSeries(second, alice, new JsonObject().put("title", "Weekly sync"));
    assertThat(server.rows("SELECT DISTINCT title FROM meetings WHERE id = $1 OR parent_meeting_id = $1", first))
        .extracting(r -> r.getString("title")).containsExactly("Weekly sync");
    api.cancelSeries(second, alice);
    assertThat(server.rows("SELECT DISTINCT status FROM meetings WHERE id = $1 OR parent_meeting_id = $1", first))
        .extracting(r -> r.getString("status")).containsExactly("cancelled");
  }
}
