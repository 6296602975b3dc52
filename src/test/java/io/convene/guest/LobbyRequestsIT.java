package io.convene.guest;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.protocol.Events;
import io.convene.testing.Api.Guest;
import io.convene.testing.ServerTestBase;
import io.convene.testing.TestBackends;
import io.convene.testing.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A request to enter (a guest asking, a member in the waiting room) is a {@code lobby_request}
 * notification for the meeting's owners and managers, once per person, found by one who connects later;
 * it is settled (read) once the request is: let in, turned away, the guest gone, the meeting over.
 * Members who may not decide on everyone and guests get none.
 */
@Timeout(120)
class LobbyRequestsIT extends ServerTestBase {
  private static final String LOBBY_REQUEST = "lobby_request";

  @Override
  protected JsonObject overrides() {
    // guest sessions last an hour; a stay in a room outlives it without a sign of life
    return new JsonObject().put("guests", new JsonObject().put("sessionHours", 1))
        .put("schedule", new JsonObject().put("staleStayMinutes", 600));
  }

  private static List<JsonObject> requests(JsonArray items, Predicate<JsonObject> about) {
    return items.stream().map(o -> (JsonObject) o).filter(n -> LOBBY_REQUEST.equals(n.getString("type")))
        .filter(about).toList();
  }

  private static List<JsonObject> unreadRequests(String user, Predicate<JsonObject> about) {
    return requests(api.unreadNotifications(user).getJsonArray("items"), about);
  }

  private static Predicate<JsonObject> guest(Guest g) {
    return n -> g.sessionId().equals(n.getJsonObject("data").getString("sessionId"));
  }

  private static Predicate<JsonObject> member(String userId) {
    return n -> userId.equals(n.getJsonObject("data").getString("userId"));
  }

  @Test
  void aGuestAskingIsARequestForOwnersAndManagersWhoConnectLaterSettledWhenDecidedOrGone() {
    String owner = user("owner");
    String manager = user("manager");
    String bob = user("bob");
    String id = api.meeting(owner).title("Clinic").from(clock.instant()).to(clock.instant().plus(Duration.ofHours(1)))
        .allowExternal().invite(manager, bob).createId();
    api.assignRole(id, owner, manager, "manager");
    String link = api.link(id, owner).getString("token");
    WsClient bobSocket = server.socket(bob);
    bobSocket.awaitEvent(Events.SESSION_WELCOME);
    api.join(id, bob);

    Guest gina = api.register(link, "Gina");
    assertThat(gina.ask().getString("status")).isEqualTo("waiting");
    JsonObject live = bobSocket.awaitEvent(Events.MEETING_GUEST_WAITING, d -> gina.sessionId().equals(d.getString("sessionId")));
    assertThat(live.containsKey("notificationId")).as("a member in the room is told, not notified").isFalse();
    assertThat(gina.ask().getString("status")).isEqualTo("waiting");

    // The owner was away: the request waits among the unread, once, for the owner and the manager alone
    // (announced to the owner's devices, of which there is none, once it was stored and flagged).
    server.events.await(owner, Events.MEETING_GUEST_WAITING, d -> gina.sessionId().equals(d.getString("sessionId")));
    WsClient ownerSocket = server.socket(owner);
    JsonObject unread = ownerSocket.awaitEvent(Events.NOTIFICATIONS_UNREAD);
    List<JsonObject> ginas = requests(unread.getJsonArray("items"), guest(gina));
    assertThat(ginas).hasSize(1);
    assertThat(ginas.get(0).getString("meetingId")).isEqualTo(id);
    assertThat(ginas.get(0).getJsonObject("data").getString("displayName")).isEqualTo("Gina");
    assertThat(ginas.get(0).getJsonObject("data").getString("kind")).isEqualTo("guest");
    assertThat(ginas.get(0).getJsonObject("data").getString("title")).isEqualTo("Clinic");
    assertThat(unreadRequests(manager, guest(gina))).hasSize(1);
    assertThat(unreadRequests(bob, n -> true)).isEmpty();
    assertThat(server.rows("SELECT user_id FROM notifications WHERE meeting_id = $1 AND type = $2", id, LOBBY_REQUEST))
        .as("asking again is not a second request; guests and members get none")
        .extracting(r -> r.getString("user_id")).containsExactlyInAnyOrder(owner, manager);

    // An owner online is told at once, with the notification's id.
    Guest otto = api.register(link, "Otto");
    otto.ask();
    JsonObject told = ownerSocket.awaitEvent(Events.MEETING_GUEST_WAITING, d -> otto.sessionId().equals(d.getString("sessionId")));
    assertThat(told.getString("notificationId")).isNotBlank();
    assertThat(told.getString("meetingId")).isEqualTo(id);
    bobSocket.awaitEvent(Events.MEETING_GUEST_WAITING, d -> otto.sessionId().equals(d.getString("sessionId")));

    // Let in: settled for everyone notified; a reconnecting device no longer gets it.
    api.admitGuest(id, bob, gina);
    assertThat(unreadRequests(owner, guest(gina))).isEmpty();
    assertThat(unreadRequests(manager, guest(gina))).isEmpty();
    WsClient again = server.socket(owner);
    JsonObject unreadAgain = again.awaitEvent(Events.NOTIFICATIONS_UNREAD);
    assertThat(requests(unreadAgain.getJsonArray("items"), guest(gina))).isEmpty();
    assertThat(requests(unreadAgain.getJsonArray("items"), guest(otto))).hasSize(1);

    // Gone (the session ended): settled, and the guest no longer waits.
    api.removeGuest(otto, manager);
    assertThat(unreadRequests(owner, guest(otto))).isEmpty();
    assertThat(unreadRequests(manager, guest(otto))).isEmpty();
    assertThat(api.waitingRoom(id, owner).getJsonArray("guests")).isEmpty();
    assertThat(ownerSocket.events(Events.MEETING_GUEST_WAITING).stream()
        .filter(d -> otto.sessionId().equals(d.getString("sessionId")))).as("told once").hasSize(1);

    // Nothing is unread any more (the meeting's reminder settled too, as settling does: in the database
    // alone): the next connect finds nothing and clears the owner's flag, so the connects after it ask
    // the database nothing.
    server.rows("UPDATE notifications SET read_at = now() WHERE user_id = $1 AND read_at IS NULL RETURNING id", owner);
    assertThat(api.unreadNotifications(owner).getJsonArray("items")).isEmpty();
    Redis redis = Redis.createClient(vertx, TestBackends.redisUrl());
    assertThat(flagged(redis, owner)).as("flagged still: settling reads the database alone").isTrue();
    server.socket(owner).awaitEvent(Events.SESSION_WELCOME);
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (flagged(redis, owner)) {
      assertThat(System.nanoTime()).as(owner + " is still flagged").isLessThan(deadline);
      vertx.timer(20).await();
    }
    redis.close();
  }

  @Test
  void aGuestWhoseSessionExpiresOrWhoseMeetingStopsAllowingGuestsStopsWaiting() {
    String owner = user("owner");
    Open drop = openToGuests(owner, Duration.ofHours(3));
    String id = drop.id();
    String link = drop.link();
    Guest gina = api.register(link, "Gina");
    assertThat(gina.ask().getString("status")).isEqualTo("waiting");
    server.events.await(owner, Events.MEETING_GUEST_WAITING, d -> gina.sessionId().equals(d.getString("sessionId")));
    assertThat(unreadRequests(owner, guest(gina))).hasSize(1);

    // Gina's session outlives its hour while the meeting goes on: the schedule ends it, and her request
    clock.advance(Duration.ofMinutes(61));
    awaitSettled(owner, id, gina);

    Guest hugo = api.register(link, "Hugo");
    assertThat(hugo.ask().getString("status")).isEqualTo("waiting");
    server.events.await(owner, Events.MEETING_GUEST_WAITING, d -> hugo.sessionId().equals(d.getString("sessionId")));
    assertThat(unreadRequests(owner, guest(hugo))).hasSize(1);

    // The meeting stops allowing guests: every guest session of it ends, and with it Hugo's request
    api.update(id, owner, new JsonObject().put("allowExternal", false));
    awaitSettled(owner, id, hugo);
  }

  @Test
  void aGuestAskingWhileTheMeetingEndsIsRefusedAndLeavesNoRequest() {
    String owner = user("owner");
    Open lastCall = openToGuests(owner, Duration.ofHours(1));
    String id = lastCall.id();
    Guest gina = api.register(lastCall.link(), "Gina");

    // the meeting is ending: its row is locked by the change that ends it
    Pool pg = server.pool(vertx, 1);
    SqlConnection ending = pg.getConnection().await();
    Transaction change = ending.begin().await();
    ending.preparedQuery("SELECT id FROM meetings WHERE id = $1 FOR UPDATE").execute(Tuple.of(id)).await();
    CompletableFuture<JsonObject> asking = CompletableFuture.supplyAsync(() -> gina.expect(409).ask());
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (server.rows("SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%lobby_entries%'")
        .isEmpty()) {
      assertThat(System.nanoTime()).as("Gina's entry never waited for the meeting's row").isLessThan(deadline);
      vertx.timer(20).await();
    }
    ending.preparedQuery("UPDATE meetings SET status = 'ended', ended_at = now() WHERE id = $1").execute(Tuple.of(id))
        .await();
    change.commit().await();

    JsonObject refused = asking.orTimeout(15, TimeUnit.SECONDS).join();
    assertThat(refused.getString("code")).isEqualTo("invalid_state");
    assertThat(refused.getString("detail")).contains("the meeting is over");
    assertThat(server.rows("SELECT id FROM notifications WHERE meeting_id = $1 AND type = $2", id, LOBBY_REQUEST))
        .as("no request the meeting's end could no longer settle").isEmpty();
    ending.close().await();
    pg.close().await();
  }

  /** A meeting in progress that allows guests, with its guest link. */
  private record Open(String id, String link) {}

  /** A meeting of {@code owner}'s in progress for {@code length}, allowing guests, with a member in the room. */
  private static Open openToGuests(String owner, Duration length) {
    String bob = user("bob");
    String id = api.meeting(owner).title("Drop-in").from(clock.instant()).to(clock.instant().plus(length))
        .allowExternal().invite(bob).createId();
    api.join(id, bob);
    return new Open(id, api.link(id, owner).getString("token"));
  }

  /** Waits until {@code g} no longer waits in the lobby and the owner's request about them is settled. */
  private void awaitSettled(String owner, String meetingId, Guest g) {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!unreadRequests(owner, guest(g)).isEmpty()) {
      assertThat(System.nanoTime()).as("the request of " + g.sessionId() + " is still unread").isLessThan(deadline);
      vertx.timer(50).await();
    }
    assertThat(api.waitingRoom(meetingId, owner).getJsonArray("guests")).as("nobody waits")
        .noneMatch(w -> g.sessionId().equals(((JsonObject) w).getString("sessionId")));
  }

  /** Whether {@code user} is flagged as maybe having unread notifications. */
  private boolean flagged(Redis redis, String user) {
    String key = server.config().getJsonObject("redis").getString("keyPrefix") + "notify:unread";
    return redis.send(Request.cmd(Command.SISMEMBER).arg(key).arg(user)).await().toInteger() == 1;
  }

  @Test
  void aMemberInTheWaitingRoomIsARequestSettledWhenTurnedAwayOrWhenTheMeetingEnds() {
    String owner = user("owner");
    String manager = user("manager");
    String mia = user("mia");
    String max = user("max");
    String id = api.meeting(owner).title("Surgery").from(clock.instant()).to(clock.instant().plus(Duration.ofHours(1)))
        .waitingRoom().invite(manager, mia, max).createId();
    api.assignRole(id, owner, manager, "manager");
    WsClient ownerSocket = server.socket(owner);
    ownerSocket.awaitEvent(Events.SESSION_WELCOME);
    api.join(id, owner);

    api.expect(202).join(id, mia);
    api.expect(202).join(id, mia);
    JsonObject told = ownerSocket.awaitEvent(Events.MEETING_GUEST_WAITING, d -> mia.equals(d.getString("userId")));
    assertThat(told.getString("notificationId")).isNotBlank();
    assertThat(told.getString("kind")).isEqualTo("member");
    assertThat(unreadRequests(manager, member(mia))).as("once, however often mia knocks").hasSize(1);
    assertThat(unreadRequests(mia, n -> true)).isEmpty();
    api.dismiss(id, manager, LOBBY_REQUEST);
    assertThat(unreadRequests(manager, member(mia))).isEmpty();

    api.expect(202).join(id, max);
    assertThat(unreadRequests(manager, member(max))).hasSize(1);
    api.decline(id, owner, max);
    assertThat(unreadRequests(manager, member(max))).isEmpty();
    assertThat(unreadRequests(owner, member(max))).isEmpty();

    assertThat(unreadRequests(owner, member(mia))).hasSize(1);
    api.end(id, owner);
    server.awaitRows(List::isEmpty, "SELECT id FROM notifications WHERE meeting_id = $1 AND type = $2 AND read_at IS NULL",
        id, LOBBY_REQUEST);
    assertThat(ownerSocket.events(Events.MEETING_GUEST_WAITING).stream().filter(d -> mia.equals(d.getString("userId"))))
        .as("told once").hasSize(1);
  }
}
