package io.convene.interaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.protocol.Events;
import io.convene.protocol.Requests;
import io.convene.testing.Api.Guest;
import io.convene.testing.ServerTestBase;
import io.convene.testing.WsClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Chat, reactions, raised hands and polls in a meeting in progress: who may do what, who hears of it
 * (every device of every attending participant, never a guest), idempotent sends, one vote per user.
 */
@Timeout(180)
class InteractionsIT extends ServerTestBase {
  static final int REACTION_LIMIT = 3;
  static final int WINDOW_SECONDS = 60;

  @Override
  protected JsonObject overrides() {
    return new JsonObject().put("interactions", new JsonObject().put("reactionLimit", REACTION_LIMIT)
        .put("windowSeconds", WINDOW_SECONDS).put("chatLimit", 1000));
  }

  /** A meeting in progress: an owner, a manager and two members in the room, each with a socket. */
  final class Room {
    final String owner = user("owner");
    final String manager = user("manager");
    final String bob = user("bob");
    final String carol = user("carol");
    final String id;
    final WsClient ownerWs;
    final WsClient managerWs;
    final WsClient bobWs;
    final WsClient carolWs;

    Room() {
      id = api.meeting(owner).title("Interactions").from(5).to(90).allowExternal().invite(manager, bob, carol)
          .createId();
      api.assignRole(id, owner, manager, "manager");
      api.start(id, owner);
      ownerWs = online(owner);
      managerWs = online(manager);
      bobWs = online(bob);
      carolWs = online(carol);
      for (String u : List.of(owner, manager, bob, carol)) {
        api.join(id, u);
      }
    }

    JsonObject data(Object... pairs) {
      JsonObject out = new JsonObject().put("meetingId", id);
      for (int i = 0; i + 1 < pairs.length; i += 2) {
        out.put((String) pairs[i], pairs[i + 1]);
      }
      return out;
    }

    String path(String rest) {
      return "/api/meetings/" + id + rest;
    }
  }

  static WsClient online(String userId) {
    WsClient ws = server.socket(userId);
    ws.awaitEvent(Events.SESSION_WELCOME);
    return ws;
  }

  static JsonObject ok(JsonObject ack) {
    assertThat(ack.getBoolean("ok")).as("ack %s", ack).isTrue();
    return ack.getJsonObject("data");
  }

  static JsonObject refused(JsonObject ack, String code) {
    assertThat(ack.getBoolean("ok")).as("ack %s", ack).isFalse();
    assertThat(ack.getJsonObject("error").getString("code")).as("ack %s", ack).isEqualTo(code);
    return ack.getJsonObject("error");
  }

  static JsonObject body(HttpResponse<Buffer> r, int status) {
    return json(r, status);
  }

  // ---- chat -----------------------------------------------------------------------------------

  @Test
  void everyDeviceOfEveryParticipantSeesEveryMessageOnceInOrder() {
    Room room = new Room();
    WsClient bobPhone = online(room.bob);
    WsClient ownerPhone = online(room.owner);
    List<JsonObject> acks = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      acks.add(ok(room.ownerWs.request(Requests.CHAT_SEND, room.data("text", "hello " + i, "clientMsgId", "c" + i))));
    }
    long first = acks.get(0).getLong("seq");
    for (int i = 0; i < 5; i++) {
      assertThat(acks.get(i).getLong("seq")).isEqualTo(first + i);
      assertThat(acks.get(i).getString("messageId")).startsWith("msg_");
    }
    long last = first + 4;
    for (WsClient device : List.of(room.bobWs, bobPhone, room.carolWs, room.managerWs, ownerPhone)) {
      device.awaitEvent(Events.CHAT_MESSAGE, d -> d.getLong("seq") == last);
      List<JsonObject> seen = device.events(Events.CHAT_MESSAGE).stream()
          .filter(d -> room.id.equals(d.getString("meetingId"))).toList();
      assertThat(seen).extracting(d -> d.getLong("seq")).containsExactly(first, first + 1, first + 2, first + 3, last);
      assertThat(seen.get(0).getString("text")).isEqualTo("hello 1");
      assertThat(seen.get(0).getString("userId")).isEqualTo(room.owner);
      assertThat(seen.get(0).getString("messageId")).isEqualTo(acks.get(0).getString("messageId"));
    }
    assertThat(room.ownerWs.events(Events.CHAT_MESSAGE)).as("the sending device has the ack instead").isEmpty();
  }

  @Test
  void aRetriedSendStoresOneMessageAndAnswersTheSameIds() {
    Room room = new Room();
    JsonObject data = room.data("text", "only once", "clientMsgId", "retry-1");
    JsonObject first = ok(room.bobWs.request(Requests.CHAT_SEND, data));
    WsClient bobLater = online(room.bob);
    JsonObject again = ok(bobLater.request(Requests.CHAT_SEND, data));
    assertThat(again.getString("messageId")).isEqualTo(first.getString("messageId"));
    assertThat(again.getLong("seq")).isEqualTo(first.getLong("seq"));
    assertThat(again.getString("sentAt")).isEqualTo(first.getString("sentAt"));

    // the same retry over REST, and two at once from two devices
    JsonObject rest = body(server.post(room.path("/chat"), server.token(room.bob),
        new JsonObject().put("text", "only once").put("clientMsgId", "retry-1")), 200);
    assertThat(rest.getString("messageId")).isEqualTo(first.getString("messageId"));
    JsonObject twin = room.data("text", "twin", "clientMsgId", "retry-2");
    var a = CompletableFuture.supplyAsync(() -> room.bobWs.request(Requests.CHAT_SEND, twin));
    var b = CompletableFuture.supplyAsync(() -> bobLater.request(Requests.CHAT_SEND, twin));
    assertThat(ok(a.join()).getString("messageId")).isEqualTo(ok(b.join()).getString("messageId"));

    assertThat(server.rows("SELECT id FROM chat_messages WHERE meeting_id = $1 AND client_msg_id = 'retry-1'", room.id))
        .hasSize(1);
    assertThat(server.rows("SELECT id FROM chat_messages WHERE meeting_id = $1 AND client_msg_id = 'retry-2'", room.id))
        .hasSize(1);
    room.carolWs.awaitEvent(Events.CHAT_MESSAGE, d -> "twin".equals(d.getString("text")));
    assertThat(room.carolWs.events(Events.CHAT_MESSAGE)).extracting(d -> d.getString("text"))
        .containsExactly("only once", "twin");
  }

  @Test
  void historyPagesInSeqOrderAndForgetsDeletedText() {
    Room room = new Room();
    for (int i = 1; i <= 5; i++) {
      body(server.post(room.path("/chat"), server.token(room.carol),
          new JsonObject().put("text", "m" + i).put("clientMsgId", "h" + i)), 201);
    }
    JsonObject page1 = body(server.get(room.path("/chat?limit=2"), server.token(room.bob)), 200);
    assertThat(page1.getJsonArray("items")).hasSize(2);
    long next = page1.getLong("nextAfter");
    JsonObject page2 = body(server.get(room.path("/chat?limit=2&after=" + next), server.token(room.bob)), 200);
    String third = page2.getJsonArray("items").getJsonObject(0).getString("messageId");
    assertThat(page2.getJsonArray("items").getJsonObject(0).getString("text")).isEqualTo("m3");

    refused(room.bobWs.request(Requests.CHAT_DELETE, room.data("messageId", third)), "forbidden");
    JsonObject deleted = ok(room.managerWs.request(Requests.CHAT_DELETE, room.data("messageId", third)));
    assertThat(deleted.getString("by")).isEqualTo(room.manager);
    room.bobWs.awaitEvent(Events.CHAT_DELETED, d -> third.equals(d.getString("messageId")));
    room.carolWs.awaitEvent(Events.CHAT_DELETED, d -> third.equals(d.getString("messageId"))
        && room.manager.equals(d.getString("by")));

    JsonObject all = body(server.get(room.path("/chat?after=0&limit=200"), server.token(room.owner)), 200);
    assertThat(all.containsKey("nextAfter")).isFalse();
    JsonArray items = all.getJsonArray("items");
    assertThat(items).hasSize(5);
    assertThat(items.getJsonObject(2).containsKey("text")).isFalse();
    assertThat(items.getJsonObject(2).getBoolean("deleted")).isTrue();
    assertThat(server.rows("SELECT text FROM chat_messages WHERE id = $1", third).get(0).getValue("text")).isNull();

    // the author deletes their own; the history stays readable after the meeting
    String fifth = items.getJsonObject(4).getString("messageId");
    ok(room.carolWs.request(Requests.CHAT_DELETE, room.data("messageId", fifth)));
    api.end(room.id, room.owner);
    JsonObject after = body(server.get(room.path("/chat"), server.token(room.bob)), 200);
    assertThat(after.getJsonArray("items")).hasSize(5);
    assertThat(refused(room.bobWs.request(Requests.CHAT_SEND, room.data("text", "late", "clientMsgId", "late")),
        "invalid_state").getString("message")).contains("in progress");
    JsonObject retried = ok(room.carolWs.request(Requests.CHAT_SEND, room.data("text", "m1", "clientMsgId", "h1")));
    assertThat(retried.getString("messageId")).as("a retry is answered after the end too")
        .isEqualTo(items.getJsonObject(0).getString("messageId"));
  }

  @Test
  void badChatInputIsRefusedNamingTheField() {
    Room room = new Room();
    assertThat(refused(room.bobWs.request(Requests.CHAT_SEND, room.data("text", "", "clientMsgId", "x")),
        "validation_failed").getString("message")).contains("text");
    assertThat(refused(room.bobWs.request(Requests.CHAT_SEND, room.data("text", "a".repeat(4001), "clientMsgId", "x")),
        "validation_failed").getString("message")).contains("text");
    assertThat(refused(room.bobWs.request(Requests.CHAT_SEND, room.data("text", "hi")), "validation_failed")
        .getString("message")).contains("clientMsgId");
    JsonObject problem = body(server.get(room.path("/chat?limit=500"), server.token(room.bob)), 400);
    assertThat(problem.toString()).contains("limit");
    body(server.post(room.path("/chat"), server.token(room.bob), new JsonObject().put("text", 5)
        .put("clientMsgId", "y")), 400);

    String outsider = user("outsider");
    WsClient out = online(outsider);
    refused(out.request(Requests.CHAT_SEND, room.data("text", "hi", "clientMsgId", "o")), "not_found");
    body(server.get(room.path("/chat"), server.token(outsider)), 404);
    refused(out.request(Requests.REACTION_SEND, room.data("emoji", "👍")), "not_found");
    refused(out.request(Requests.HAND_RAISE, room.data()), "not_found");
    assertThat(room.bobWs.closed()).isFalse();
  }

  // ---- reactions ------------------------------------------------------------------------------

  @Test
  void reactionsReachEveryoneAndAreLimitedPerUser() {
    Room room = new Room();
    JsonObject sent = ok(room.bobWs.request(Requests.REACTION_SEND, room.data("emoji", "👍🏽")));
    assertThat(sent.getString("emoji")).isEqualTo("👍🏽");
    for (WsClient ws : List.of(room.ownerWs, room.managerWs, room.carolWs)) {
      JsonObject r = ws.awaitEvent(Events.MEETING_REACTION, d -> room.bob.equals(d.getString("userId")));
      assertThat(r.getString("emoji")).isEqualTo("👍🏽");
      assertThat(r.getString("meetingId")).isEqualTo(room.id);
    }
    for (String bad : List.of("ab", "👍👍", "", "x👍")) {
      assertThat(refused(room.bobWs.request(Requests.REACTION_SEND, room.data("emoji", bad)), "validation_failed")
          .getString("message")).as(bad).contains("emoji");
    }
    ok(room.bobWs.request(Requests.REACTION_SEND, room.data("emoji", "🎉")));
    ok(room.bobWs.request(Requests.REACTION_SEND, room.data("emoji", "👩‍💻")));
    WsClient bobPhone = online(room.bob);
    double refusedBefore = refusals("reactions_per_user");
    JsonObject over = refused(bobPhone.request(Requests.REACTION_SEND, room.data("emoji", "❤️")), "limit_exceeded");
    assertThat(over.getString("message")).contains(String.valueOf(REACTION_LIMIT)).contains("interactions.reactionLimit");
    assertThat(refusals("reactions_per_user")).as("counted as a refusal").isEqualTo(refusedBefore + 1);
    ok(room.carolWs.request(Requests.REACTION_SEND, room.data("emoji", "❤️")));
    clock.advance(Duration.ofSeconds(WINDOW_SECONDS));
    ok(bobPhone.request(Requests.REACTION_SEND, room.data("emoji", "❤️")));
  }

  // ---- hands ----------------------------------------------------------------------------------

  @Test
  void handsQueueInRaiseOrderAndGoDownWhenLoweredOrTheirOwnerLeaves() {
    Room room = new Room();
    JsonObject bobUp = ok(room.bobWs.request(Requests.HAND_RAISE, room.data()));
    ok(room.carolWs.request(Requests.HAND_RAISE, room.data()));
    ok(room.managerWs.request(Requests.HAND_RAISE, room.data()));
    JsonObject again = ok(room.bobWs.request(Requests.HAND_RAISE, room.data()));
    assertThat(again.getBoolean("raised")).isFalse();
    assertThat(again.getString("raisedAt")).isEqualTo(bobUp.getString("raisedAt"));
    room.ownerWs.awaitEvent(Events.MEETING_HAND_RAISED, d -> room.manager.equals(d.getString("userId")));
    room.ownerWs.awaitEvent(Events.MEETING_HAND_RAISED, d -> room.carol.equals(d.getString("userId")));
    room.ownerWs.awaitEvent(Events.MEETING_HAND_RAISED, d -> room.bob.equals(d.getString("userId")));
    // each raise is told once; on a cluster, raises made through different nodes may arrive in any order,
    // and the queue below is what keeps the raise order
    assertThat(room.ownerWs.events(Events.MEETING_HAND_RAISED)).extracting(d -> d.getString("userId"))
        .containsExactlyInAnyOrder(room.bob, room.carol, room.manager);
    for (int node = 0; node < server.nodeCount(); node++) {
      assertThat(queue(room)).containsExactly(room.bob, room.carol, room.manager);
    }

    refused(room.bobWs.request(Requests.HAND_LOWER, room.data("userId", room.carol)), "forbidden");
    JsonObject lowered = ok(room.managerWs.request(Requests.HAND_LOWER, room.data("userId", room.carol)));
    assertThat(lowered.getBoolean("lowered")).isTrue();
    JsonObject told = room.carolWs.awaitEvent(Events.MEETING_HAND_LOWERED, d -> room.carol.equals(d.getString("userId")));
    assertThat(told.getString("by")).isEqualTo(room.manager);
    ok(room.managerWs.request(Requests.HAND_LOWER, room.data()));
    assertThat(queue(room)).containsExactly(room.bob);

    api.leave(room.id, room.bob);
    JsonObject left = room.ownerWs.awaitEvent(Events.MEETING_HAND_LOWERED, d -> room.bob.equals(d.getString("userId")));
    assertThat(left.getString("reason")).isEqualTo("left");
    assertThat(queue(room)).isEmpty();

    ok(room.carolWs.request(Requests.HAND_RAISE, room.data()));
    api.end(room.id, room.owner);
    room.carolWs.awaitEvent(Events.MEETING_ENDED, d -> room.id.equals(d.getString("meetingId")));
    awaitTrue(() -> queue(room).isEmpty(), "hands cleared when the meeting ended");
    refused(room.carolWs.request(Requests.HAND_RAISE, room.data()), "invalid_state");
  }

  private List<String> queue(Room room) {
    return body(server.get(room.path("/hands"), server.token(room.carol)), 200).getJsonArray("items").stream()
        .map(o -> ((JsonObject) o).getString("userId")).toList();
  }

  /** Waits for a condition that follows an event asynchronously (the teardown after meeting:ended). */
  private static void awaitTrue(Supplier<Boolean> condition, String what) {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!condition.get()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 15 s: " + what);
      }
      vertx.timer(50).await();
    }
  }

  // ---- polls ----------------------------------------------------------------------------------

  @Test
  void pollsAreRunByOwnersAndManagersAndCountOneVotePerUser() {
    Room room = new Room();
    JsonObject draft = new JsonObject().put("question", "Lunch?").put("options", new JsonArray().add("Pizza").add("Sushi"));
    body(server.post(room.path("/polls"), server.token(room.bob), draft), 403);
    body(server.post(room.path("/polls"), server.token(room.owner),
        new JsonObject().put("question", "Lunch?").put("options", new JsonArray().add("only one"))), 400);
    JsonObject poll = body(server.post(room.path("/polls"), server.token(room.manager), draft), 201);
    String pollId = poll.getString("pollId");
    assertThat(poll.getString("status")).isEqualTo("open");
    assertThat(poll.getJsonArray("options").getJsonObject(1).getString("text")).isEqualTo("Sushi");
    room.bobWs.awaitEvent(Events.POLL_CREATED, d -> pollId.equals(d.getString("pollId")));

    refused(room.bobWs.request(Requests.POLL_VOTE, room.data("pollId", pollId, "optionIds", new JsonArray().add(1).add(2))),
        "validation_failed");
    refused(room.bobWs.request(Requests.POLL_VOTE, room.data("pollId", pollId, "optionIds", new JsonArray().add(9))),
        "validation_failed");
    ok(room.bobWs.request(Requests.POLL_VOTE, room.data("pollId", pollId, "optionIds", new JsonArray().add(2))));
    assertThat(refused(room.bobWs.request(Requests.POLL_VOTE, room.data("pollId", pollId, "optionIds",
        new JsonArray().add(1))), "conflict").getString("message")).contains("already voted");

    // the same user from two devices at the same moment: one vote
    WsClient carolPhone = online(room.carol);
    JsonObject vote = room.data("pollId", pollId, "optionIds", new JsonArray().add(1));
    var a = CompletableFuture.supplyAsync(() -> room.carolWs.request(Requests.POLL_VOTE, vote));
    var b = CompletableFuture.supplyAsync(() -> carolPhone.request(Requests.POLL_VOTE, vote));
    List<JsonObject> acks = List.of(a.join(), b.join());
    assertThat(acks.stream().filter(x -> x.getBoolean("ok")).count()).as("acks %s", acks).isEqualTo(1);
    refused(acks.stream().filter(x -> !x.getBoolean("ok")).findFirst().orElseThrow(), "conflict");

    JsonObject results = room.ownerWs.awaitEvent(Events.POLL_RESULTS, d -> pollId.equals(d.getString("pollId"))
        && d.getInteger("voters") == 2);
    assertThat(results.getJsonArray("options").getJsonObject(0).getInteger("votes")).isEqualTo(1);
    assertThat(results.getJsonArray("options").getJsonObject(1).getInteger("votes")).isEqualTo(1);

    body(server.post(room.path("/polls/" + pollId + "/close"), server.token(room.carol), null), 403);
    JsonObject closed = body(server.post(room.path("/polls/" + pollId + "/close"), server.token(room.owner), null), 200);
    assertThat(closed.getString("status")).isEqualTo("closed");
    JsonObject fin = room.carolWs.awaitEvent(Events.POLL_CLOSED, d -> pollId.equals(d.getString("pollId")));
    assertThat(fin.getInteger("voters")).isEqualTo(2);
    assertThat(fin.getString("closedBy")).isEqualTo(room.owner);
    refused(room.managerWs.request(Requests.POLL_VOTE, vote), "invalid_state");
    body(server.post(room.path("/polls/" + pollId + "/close"), server.token(room.owner), null), 409);

    JsonObject list = body(server.get(room.path("/polls"), server.token(room.bob)), 200);
    JsonObject mine = list.getJsonArray("items").getJsonObject(0);
    assertThat(mine.getBoolean("voted")).isTrue();
    assertThat(mine.getJsonArray("myOptionIds")).containsExactly(2);
    assertThat(server.rows("SELECT voter FROM poll_votes WHERE poll_id = $1", pollId)).hasSize(2);
  }

  @Test
  void anAnonymousPollKeepsNoLinkFromVoterToOption() {
    Room room = new Room();
    JsonObject poll = body(server.post(room.path("/polls"), server.token(room.owner), new JsonObject()
        .put("question", "Secret?").put("options", new JsonArray().add("Yes").add("No").add("Maybe"))
        .put("anonymous", true).put("multiple", true)), 201);
    String pollId = poll.getString("pollId");
    ok(room.bobWs.request(Requests.POLL_VOTE, room.data("pollId", pollId, "optionIds", new JsonArray().add(1).add(3))));
    refused(room.bobWs.request(Requests.POLL_VOTE, room.data("pollId", pollId, "optionIds", new JsonArray().add(2))),
        "conflict");
    ok(room.carolWs.request(Requests.POLL_VOTE, room.data("pollId", pollId, "optionIds", new JsonArray().add(2))));

    JsonObject asOwner = body(server.get(room.path("/polls"), server.token(room.owner)), 200)
        .getJsonArray("items").getJsonObject(0);
    assertThat(asOwner.getInteger("voters")).isEqualTo(2);
    assertThat(asOwner.getJsonArray("options").stream().map(o -> ((JsonObject) o).getInteger("votes")).toList())
        .containsExactly(1, 1, 1);
    assertThat(asOwner.encode()).doesNotContain(room.bob).doesNotContain(room.carol);
    JsonObject asBob = body(server.get(room.path("/polls"), server.token(room.bob)), 200)
        .getJsonArray("items").getJsonObject(0);
    assertThat(asBob.getBoolean("voted")).isTrue();
    assertThat(asBob.containsKey("myOptionIds")).isFalse();

    List<JsonObject> rows = server.rows("SELECT voter, option_ids FROM poll_votes WHERE poll_id = $1", pollId);
    assertThat(rows).hasSize(2).allSatisfy(r -> {
      assertThat(r.getValue("option_ids")).isNull();
      assertThat(r.getString("voter")).doesNotContain(room.bob).doesNotContain(room.carol);
    });
    JsonObject closed = room.ownerWs.awaitEvent(Events.POLL_RESULTS, d -> pollId.equals(d.getString("pollId"))
        && d.getInteger("voters") == 2);
    assertThat(closed.encode()).doesNotContain(room.bob);
  }

  @Test
  void resultsOfManyVotesAtOnceAreCoalesced() {
    Room room = new Room();
    int voters = 30;
    List<String> people = new ArrayList<>();
    for (int i = 0; i < voters; i++) {
      people.add(user("voter"));
    }
    api.invite(room.id, room.owner, people.toArray(String[]::new));
    JsonObject poll = body(server.post(room.path("/polls"), server.token(room.owner), new JsonObject()
        .put("question", "Fast?").put("options", new JsonArray().add("a").add("b"))), 201);
    String pollId = poll.getString("pollId");
    List<CompletableFuture<Integer>> votes = new ArrayList<>();
    for (int i = 0; i < voters; i++) {
      String voter = people.get(i);
      int option = 1 + i % 2;
      votes.add(CompletableFuture.supplyAsync(() -> server.post("/api/meetings/" + room.id + "/polls/" + pollId
          + "/votes", server.token(voter), new JsonObject().put("optionIds", new JsonArray().add(option))).statusCode()));
    }
    votes.forEach(v -> assertThat(v.join()).isEqualTo(200));
    JsonObject last = room.bobWs.awaitEvent(Events.POLL_RESULTS, d -> pollId.equals(d.getString("pollId"))
        && d.getInteger("voters") == voters);
    assertThat(last.getJsonArray("options").getJsonObject(0).getInteger("votes")).isEqualTo(voters / 2);
    long frames = room.bobWs.events(Events.POLL_RESULTS).stream().filter(d -> pollId.equals(d.getString("pollId"))).count();
    assertThat(frames).as("results frames for %s votes", voters).isLessThan(voters);
  }

  // ---- guests ---------------------------------------------------------------------------------

  @Test
  void aGuestIsRefusedEveryActionAndHearsNothing() {
    Room room = new Room();
    Guest gina = api.register(api.link(room.id, room.owner).getString("token"), "Gina");
    WsClient ginaWs = server.guestSocket(gina.token());
    ginaWs.awaitEvent(Events.SESSION_WELCOME);
    gina.ask();
    api.admitGuest(room.id, room.owner, gina);
    gina.join();
    JsonObject poll = body(server.post(room.path("/polls"), server.token(room.owner), new JsonObject()
        .put("question", "Q").put("options", new JsonArray().add("a").add("b"))), 201);
    String pollId = poll.getString("pollId");
    JsonObject msg = ok(room.bobWs.request(Requests.CHAT_SEND, room.data("text", "members only", "clientMsgId", "g1")));

    List<JsonObject> attempts = List.of(
        ginaWs.request(Requests.CHAT_SEND, room.data("text", "hi", "clientMsgId", "g")),
        ginaWs.request(Requests.CHAT_DELETE, room.data("messageId", msg.getString("messageId"))),
        ginaWs.request(Requests.REACTION_SEND, room.data("emoji", "👍")),
        ginaWs.request(Requests.HAND_RAISE, room.data()),
        ginaWs.request(Requests.HAND_LOWER, room.data()),
        ginaWs.request(Requests.POLL_VOTE, room.data("pollId", pollId, "optionIds", new JsonArray().add(1))));
    for (JsonObject ack : attempts) {
      assertThat(refused(ack, "forbidden").getString("message")).contains("guests");
    }
    for (String path : List.of("/chat", "/hands", "/polls")) {
      body(server.get(room.path(path), gina.token()), 403);
    }
    body(server.post(room.path("/chat"), gina.token(), new JsonObject().put("text", "x").put("clientMsgId", "x")), 403);

    ok(room.bobWs.request(Requests.REACTION_SEND, room.data("emoji", "👋")));
    ok(room.bobWs.request(Requests.HAND_RAISE, room.data()));
    room.carolWs.awaitEvent(Events.MEETING_HAND_RAISED, d -> room.bob.equals(d.getString("userId")));
    room.carolWs.awaitEvent(Events.MEETING_REACTION, d -> room.bob.equals(d.getString("userId")));
    room.carolWs.awaitEvent(Events.CHAT_MESSAGE, d -> "members only".equals(d.getString("text")));
    room.carolWs.awaitEvent(Events.POLL_CREATED, d -> pollId.equals(d.getString("pollId")));
    for (String type : List.of(Events.CHAT_MESSAGE, Events.MEETING_REACTION, Events.MEETING_HAND_RAISED,
        Events.POLL_CREATED)) {
      assertThat(ginaWs.events(type)).as(type).isEmpty();
      assertThat(server.events.of(gina.userId(), type)).as(type).isEmpty();
    }
    assertThat(ginaWs.closed()).isFalse();
  }

  /** {@code convene_rate_limited_total{limit}} summed over the nodes (REST calls go to each node in turn). */
  private double refusals(String limit) {
    String line = "convene_rate_limited_total{limit=\"" + limit + "\"} ";
    double sum = 0;
    for (int node = 0; node < server.nodeCount(); node++) {
      sum += server.get("/metrics", null).bodyAsString().lines().filter(l -> l.startsWith(line))
          .mapToDouble(l -> Double.parseDouble(l.substring(line.length()))).findFirst().orElseThrow();
    }
    return sum;
  }
}
