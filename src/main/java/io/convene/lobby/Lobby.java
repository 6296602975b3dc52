package io.convene.lobby;

import io.convene.attendance.Attendance;
import io.convene.audit.AuditEntry;
import io.convene.audit.AuditLog;
import io.convene.bus.UserEvents;
import io.convene.meeting.ParticipantService;
import io.convene.meeting.Permission;
import io.convene.outbox.Outbox;
import io.convene.outbox.WebhookEvent;
import io.convene.protocol.ApiException;
import io.convene.protocol.ErrorCode;
import io.convene.protocol.Events;
import io.convene.protocol.Identity;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The lobby of a meeting, for guests who asked to come in and for members when the waiting room is
 * on: whoever waits is announced to the members in the room; a decision (admit or decline) is taken
 * once, the first one wins, and someone turned away stays turned away. Owners and managers decide on
 * members; any participant may decide on guests.
 */
public final class Lobby {
  private final Pool pool;
  private final LobbyRepository repo = new LobbyRepository();
  private final ParticipantService participants;
  private final Attendance attendance;
  private final UserEvents events;
  private final Outbox outbox;
  private final Clock clock;

  public Lobby(Pool pool, ParticipantService participants, Attendance attendance, UserEvents events, Outbox outbox,
      Clock clock) {
    this.pool = pool;
    this.outbox = outbox;
    this.participants = participants;
    this.attendance = attendance;
    this.events = events;
    this.clock = clock;
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  /** Where {@code identity} stands in the lobby of a meeting; empty when they never asked. */
  public Future<Optional<LobbyState>> state(String meetingId, String identity) {
    return repo.state(pool, meetingId, identity);
  }

  /** Whether {@code identity} was let in. */
  public Future<Boolean> admitted(String meetingId, String identity) {
    return state(meetingId, identity).map(s -> s.orElse(null) == LobbyState.ADMITTED);
  }

  /** Everyone who ever asked to enter the meeting (waiting, admitted or declined). */
  public Future<Set<String>> asked(String meetingId) {
    return repo.asked(pool, meetingId);
  }

  /**
   * A member joins a meeting with the waiting room on: true once admitted. Otherwise they wait (the
   * members in the room are told) and get false, or, once turned away, are refused.
   */
  public Future<Boolean> admitsMember(String meetingId, Identity who) {
    return state(meetingId, who.userId()).compose(state -> {
      if (state.orElse(null) == LobbyState.ADMITTED) {
        return Future.succeededFuture(true);
      }
      if (state.orElse(null) == LobbyState.DECLINED) {
        throw ApiException.forbidden("you were turned away from this meeting's waiting room");
      }
      // Joining again while waiting does not announce the member again.
      return enter(meetingId, who.userId(), who.displayName())
          .compose(fresh -> fresh ? announce(meetingId, new JsonObject().put("meetingId", meetingId)
              .put("userId", who.userId()).put("displayName", who.displayName())) : Future.<Void>succeededFuture())
          .map(false);
    });
  }

  /**
   * A guest asks to be let in; possible once a member is in the room. A guest turned away can never ask
   * again; an admitted one is told so.
   */
  public Future<JsonObject> ask(String meetingId, String sessionId, String displayName) {
    String identity = Identity.ofGuestSession(sessionId);
    return state(meetingId, identity).compose(state -> {
      if (state.orElse(null) == LobbyState.DECLINED) {
        throw ApiException.forbidden("you were turned away; you cannot ask again");
      }
      if (state.orElse(null) == LobbyState.ADMITTED) {
        return Future.succeededFuture(new JsonObject().put("status", LobbyState.ADMITTED.wire()));
      }
      return attendance.membersPresent(meetingId).compose(members -> {
        if (members.isEmpty()) {
          throw new ApiException(ErrorCode.INVALID_STATE,
              "nobody has joined yet; you will get meeting:first_participant_joined when you can ask");
        }
        return enter(meetingId, identity, displayName).map(fresh -> {
          // Asking again while waiting does not announce the guest again.
          if (fresh) {
            events.publish(members, Events.MEETING_GUEST_WAITING, new JsonObject().put("meetingId", meetingId)
                .put("sessionId", sessionId).put("displayName", displayName));
          }
          return new JsonObject().put("status", LobbyState.WAITING.wire());
        });
      });
    });
  }

  /** A participant lets a waiting guest in or turns them away; the first decision wins. */
  public Future<JsonObject> decideGuest(Identity who, String meetingId, String sessionId, boolean admit) {
    return participants.membership(who, meetingId)
        .map(m -> {
          m.require(Permission.ADMIT_GUESTS);
          if (!m.meeting().allowExternal()) {
            throw ApiException.invalidState("this meeting does not allow guests");
          }
          return m;
        })
        .compose(m -> decide(who, meetingId, Identity.ofGuestSession(sessionId), admit, "guest"))
        .map(status -> new JsonObject().put("sessionId", sessionId).put("status", status.wire()));
  }

  /** An owner or manager lets a waiting member in or turns them away; the first decision wins. */
  public Future<JsonObject> decideMember(Identity who, String meetingId, String userId, boolean admit) {
    return participants.membership(who, meetingId)
        .map(m -> m.require(Permission.ADMIT_MEMBERS))
        .compose(m -> decide(who, meetingId, userId, admit, "member"))
        .map(status -> new JsonObject().put("userId", userId).put("status", status.wire()));
  }

  /**
   * Puts someone in the lobby; the webhooks hear of it when they start waiting. True when they were not
   * waiting already.
   */
  private Future<Boolean> enter(String meetingId, String identity, String displayName) {
    Instant now = now();
    return pool.withTransaction(db -> repo.enter(db, meetingId, identity, displayName, now)
            .compose(fresh -> outbox.add(db, fresh
                ? List.of(WebhookEvent.effect(WebhookEvent.GUEST_WAITING, waiter(meetingId, identity)
                    .put("displayName", displayName).put("askedAt", now.toString()), now))
                : List.of()).map(stored -> Map.entry(fresh, stored))))
        .map(done -> {
          outbox.runNow(done.getValue());
          return done.getKey();
        });
  }

  /** The meeting and who waits: {@code kind} guest with its {@code sessionId}, or member with its {@code userId}. */
  private static JsonObject waiter(String meetingId, String identity) {
    JsonObject data = new JsonObject().put("meetingId", meetingId);
    return Identity.isGuest(identity)
        ? data.put("kind", "guest").put("sessionId", identity.substring(Identity.GUEST_PREFIX.length()))
        : data.put("kind", "member").put("userId", identity);
  }

  private Future<LobbyState> decide(Identity who, String meetingId, String identity, boolean admit, String kind) {
    LobbyState to = admit ? LobbyState.ADMITTED : LobbyState.DECLINED;
    Instant now = now();
    return pool.withTransaction(db -> repo.decide(db, meetingId, identity, to, who.userId(), now)
            .compose(decided -> decided
                ? recordDecision(db, who, meetingId, identity, admit, now).map(Optional::of)
                : Future.succeededFuture(Optional.<List<Outbox.Stored>>empty())))
        .compose(stored -> {
      if (stored.isEmpty()) {
        return state(meetingId, identity).map(state -> {
          if (state.isPresent() && state.get() != LobbyState.WAITING) {
            throw new ApiException(ErrorCode.TOO_LATE, "the " + kind + " was already " + state.get().wire());
          }
          throw ApiException.notFound(kind + " waiting");
        });
      }
      outbox.runNow(stored.get());
      JsonObject data = new JsonObject().put("meetingId", meetingId).put("decidedBy", who.userId());
      if (Identity.isGuest(identity)) {
        data.put("sessionId", identity.substring(Identity.GUEST_PREFIX.length()));
      } else {
        data.put("userId", identity);
      }
      return attendance.membersPresent(meetingId).map(members -> {
        List<String> told = new ArrayList<>(members);
        told.add(identity);
        events.publish(told, admit ? Events.MEETING_GUEST_ADMITTED : Events.MEETING_GUEST_DECLINED, data);
        return to;
      });
    });
  }

  /** A decision's audit entry and webhook event, in the decision's transaction. */
  private Future<List<Outbox.Stored>> recordDecision(SqlClient db, Identity who, String meetingId, String identity,
      boolean admit, Instant now) {
    boolean guest = Identity.isGuest(identity);
    String action = guest ? (admit ? AuditLog.GUEST_ADMITTED : AuditLog.GUEST_DECLINED)
        : (admit ? AuditLog.LOBBY_ADMITTED : AuditLog.LOBBY_DECLINED);
    return AuditLog.append(db, new AuditEntry(action, meetingId, who.userId(),
            waiter(meetingId, identity).put("identity", identity), now))
        .compose(v -> outbox.add(db, List.of(WebhookEvent.effect(
            admit ? WebhookEvent.GUEST_ADMITTED : WebhookEvent.GUEST_DECLINED,
            waiter(meetingId, identity).put("decidedBy", who.userId()).put("decidedAt", now.toString()), now))));
  }

  /** Who waits: members (waiting room) and guests who asked. Any participant may look. */
  public Future<JsonObject> waiting(Identity who, String meetingId) {
    return participants.membership(who, meetingId).compose(m -> repo.waiting(pool, meetingId)).map(list -> {
      JsonArray members = new JsonArray();
      JsonArray guests = new JsonArray();
      for (LobbyRepository.Waiting w : list) {
        if (Identity.isGuest(w.identity())) {
          guests.add(new JsonObject().put("sessionId", w.identity().substring(Identity.GUEST_PREFIX.length()))
              .put("displayName", w.displayName()));
        } else {
          members.add(new JsonObject().put("userId", w.identity()).put("displayName", w.displayName()));
        }
      }
      return new JsonObject().put("meetingId", meetingId).put("members", members).put("guests", guests);
    });
  }

  private Future<Void> announce(String meetingId, JsonObject data) {
    return attendance.membersPresent(meetingId)
        .map(members -> {
          events.publish(members, Events.MEETING_GUEST_WAITING, data);
          return null;
        });
  }
}
