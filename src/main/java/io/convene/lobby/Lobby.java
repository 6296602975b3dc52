package io.convene.lobby;

import io.convene.attendance.Attendance;
import io.convene.audit.AuditEntry;
import io.convene.audit.AuditLog;
import io.convene.bus.UserEvents;
import io.convene.meeting.Meeting;
import io.convene.meeting.ParticipantService;
import io.convene.meeting.Permission;
import io.convene.notify.NotificationService;
import io.convene.outbox.Effect;
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
 *
 * <p>A request to enter is also a {@code lobby_request} notification for the meeting's owners and
 * managers (wherever they are: one who connects later finds it among the unread), stored in the
 * transaction that puts the person in the lobby, once per person. It is settled (marked read) in the
 * transaction that settles the request: a decision, the guest's session ending, the meeting ending.
 */
public final class Lobby {
  /** Who is told of every request as a stored notification: those who may let anyone in. */
  private static final Permission DECIDES_ALL = Permission.ADMIT_MEMBERS;

  private final Pool pool;
  private final LobbyRepository repo = new LobbyRepository();
  private final ParticipantService participants;
  private final Attendance attendance;
  private final UserEvents events;
  private final Outbox outbox;
  private final NotificationService notifications;
  private final Clock clock;

  public Lobby(Pool pool, ParticipantService participants, Attendance attendance, UserEvents events, Outbox outbox,
      NotificationService notifications, Clock clock) {
    this.pool = pool;
    this.notifications = notifications;
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
  public Future<Boolean> admitsMember(Meeting meeting, Identity who) {
    String meetingId = meeting.id();
    return state(meetingId, who.userId()).compose(state -> {
      if (state.orElse(null) == LobbyState.ADMITTED) {
        return Future.succeededFuture(true);
      }
      if (state.orElse(null) == LobbyState.DECLINED) {
        throw ApiException.forbidden("you were turned away from this meeting's waiting room");
      }
      // Joining again while waiting does not announce the member again.
      return enter(meeting, who.userId(), who.displayName())
          .compose(entered -> entered.fresh() ? attendance.membersPresent(meetingId)
              .map(members -> announce(members, entered)) : Future.<Void>succeededFuture())
          .map(false);
    });
  }

  /**
   * A guest asks to be let in; possible once a member is in the room. A guest turned away can never ask
   * again; an admitted one is told so.
   */
  public Future<JsonObject> ask(Meeting meeting, String sessionId, String displayName) {
    String meetingId = meeting.id();
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
        // Asking again while waiting does not announce the guest again.
        return enter(meeting, identity, displayName)
            .map(entered -> {
              if (entered.fresh()) {
                announce(members, entered);
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
   * Someone put in the lobby: whether they started waiting now ({@code false} when they were waiting
   * already), what announces them, and who got it as a stored notification (and is told by it).
   */
  private record Entered(boolean fresh, JsonObject announcement, List<String> notified) {}

  /**
   * Puts someone in the lobby. When they start waiting, in the same transaction: the webhooks hear of it,
   * and the owners and managers get a {@code lobby_request} notification (stored now, so that whatever
   * settles the request finds it; announced once committed).
   */
  private Future<Entered> enter(Meeting meeting, String identity, String displayName) {
    String meetingId = meeting.id();
    Instant now = now();
    JsonObject announcement = waiter(meetingId, identity).put("displayName", displayName).put("title", meeting.title());
    return participants.attendingWith(meetingId, DECIDES_ALL).compose(deciders -> {
      List<String> notified = deciders.stream().filter(u -> !Identity.isGuest(u) && !u.equals(identity)).toList();
      return pool.withTransaction(db -> repo.enter(db, meetingId, identity, displayName, now).compose(entry -> {
            if (entry.isEmpty()) {
              throw ApiException.invalidState("the meeting is over");
            }
            if (!entry.get()) {
              return Future.succeededFuture(Map.entry(new Entered(false, announcement, List.of()), List.<Outbox.Stored>of()));
            }
            List<Effect> notices = notified.stream().map(u -> notifications.notice(u, NotificationService.LOBBY_REQUEST,
                meetingId, about(announcement), null, Events.MEETING_GUEST_WAITING)).toList();
            List<Effect> effects = new ArrayList<>(notices);
            effects.add(WebhookEvent.effect(WebhookEvent.GUEST_WAITING, waiter(meetingId, identity)
                .put("displayName", displayName).put("askedAt", now.toString()), now));
            return notifications.store(db, notices).compose(v -> outbox.add(db, effects))
                .map(stored -> Map.entry(new Entered(true, announcement, notified), stored));
          }))
          .map(done -> {
            outbox.runNow(done.getValue());
            return done.getKey();
          });
    });
  }

  /** A request's notification data: who waits (the meeting is the notification's own). */
  private static JsonObject about(JsonObject announcement) {
    JsonObject data = announcement.copy();
    data.remove("meetingId");
    return data;
  }

  /** What identifies a waiting person in their notifications' data. */
  private static JsonObject whoWaits(String meetingId, String identity) {
    return about(waiter(meetingId, identity));
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
                ? notifications.settle(db, NotificationService.LOBBY_REQUEST, meetingId,
                        List.of(whoWaits(meetingId, identity)))
                    .compose(v -> recordDecision(db, who, meetingId, identity, admit, now)).map(Optional::of)
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

  /** The members in the room hear who waits; those notified heard it from their notification. */
  private Void announce(List<String> members, Entered entered) {
    events.publish(members.stream().filter(m -> !entered.notified().contains(m)).toList(),
        Events.MEETING_GUEST_WAITING, entered.announcement());
    return null;
  }

  /**
   * Guests whose sessions ended (they left, were removed, expired, or guests are no longer allowed) stop
   * waiting, in the caller's transaction: they leave the lobby and their requests' notifications are
   * settled. Decisions already taken stay.
   */
  public Future<Void> withdraw(SqlClient db, String meetingId, List<String> identities) {
    if (identities.isEmpty()) {
      return Future.succeededFuture();
    }
    return repo.withdraw(db, meetingId, identities).compose(gone -> notifications.settle(db,
        NotificationService.LOBBY_REQUEST, meetingId, gone.stream().map(identity -> whoWaits(meetingId, identity)).toList()));
  }

  /** The meeting is over: nobody waiting in its lobby will be let in, so its requests are settled. */
  public Future<Void> closed(String meetingId) {
    return notifications.settle(pool, NotificationService.LOBBY_REQUEST, meetingId);
  }
}
