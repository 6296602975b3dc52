package io.convene.call;

import io.convene.protocol.Events;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The ring state of one call: every callee's answer and deadline, and who is in the call. Plain Java
 * with the time passed in; every decision returns a {@link Result} with the effects to carry out (events,
 * missed-call notifications, participant answers, the end of the call).
 *
 * <p>Per callee: {@code ringing → accepted | declined | timeout | cancelled}. A deadline is final: an
 * answer at or after it is too late, even if the sweep has not run yet. The call ends when nobody is
 * ringing and fewer than two people are in it.
 *
 * <p>One class on purpose: every decision reads and changes the same private state, and its stored
 * form (JSON, in Redis) sits beside it so the two cannot drift apart.
 */
public final class Ring {
  public enum CalleeState {
    RINGING,
    ACCEPTED,
    DECLINED,
    TIMEOUT,
    CANCELLED
  }

  /** One callee; {@code answeredBy} is the connection (or "rest") that accepted or declined. */
  public record Callee(String userId, CalleeState state, Instant deadline, String answeredBy) {}

  /** An event to publish to users, skipping the connection {@code except}. */
  public record Effect(List<String> userIds, String type, JsonObject data, String except) {}

  public enum Status {
    /** The request changed the state. */
    DONE,
    /** The same request was already carried out: nothing changed. */
    ALREADY,
    /** The request came too late; {@link Result#reason()} says why. */
    TOO_LATE,
    /** The user has no part in this that allows the request. */
    NOT_ALLOWED
  }

  /** What a decision did. */
  public record Result(
      Status status,
      String reason,
      List<Effect> effects,
      List<String> missed,
      Map<String, CalleeState> answers,
      boolean ended) {
    static Result of(Status status, String reason) {
      return new Result(status, reason, List.of(), List.of(), Map.of(), false);
    }
  }

  private final String callId;
  private final String callerId;
  private final String callerName;
  private final String title;
  private final Map<String, Callee> callees;
  private final Set<String> present;
  private boolean ended;
  private long version;

  private Ring(String callId, String callerId, String callerName, String title, Map<String, Callee> callees,
      Set<String> present, boolean ended, long version) {
    this.callId = callId;
    this.callerId = callerId;
    this.callerName = callerName;
    this.title = title;
    this.callees = callees;
    this.present = present;
    this.ended = ended;
    this.version = version;
  }

  /** A new call with only the caller in it; {@link #ring} rings the callees. */
  public static Ring start(String callId, String callerId, String callerName, String title) {
    Ring ring = new Ring(callId, callerId, callerName, title, new LinkedHashMap<>(), new LinkedHashSet<>(),
        false, 0);
    ring.present.add(callerId);
    return ring;
  }

  public String callId() {
    return callId;
  }

  public String callerId() {
    return callerId;
  }

  public boolean ended() {
    return ended;
  }

  public long version() {
    return version;
  }

  public Set<String> present() {
    return Set.copyOf(present);
  }

  public Optional<Callee> callee(String userId) {
    return Optional.ofNullable(callees.get(userId));
  }

  public List<Callee> callees() {
    return List.copyOf(callees.values());
  }

  /** Whether {@code userId} takes part: the caller, anyone in the call, or anyone rung. */
  public boolean involves(String userId) {
    return callerId.equals(userId) || present.contains(userId) || callees.containsKey(userId);
  }

  /** The earliest deadline of a callee still ringing. */
  public Optional<Instant> nextDeadline() {
    return callees.values().stream().filter(c -> c.state() == CalleeState.RINGING).map(Callee::deadline)
        .min(Instant::compareTo);
  }

  /** Rings {@code ringees} (skipping anyone ringing or in the call) until {@code deadline}. */
  public Result ring(String inviterId, List<String> ringees, Instant deadline) {
    if (ended) {
      return Result.of(Status.TOO_LATE, "the call has ended");
    }
    if (!present.contains(inviterId)) {
      return Result.of(Status.NOT_ALLOWED, "only someone in the call may invite");
    }
    Effects fx = new Effects();
    for (String u : ringees) {
      Callee existing = callees.get(u);
      if (present.contains(u) || (existing != null && existing.state() == CalleeState.RINGING)) {
        continue;
      }
      callees.put(u, new Callee(u, CalleeState.RINGING, deadline, null));
      fx.add(List.of(u), Events.CALL_INCOMING, base().put("callerId", callerId).put("callerName", callerName)
          .put("title", title).put("invitedBy", inviterId).put("deadline", deadline.toString()), null);
      fx.add(List.of(inviterId), Events.CALL_RINGING, base().put("userId", u).put("deadline", deadline.toString()),
          null);
    }
    return fx.result(Status.DONE, null);
  }

  public Result accept(String userId, String connectionId, Instant now) {
    Callee c = callees.get(userId);
    if (c == null) {
      return Result.of(Status.NOT_ALLOWED, "you were not called");
    }
    Result refused = refusal(c, CalleeState.ACCEPTED, connectionId, now);
    if (refused != null) {
      return refused;
    }
    Effects fx = new Effects();
    callees.put(userId, new Callee(userId, CalleeState.ACCEPTED, c.deadline(), connectionId));
    fx.answers.put(userId, CalleeState.ACCEPTED);
    List<String> others = present.stream().filter(u -> !u.equals(userId)).toList();
    present.add(userId);
    fx.add(others, Events.CALL_ACCEPTED, base().put("userId", userId), null);
    fx.add(List.of(userId), Events.CALL_CANCELLED, base().put("reason", "answered_elsewhere"), connectionId);
    return fx.result(Status.DONE, null);
  }

  public Result decline(String userId, String connectionId, Instant now) {
    Callee c = callees.get(userId);
    if (c == null) {
      return Result.of(Status.NOT_ALLOWED, "you were not called");
    }
    Result refused = refusal(c, CalleeState.DECLINED, connectionId, now);
    if (refused != null) {
      return refused;
    }
    Effects fx = new Effects();
    callees.put(userId, new Callee(userId, CalleeState.DECLINED, c.deadline(), connectionId));
    fx.answers.put(userId, CalleeState.DECLINED);
    fx.add(List.of(callerId), Events.CALL_DECLINED, base().put("userId", userId).put("reason", "declined"), null);
    fx.add(List.of(userId), Events.CALL_CANCELLED, base().put("reason", "declined_elsewhere"), connectionId);
    settle(fx, now, "declined");
    return fx.result(Status.DONE, null);
  }

  /**
   * Why {@code answer} from {@code connectionId} cannot be taken, or null when the callee still rings
   * before the deadline. Repeating the answer already given is harmless ({@code ALREADY}); a device
   * other than the one that accepted is told the call was answered elsewhere; an answer at or after
   * the deadline times the callee out.
   */
  private Result refusal(Callee c, CalleeState answer, String connectionId, Instant now) {
    switch (c.state()) {
      case ACCEPTED:
        if (answer != CalleeState.ACCEPTED) {
          return Result.of(Status.TOO_LATE, "already accepted; leave the call instead");
        }
        return Objects.equals(c.answeredBy(), connectionId)
            ? Result.of(Status.ALREADY, "already accepted")
            : Result.of(Status.TOO_LATE, "answered on another device");
      case DECLINED:
        return Result.of(answer == CalleeState.DECLINED ? Status.ALREADY : Status.TOO_LATE, "already declined");
      case TIMEOUT:
        return Result.of(Status.TOO_LATE, "the call was not answered in time");
      case CANCELLED:
        return Result.of(Status.TOO_LATE, ended ? "the call has ended" : "the caller cancelled");
      default:
        break;
    }
    if (ended) {
      return Result.of(Status.TOO_LATE, "the call has ended");
    }
    if (!now.isBefore(c.deadline())) {
      Effects fx = new Effects();
      timeOut(c, fx);
      settle(fx, now, "no_answer");
      return fx.result(Status.TOO_LATE, "the call was not answered in time");
    }
    return null;
  }

  /** The caller stops ringing everyone who has not answered. Those callees missed the call. */
  public Result cancel(String userId, Instant now) {
    if (!callerId.equals(userId)) {
      return Result.of(Status.NOT_ALLOWED, "only the caller may cancel");
    }
    if (ended) {
      return Result.of(Status.ALREADY, "the call has ended");
    }
    Effects fx = new Effects();
    List<Callee> ringing = callees.values().stream().filter(c -> c.state() == CalleeState.RINGING).toList();
    if (ringing.isEmpty()) {
      return Result.of(Status.ALREADY, "nobody is ringing");
    }
    for (Callee c : ringing) {
      cancelRing(c, "caller_cancelled", fx);
    }
    settle(fx, now, "cancelled");
    return fx.result(Status.DONE, null);
  }

  /** Someone in the call hangs up. A caller leaving before anyone answered cancels the call. */
  public Result leave(String userId, Instant now) {
    if (ended) {
      return Result.of(Status.ALREADY, "the call has ended");
    }
    if (!present.contains(userId)) {
      return Result.of(Status.NOT_ALLOWED, "you are not in the call");
    }
    Effects fx = new Effects();
    present.remove(userId);
    if (userId.equals(callerId) && callees.values().stream().noneMatch(c -> c.state() == CalleeState.ACCEPTED)) {
      for (Callee c : callees.values().stream().filter(c -> c.state() == CalleeState.RINGING).toList()) {
        cancelRing(c, "caller_cancelled", fx);
      }
    }
    fx.add(List.copyOf(present), Events.CALL_LEFT, base().put("userId", userId), null);
    settle(fx, now, "cancelled");
    return fx.result(Status.DONE, null);
  }

  /** Callees whose deadline has come did not answer. */
  public Result expire(Instant now) {
    Effects fx = new Effects();
    for (Callee c : List.copyOf(callees.values())) {
      if (c.state() == CalleeState.RINGING && !now.isBefore(c.deadline())) {
        timeOut(c, fx);
      }
    }
    if (fx.isEmpty()) {
      return Result.of(Status.ALREADY, "nothing due");
    }
    settle(fx, now, "no_answer");
    return fx.result(Status.DONE, null);
  }

  /** Ends the call from outside (owner ended it, the fallback sweep, LiveKit): stops every ring. */
  public Result end(String reason, Instant now) {
    if (ended) {
      return Result.of(Status.ALREADY, "the call has ended");
    }
    Effects fx = new Effects();
    for (Callee c : callees.values().stream().filter(c -> c.state() == CalleeState.RINGING).toList()) {
      cancelRing(c, "call_ended", fx);
    }
    finish(fx, reason, now);
    return fx.result(Status.DONE, null);
  }

  private void timeOut(Callee c, Effects fx) {
    callees.put(c.userId(), new Callee(c.userId(), CalleeState.TIMEOUT, c.deadline(), null));
    fx.answers.put(c.userId(), CalleeState.TIMEOUT);
    fx.add(List.of(callerId), Events.CALL_DECLINED, base().put("userId", c.userId()).put("reason", "timeout"), null);
    fx.missed.add(c.userId());
  }

  private void cancelRing(Callee c, String reason, Effects fx) {
    callees.put(c.userId(), new Callee(c.userId(), CalleeState.CANCELLED, c.deadline(), null));
    fx.answers.put(c.userId(), CalleeState.CANCELLED);
    fx.add(List.of(c.userId()), Events.CALL_CANCELLED, base().put("reason", reason), null);
    if (!"call_ended".equals(reason)) {
      fx.missed.add(c.userId());
    }
  }

  /**
   * The end rule: nobody ringing and fewer than two people in the call. The reason is {@code
   * everyone_left} once someone had answered, else {@code unanswered}.
   */
  private void settle(Effects fx, Instant now, String unanswered) {
    boolean ringing = callees.values().stream().anyMatch(c -> c.state() == CalleeState.RINGING);
    if (!ended && !ringing && present.size() < 2) {
      boolean anyoneAccepted = callees.values().stream().anyMatch(c -> c.state() == CalleeState.ACCEPTED);
      finish(fx, anyoneAccepted ? "everyone_left" : unanswered, now);
    }
  }

  private void finish(Effects fx, String reason, Instant now) {
    ended = true;
    present.clear();
    List<String> everyone = new ArrayList<>();
    everyone.add(callerId);
    everyone.addAll(callees.keySet());
    fx.ended = true;
    fx.add(everyone, Events.CALL_ENDED, base().put("reason", reason).put("endedAt", now.toString()), null);
  }

  private JsonObject base() {
    return new JsonObject().put("meetingId", callId);
  }

  /** Effects collected by one decision; bumps the version when anything changed. */
  private final class Effects {
    final List<Effect> effects = new ArrayList<>();
    final List<String> missed = new ArrayList<>();
    final Map<String, CalleeState> answers = new LinkedHashMap<>();
    boolean ended;

    void add(List<String> users, String type, JsonObject data, String except) {
      if (!users.isEmpty()) {
        effects.add(new Effect(List.copyOf(users), type, data, except));
      }
    }

    boolean isEmpty() {
      return effects.isEmpty() && answers.isEmpty();
    }

    Result result(Status status, String reason) {
      if (!isEmpty() || ended) {
        version++;
      }
      return new Result(status, reason, List.copyOf(effects), List.copyOf(missed), Map.copyOf(answers), ended);
    }
  }

  // ---- persistence ----------------------------------------------------------------------------

  public JsonObject toJson() {
    JsonArray list = new JsonArray();
    for (Callee c : callees.values()) {
      list.add(new JsonObject().put("userId", c.userId()).put("state", c.state().name())
          .put("deadline", c.deadline().toString()).put("answeredBy", c.answeredBy()));
    }
    return new JsonObject()
        .put("callId", callId)
        .put("callerId", callerId)
        .put("callerName", callerName)
        .put("title", title)
        .put("callees", list)
        .put("present", new JsonArray(new ArrayList<>(present)))
        .put("ended", ended)
        .put("version", version);
  }

  public static Ring fromJson(JsonObject json) {
    Map<String, Callee> callees = new LinkedHashMap<>();
    for (Object o : json.getJsonArray("callees")) {
      JsonObject c = (JsonObject) o;
      callees.put(c.getString("userId"), new Callee(c.getString("userId"), CalleeState.valueOf(c.getString("state")),
          Instant.parse(c.getString("deadline")), c.getString("answeredBy")));
    }
    Set<String> present = new LinkedHashSet<>();
    json.getJsonArray("present").forEach(u -> present.add((String) u));
    return new Ring(json.getString("callId"), json.getString("callerId"), json.getString("callerName"),
        json.getString("title"), callees, present, json.getBoolean("ended"), json.getLong("version"));
  }

  /** The state as clients see it: {callerId, ended, inCall, callees:[{userId, status, deadline}]}. */
  public JsonObject publicJson() {
    JsonArray list = new JsonArray();
    for (Callee c : callees.values()) {
      list.add(new JsonObject().put("userId", c.userId()).put("status", c.state().name().toLowerCase())
          .put("deadline", c.deadline().toString()));
    }
    return new JsonObject().put("callerId", callerId).put("ended", ended)
        .put("inCall", new JsonArray(new ArrayList<>(present))).put("callees", list);
  }
}
