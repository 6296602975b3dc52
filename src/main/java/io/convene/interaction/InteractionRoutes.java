package io.convene.interaction;

import io.convene.protocol.ApiException;
import io.convene.protocol.FieldError;
import io.convene.protocol.Input;
import io.convene.protocol.Requests;
import io.convene.protocol.SocketRequestHandler;
import io.convene.protocol.SocketRequests;
import io.convene.web.AuthHandler;
import io.convene.web.Bodies;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Chat, reactions, hands and polls over REST ({@code /api/meetings/{id}/chat}, {@code .../hands},
 * {@code .../polls}) and over the socket ({@code chat:send}, {@code chat:delete}, {@code reaction:send},
 * {@code hand:raise}, {@code hand:lower}, {@code poll:vote}).
 */
public final class InteractionRoutes {
  private static final int DEFAULT_PAGE = 50;
  private static final int MAX_ID = 64;
  private static final int MAX_CLIENT_MSG_ID = 128;

  private final Interactions it;

  public InteractionRoutes(Interactions interactions) {
    this.it = interactions;
  }

  public void mount(Router api) {
    api.post("/meetings/:id/chat").handler(this::sendChat);
    api.get("/meetings/:id/chat").handler(this::history);
    api.delete("/meetings/:id/chat/:messageId").handler(rc -> Bodies.answer(rc, 200,
        it.chat().delete(AuthHandler.identity(rc), meetingId(rc), rc.pathParam("messageId"))));
    api.get("/meetings/:id/hands").handler(rc -> Bodies.answer(rc, 200,
        it.hands().queue(AuthHandler.identity(rc), meetingId(rc))));
    api.post("/meetings/:id/polls").handler(rc -> {
      Polls.NewPoll poll = newPoll(Bodies.object(rc));
      Bodies.answer(rc, 201, it.polls().create(AuthHandler.identity(rc), meetingId(rc), poll));
    });
    api.get("/meetings/:id/polls").handler(rc -> Bodies.answer(rc, 200,
        it.polls().list(AuthHandler.identity(rc), meetingId(rc))));
    api.post("/meetings/:id/polls/:pollId/votes").handler(rc -> {
      Input in = Input.of(Bodies.object(rc)).allowOnly("optionIds");
      List<Integer> optionIds = optionIds(in);
      in.check();
      Bodies.answer(rc, 200, it.polls().vote(AuthHandler.identity(rc), meetingId(rc), rc.pathParam("pollId"), optionIds));
    });
    api.post("/meetings/:id/polls/:pollId/close").handler(rc -> Bodies.answer(rc, 200,
        it.polls().close(AuthHandler.identity(rc), meetingId(rc), rc.pathParam("pollId"))));
  }

  public void register(SocketRequests requests) {
    requests.on(Requests.CHAT_SEND, membersOnly(Chat.WHAT, (who, conn, data) -> {
      Input in = Input.of(data).allowOnly("meetingId", "text", "clientMsgId");
      String meetingId = in.string("meetingId", true, 1, MAX_ID);
      String text = text(in);
      String clientMsgId = in.string("clientMsgId", true, 1, MAX_CLIENT_MSG_ID);
      in.check();
      return it.chat().send(who, meetingId, text, clientMsgId, conn).map(Chat.Sent::ack);
    }));
    requests.on(Requests.CHAT_DELETE, membersOnly(Chat.WHAT, (who, conn, data) -> {
      Input in = Input.of(data).allowOnly("meetingId", "messageId");
      String meetingId = in.string("meetingId", true, 1, MAX_ID);
      String messageId = in.string("messageId", true, 1, MAX_ID);
      in.check();
      return it.chat().delete(who, meetingId, messageId);
    }));
    requests.on(Requests.REACTION_SEND, membersOnly(Reactions.WHAT, (who, conn, data) -> {
      Input in = Input.of(data).allowOnly("meetingId", "emoji");
      String meetingId = in.string("meetingId", true, 1, MAX_ID);
      Object emoji = data.getValue("emoji");
      if (emoji == null) {
        in.error("emoji", "required", "is required");
      } else if (!(emoji instanceof String)) {
        in.error("emoji", "type", "must be a string");
      }
      in.check();
      return it.reactions().send(who, meetingId, (String) emoji, conn);
    }));
    requests.on(Requests.HAND_RAISE, membersOnly(Hands.WHAT, (who, conn, data) -> {
      Input in = Input.of(data).allowOnly("meetingId");
      String meetingId = in.string("meetingId", true, 1, MAX_ID);
      in.check();
      return it.hands().raise(who, meetingId);
    }));
    requests.on(Requests.HAND_LOWER, membersOnly(Hands.WHAT, (who, conn, data) -> {
      Input in = Input.of(data).allowOnly("meetingId", "userId");
      String meetingId = in.string("meetingId", true, 1, MAX_ID);
      String userId = in.string("userId", false, 1, Input.MAX_ID_LENGTH);
      in.check();
      return it.hands().lower(who, meetingId, userId);
    }));
    requests.on(Requests.POLL_VOTE, membersOnly(Polls.WHAT, (who, conn, data) -> {
      Input in = Input.of(data).allowOnly("meetingId", "pollId", "optionIds");
      String meetingId = in.string("meetingId", true, 1, MAX_ID);
      String pollId = in.string("pollId", true, 1, MAX_ID);
      List<Integer> optionIds = optionIds(in);
      in.check();
      return it.polls().vote(who, meetingId, pollId, optionIds);
    }));
  }

  /** Guests are refused before anything else is looked at: they take no part in interactions. */
  private static SocketRequestHandler membersOnly(String what, SocketRequestHandler handler) {
    return (who, conn, data) -> {
      Audience.refuseGuest(who, what);
      return handler.handle(who, conn, data);
    };
  }

  private void sendChat(RoutingContext rc) {
    Input in = Input.of(Bodies.object(rc)).allowOnly("text", "clientMsgId");
    String text = text(in);
    String clientMsgId = in.string("clientMsgId", true, 1, MAX_CLIENT_MSG_ID);
    in.check();
    String meetingId = meetingId(rc);
    it.chat().send(AuthHandler.identity(rc), meetingId, text, clientMsgId, null)
        .onSuccess(sent -> Bodies.json(rc, sent.created() ? 201 : 200, sent.ack()))
        .onFailure(rc::fail);
  }

  private void history(RoutingContext rc) {
    List<FieldError> errors = new ArrayList<>();
    long after = number(rc.queryParams().get("after"), "after", 0, Long.MAX_VALUE, 0, errors);
    int limit = (int) number(rc.queryParams().get("limit"), "limit", 1, Chat.MAX_PAGE, DEFAULT_PAGE, errors);
    if (!errors.isEmpty()) {
      throw ApiException.validation(errors);
    }
    Bodies.answer(rc, 200, it.chat().history(AuthHandler.identity(rc), meetingId(rc), after, limit));
  }

  /** Chat text: 1 to 4,000 characters, kept as written (line breaks allowed; no other control characters). */
  private static String text(Input in) {
    Object v = in.raw().getValue("text");
    if (v == null) {
      in.error("text", "required", "is required");
      return null;
    }
    if (!(v instanceof String s)) {
      in.error("text", "type", "must be a string");
      return null;
    }
    if (s.isBlank()) {
      in.error("text", "required", "must not be empty");
      return null;
    }
    if (s.codePointCount(0, s.length()) > Chat.MAX_TEXT) {
      in.error("text", "too_long", "must have at most " + Chat.MAX_TEXT + " characters");
      return null;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isISOControl(c) && c != '\n' && c != '\r' && c != '\t') {
        in.error("text", "invalid", "must not contain control characters other than line breaks and tabs");
        return null;
      }
    }
    return s;
  }

  private static List<Integer> optionIds(Input in) {
    Object v = in.raw().getValue("optionIds");
    if (!(v instanceof JsonArray arr) || arr.isEmpty()) {
      in.error("optionIds", v == null ? "required" : "type", "must be a non-empty array of option ids");
      return List.of();
    }
    if (arr.size() > Polls.MAX_OPTIONS) {
      in.error("optionIds", "too_many", "must have at most " + Polls.MAX_OPTIONS + " entries");
      return List.of();
    }
    Set<Integer> out = new LinkedHashSet<>();
    for (int i = 0; i < arr.size(); i++) {
      Object o = arr.getValue(i);
      if (!(o instanceof Integer n) || n < 1) {
        in.error("optionIds[" + i + "]", "invalid", "must be an option id (a whole number from 1)");
      } else if (!out.add(n)) {
        in.error("optionIds[" + i + "]", "duplicate", "names the same option twice");
      }
    }
    return List.copyOf(out);
  }

  private static Polls.NewPoll newPoll(JsonObject body) {
    Input in = Input.of(body).allowOnly("question", "options", "anonymous", "multiple");
    String question = in.string("question", true, 1, 500);
    List<String> options = new ArrayList<>();
    Object raw = body.getValue("options");
    if (!(raw instanceof JsonArray arr)) {
      in.error("options", raw == null ? "required" : "type", "must be an array of 2 to " + Polls.MAX_OPTIONS + " strings");
    } else if (arr.size() < 2 || arr.size() > Polls.MAX_OPTIONS) {
      in.error("options", "count", "must have 2 to " + Polls.MAX_OPTIONS + " options");
    } else {
      for (int i = 0; i < arr.size(); i++) {
        Object o = arr.getValue(i);
        if (!(o instanceof String s) || s.isBlank() || s.strip().length() > 200) {
          in.error("options[" + i + "]", "invalid", "must be a text of 1 to 200 characters");
        } else if (options.contains(s.strip())) {
          in.error("options[" + i + "]", "duplicate", "repeats an earlier option");
        } else {
          options.add(s.strip());
        }
      }
    }
    Boolean anonymous = in.bool("anonymous");
    Boolean multiple = in.bool("multiple");
    in.check();
    return new Polls.NewPoll(question, options, Boolean.TRUE.equals(anonymous), Boolean.TRUE.equals(multiple));
  }

  private static String meetingId(RoutingContext rc) {
    String id = rc.pathParam("id");
    if (Input.idProblem(id) != null) {
      throw ApiException.notFound("meeting");
    }
    return id;
  }

  private static long number(String raw, String name, long min, long max, long fallback, List<FieldError> errors) {
    if (raw == null) {
      return fallback;
    }
    try {
      long v = Long.parseLong(raw);
      if (v >= min && v <= max) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    errors.add(new FieldError(name, "invalid", "must be a whole number from " + min
        + (max == Long.MAX_VALUE ? "" : " to " + max)));
    return fallback;
  }
}
