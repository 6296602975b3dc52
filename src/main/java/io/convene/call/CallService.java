package io.convene.call;

import io.convene.bus.UserEvents;
import io.convene.config.AppConfig;
import io.convene.meeting.Meeting;
import io.convene.meeting.MeetingIds;
import io.convene.meeting.MeetingLifecycle.Cause;
import io.convene.meeting.MeetingService;
import io.convene.meeting.MeetingStatus;
import io.convene.meeting.MeetingView;
import io.convene.meeting.ParticipantService;
import io.convene.meeting.ParticipantStatus;
import io.convene.meeting.Role;
import io.convene.meeting.Seat;
import io.convene.meeting.Settings;
import io.convene.meeting.StatusChanges;
import io.convene.notify.NotificationService;
import io.convene.outbox.Effect;
import io.convene.outbox.Outbox;
import io.convene.outbox.WebhookEvent;
import io.convene.presence.PresenceService;
import io.convene.presence.PresenceState;
import io.convene.protocol.ApiException;
import io.convene.protocol.Identity;
import io.convene.protocol.ErrorCode;
import io.convene.protocol.Events;
import io.convene.protocol.FieldError;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Instant calls: creates the call (a meeting), rings who can be rung, and carries out every decision of
 * the {@link Ring} (kept in Redis, so any node can decide and the deadline outlives the node that set it).
 */
public final class CallService {
  /** The "device" of answers given over REST. */
  public static final String REST_DEVICE = "rest";
  private static final Logger LOG = LoggerFactory.getLogger(CallService.class);
  private static final int SAVE_ATTEMPTS = 8;
  private static final int SWEEP_BATCH = 200;

  /** Outbox kinds: a callee's answer recorded on the call's meeting; the call's meeting ended. */
  static final String ANSWER = "call.answer";
  static final String END = "call.end";

  private final MeetingService meetings;
  private final ParticipantService participants;
  private final Outbox outbox;
  private final Pool pool;
  private final StatusChanges changes;
  private final PresenceService presence;
  private final RingStore rings;
  private final NotificationService notifications;
  private final UserEvents events;
  private final Clock clock;
  private final AppConfig.Calls config;

  public CallService(MeetingService meetings, ParticipantService participants, StatusChanges changes,
      PresenceService presence, RingStore rings, NotificationService notifications, UserEvents events, Outbox outbox,
      Pool pool, Clock clock, AppConfig.Calls config) {
    this.meetings = meetings;
    this.outbox = outbox;
    this.pool = pool;
    outbox.handle(ANSWER, a -> participants.recordAnswer(a.getString("callId"), a.getString("userId"),
        ParticipantStatus.fromWire(a.getString("status"))));
    outbox.handle(END, e -> changes.end(e.getString("callId"), Cause.CALL_ENDED));
    this.participants = participants;
    this.changes = changes;
    this.presence = presence;
    this.rings = rings;
    this.notifications = notifications;
    this.events = events;
    this.clock = clock;
    this.config = config;
  }

  public AppConfig.Calls config() {
    return config;
  }

  /**
   * Calls {@code calleeIds}. Online callees ring on every device; offline and busy ones are not rung and
   * get a missed call. When the callee of a one-to-one call is already calling the caller (glare), the
   * request answers that call instead of placing a second one.
   */
  public Future<JsonObject> start(Identity caller, List<String> calleeIds, String title) {
    long requested = UserEvents.wallMicros();
    List<String> callees = calleeIds.stream().filter(u -> !u.equals(caller.userId())).distinct().toList();
    if (callees.isEmpty()) {
      throw ApiException.validation(List.of(new FieldError(
          "participantIds", "invalid", "name at least one person other than yourself")));
    }
    String callId = MeetingIds.newCallId();
    Future<Optional<String>> glare = callees.size() == 1
        ? rings.claimPair(caller.userId(), callees.get(0), callId, Duration.ofSeconds(config.ringSeconds()))
        : Future.succeededFuture(Optional.empty());
    // who can be rung is asked meanwhile: neither awaited nor needed when the callee was calling the caller already
    Future<Map<String, String>> statuses = classify(callees, null);
    Supplier<Future<JsonObject>> placed = () -> statuses.compose(s -> place(caller, callId, s, title, requested));
    return glare.compose(other -> other.isPresent()
        ? answerGlare(caller, other.get()).compose(answered -> answered.isPresent()
            ? Future.succeededFuture(answered.get())
            : placed.get())
        : placed.get());
  }

  /** Answers the call the other party placed a moment earlier, if it is still ringing this caller. */
  private Future<Optional<JsonObject>> answerGlare(Identity caller, String otherCallId) {
    return rings.load(otherCallId).compose(found -> {
      boolean ringingMe = found.isPresent() && !found.get().ended()
          && found.get().callee(caller.userId()).map(c -> c.state() == Ring.CalleeState.RINGING).orElse(false);
      if (!ringingMe) {
        return Future.succeededFuture(Optional.empty());
      }
      return accept(caller, otherCallId, REST_DEVICE)
          .map(answer -> Optional.of(answer.put("merged", true)))
          .recover(err -> Future.succeededFuture(Optional.empty()));
    });
  }

  /** Places the call to {@code statuses}' callees (in request order), ringing those who are {@code ringing}. */
  private Future<JsonObject> place(Identity caller, String callId, Map<String, String> statuses, String title,
      long requestedMicros) {
    List<String> callees = List.copyOf(statuses.keySet());
    Instant now = clock.instant();
    Instant deadline = now.plusSeconds(config.ringSeconds());
    String name = caller.displayName() == null ? caller.userId() : caller.displayName();
    String callTitle = title == null ? "Call with " + name : title;
    return meetings
        .createLive(newCall(caller, callId, callTitle, now), seats(caller, callees), meeting -> {
          Ring ring = Ring.start(meeting.id(), caller.userId(), name, callTitle);
          List<String> ringable = statuses.entrySet().stream().filter(e -> e.getValue().equals("ringing"))
              .map(Map.Entry::getKey).toList();
          Ring.Result rung = ring.ring(caller.userId(), ringable, deadline);
          Ring.Result ended = ringable.isEmpty() ? ring.end("unreachable", now) : null;
          return rings.save(ring, -1, engaged(ring), List.of())
              .compose(saved -> carryOut(ring, rung, requestedMicros))
              .compose(v -> ended == null ? Future.succeededFuture() : carryOut(ring, ended))
              .compose(v -> missed(ring, statuses.entrySet().stream().filter(e -> !e.getValue().equals("ringing"))
                  .map(Map.Entry::getKey).toList()))
              .map(v -> {
                JsonArray list = new JsonArray();
                statuses.forEach((u, s) -> list.add(new JsonObject().put("userId", u).put("status", s)));
                return meeting.toJson()
                    .put("status", ring.ended() ? "ended" : meeting.status().wire())
                    .put("callerId", caller.userId())
                    .put("deadline", deadline.toString())
                    .put("callees", list);
              });
        });
  }

  /** An instant call: a meeting in progress from now, owned by the caller, that lasts at most the longest call. */
  private Meeting newCall(Identity caller, String callId, String title, Instant now) {
    Instant at = now.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    return new Meeting(callId, title, null, caller.userId(), at, at.plus(Duration.ofHours(config.maxCallHours())),
        MeetingStatus.IN_PROGRESS, true, null, false, Settings.DEFAULT, null, null, at, null, 0, at, at);
  }

  private static List<Seat> seats(Identity caller, List<String> callees) {
    List<Seat> seats = new ArrayList<>();
    seats.add(new Seat(caller.userId(), Role.OWNER, ParticipantStatus.ACCEPTED));
    callees.forEach(id -> seats.add(new Seat(id, Role.MEMBER, ParticipantStatus.INVITED)));
    return seats;
  }

  /** {@code ringing} for online callees free to answer, else {@code offline} or {@code busy}. */
  private Future<Map<String, String>> classify(List<String> userIds, String callId) {
    Future<List<PresenceState>> states = presence.status(userIds);
    Future<List<String>> busy = rings.busy(userIds, callId);
    return Future.all(states, busy).map(both -> {
      Map<String, String> out = new LinkedHashMap<>();
      for (PresenceState s : states.result()) {
        out.put(s.userId(), !s.online() ? "offline" : busy.result().contains(s.userId()) ? "busy" : "ringing");
      }
      return out;
    });
  }

  public Future<JsonObject> accept(Identity who, String callId, String deviceId) {
    Instant now = clock.instant();
    return decide(who, callId, ring -> ring.accept(who.userId(), deviceId, now));
  }

  public Future<JsonObject> decline(Identity who, String callId, String deviceId) {
    Instant now = clock.instant();
    return decide(who, callId, ring -> ring.decline(who.userId(), deviceId, now));
  }

  public Future<JsonObject> cancel(Identity who, String callId) {
    Instant now = clock.instant();
    return decide(who, callId, ring -> ring.cancel(who.userId(), now));
  }

  /** Hangs up: the caller of an unanswered call cancels it; the last one in the call ends it. */
  public Future<JsonObject> leave(Identity who, String callId) {
    Instant now = clock.instant();
    return decide(who, callId, ring -> ring.leave(who.userId(), now));
  }

  /** Rings more people into a call in progress; anyone in the call may invite. */
  public Future<JsonObject> invite(Identity who, String callId, List<String> userIds) {
    return load(who, callId).compose(ring -> {
      if (!ring.present().contains(who.userId())) {
        throw ApiException.forbidden("only someone in the call may invite");
      }
      List<String> fresh = userIds.stream().filter(u -> !ring.present().contains(u)).toList();
      return participants.addMembers(callId, who.userId(), fresh)
          .compose(allowed -> classify(allowed, callId))
          .compose(statuses -> {
            Instant deadline = clock.instant().plusSeconds(config.ringSeconds());
            List<String> ringable = statuses.entrySet().stream().filter(e -> e.getValue().equals("ringing"))
                .map(Map.Entry::getKey).toList();
            return decide(who, callId, r -> r.ring(who.userId(), ringable, deadline))
                .compose(v -> missedFor(callId, statuses))
                .map(v -> {
                  JsonArray list = new JsonArray();
                  statuses.forEach((u, s) -> list.add(new JsonObject().put("userId", u).put("status", s)));
                  return new JsonObject().put("meetingId", callId).put("callees", list);
                });
          });
    });
  }

  private Future<Void> missedFor(String callId, Map<String, String> statuses) {
    List<String> notRung = statuses.entrySet().stream().filter(e -> !e.getValue().equals("ringing"))
        .map(Map.Entry::getKey).toList();
    return notRung.isEmpty() ? Future.succeededFuture()
        : rings.load(callId).compose(r -> r.isPresent() ? missed(r.get(), notRung) : Future.succeededFuture());
  }

  /** The call as a participant sees it: the meeting and the ring state. */
  public Future<JsonObject> get(Identity who, String callId) {
    return call(who, callId).compose(view -> rings.load(callId).map(ring -> {
      JsonObject json = view.toJson();
      ring.ifPresent(r -> json.put("ring", r.publicJson()));
      return json;
    }));
  }

  /** The call as its meeting, when {@code who} takes part in it (or is an admin); not-found otherwise. */
  private Future<MeetingView> call(Identity who, String callId) {
    if (!callId.startsWith(MeetingIds.CALL_PREFIX)) {
      return Future.failedFuture(ApiException.notFound("call"));
    }
    return meetings.get(who, callId);
  }

  /** The call was ended or cancelled through the meetings API: stop every ring. */
  public Future<Void> closed(String callId, String reason) {
    Instant now = clock.instant();
    return rings.load(callId).compose(found -> found.isEmpty() ? Future.<Void>succeededFuture()
        : mutate(callId, ring -> ring.end(reason, now), SAVE_ATTEMPTS).mapEmpty());
  }

  /** Times out every callee whose deadline has come. */
  public Future<Integer> sweep() {
    Instant now = clock.instant();
    return rings.due(now, SWEEP_BATCH).compose(ids -> {
      Future<Integer> chain = Future.succeededFuture(0);
      for (String id : ids) {
        chain = chain.compose(n -> mutate(id, ring -> ring.expire(now), SAVE_ATTEMPTS)
            .map(r -> r.status() == Ring.Status.DONE ? n + 1 : n)
            .recover(err -> {
              LOG.warn("expiring rings of {} failed: {}", id, err.getMessage());
              return Future.succeededFuture(n);
            }));
      }
      return chain;
    });
  }

  // ---- decisions ----------------------------------------------------------------------------

  private Future<JsonObject> decide(Identity who, String callId, Function<Ring, Ring.Result> decision) {
    return load(who, callId).compose(first -> mutate(callId, decision, SAVE_ATTEMPTS)).map(r -> switch (r.status()) {
      case DONE, ALREADY -> new JsonObject().put("meetingId", callId).put("already", r.status() == Ring.Status.ALREADY);
      case TOO_LATE -> throw new ApiException(ErrorCode.TOO_LATE, r.reason());
      case NOT_ALLOWED -> throw ApiException.forbidden(r.reason());
    });
  }

  /** The ring of a call {@code who} takes part in; not-found for anyone else. */
  private Future<Ring> load(Identity who, String callId) {
    if (!MeetingIds.plausible(callId) || !callId.startsWith(MeetingIds.CALL_PREFIX)) {
      return Future.failedFuture(ApiException.notFound("call"));
    }
    return rings.load(callId).compose(found -> {
      if (found.isPresent() && found.get().involves(who.userId())) {
        return Future.succeededFuture(found.get());
      }
      if (found.isPresent()) {
        return Future.failedFuture(ApiException.notFound("call"));
      }
      return call(who, callId).compose(view -> Future.failedFuture(
          new ApiException(ErrorCode.TOO_LATE, "the call has ended")));
    });
  }

  /** Loads, decides and saves with compare-and-set, deciding again when another node got there first. */
  private Future<Ring.Result> mutate(String callId, Function<Ring, Ring.Result> decision, int attempts) {
    return rings.load(callId).compose(found -> {
      if (found.isEmpty()) {
        return Future.failedFuture(new ApiException(ErrorCode.TOO_LATE, "the call has ended"));
      }
      Ring ring = found.get();
      long before = ring.version();
      Ring.Result result = decision.apply(ring);
      if (ring.version() == before) {
        return Future.succeededFuture(result);
      }
      return rings.save(ring, before, engaged(ring), released(ring)).compose(saved -> {
        if (saved) {
          return carryOut(ring, result).map(result);
        }
        if (attempts <= 1) {
          return Future.failedFuture(new ApiException(ErrorCode.CONFLICT, "the call changed too often; try again"));
        }
        return mutate(callId, decision, attempts - 1);
      });
    });
  }

  /**
   * Publishes the decision's events, and records what it means durably: the callees' answers, missed
   * calls (stored notifications) and the end of the call go through the outbox, written right after
   * the ring was saved and carried out until they succeed.
   */
  private Future<Void> carryOut(Ring ring, Ring.Result result) {
    return carryOut(ring, result, 0);
  }

  /** {@code requestedMicros}: when the request that led to it came in (wall clock), or 0. */
  private Future<Void> carryOut(Ring ring, Ring.Result result, long requestedMicros) {
    for (Ring.Effect e : result.effects()) {
      events.publish(e.userIds(), e.type(), e.data(), e.except(), requestedMicros);
    }
    List<Effect> durable = new ArrayList<>();
    result.answers().forEach((user, state) -> {
      if (state == Ring.CalleeState.ACCEPTED || state == Ring.CalleeState.DECLINED || state == Ring.CalleeState.TIMEOUT) {
        durable.add(new Effect(ANSWER, new JsonObject().put("callId", ring.callId()).put("userId", user)
            .put("status", (state == Ring.CalleeState.ACCEPTED ? ParticipantStatus.ACCEPTED : ParticipantStatus.DECLINED).wire())));
      }
      if (state == Ring.CalleeState.ACCEPTED) {
        Instant at = clock.instant();
        durable.add(WebhookEvent.effect(WebhookEvent.CALL_ANSWERED, new JsonObject().put("callId", ring.callId())
            .put("meetingId", ring.callId()).put("userId", user).put("callerId", ring.callerId())
            .put("answeredAt", at.toString()), at));
      }
    });
    durable.addAll(missedCalls(ring, result.missed()));
    if (result.ended()) {
      durable.add(new Effect(END, new JsonObject().put("callId", ring.callId())));
    }
    return record(durable);
  }

  /** Stores the effects, then carries them out once before answering (a caller reads what it did). */
  private Future<Void> record(List<Effect> durable) {
    return durable.isEmpty() ? Future.succeededFuture()
        : outbox.add(pool, durable).compose(outbox::runNow);
  }

  /** A missed-call notification for each user, stored and announced ({@code call:missed}). */
  private List<Effect> missedCalls(Ring ring, List<String> userIds) {
    JsonObject callerInfo = ring.toJson();
    List<Effect> out = new ArrayList<>();
    for (String user : userIds) {
      JsonObject data = new JsonObject().put("callerId", ring.callerId())
          .put("callerName", callerInfo.getString("callerName")).put("title", callerInfo.getString("title"));
      out.add(notifications.notice(user, NotificationService.MISSED_CALL, ring.callId(), data, null, Events.CALL_MISSED));
      Instant at = clock.instant();
      out.add(WebhookEvent.effect(WebhookEvent.CALL_MISSED, data.copy().put("callId", ring.callId())
          .put("meetingId", ring.callId()).put("userId", user).put("missedAt", at.toString()), at));
    }
    return out;
  }

  private Future<Void> missed(Ring ring, List<String> userIds) {
    return record(missedCalls(ring, userIds));
  }

  private static List<String> engaged(Ring ring) {
    if (ring.ended()) {
      return List.of();
    }
    Set<String> out = new HashSet<>(ring.present());
    ring.callees().stream().filter(c -> c.state() == Ring.CalleeState.RINGING).forEach(c -> out.add(c.userId()));
    return List.copyOf(out);
  }

  private static List<String> released(Ring ring) {
    Set<String> all = new HashSet<>();
    all.add(ring.callerId());
    ring.callees().forEach(c -> all.add(c.userId()));
    all.removeAll(engaged(ring));
    return List.copyOf(all);
  }
}
