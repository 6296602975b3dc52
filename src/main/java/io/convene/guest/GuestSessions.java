package io.convene.guest;

import io.convene.attendance.Attendance;
import io.convene.auth.Authenticator;
import io.convene.audit.AuditEntry;
import io.convene.audit.AuditLog;
import io.convene.bus.Addresses;
import io.convene.bus.UserEvents;
import io.convene.config.AppConfig;
import io.convene.lobby.Lobby;
import io.convene.lobby.LobbyState;
import io.convene.meeting.Meeting;
import io.convene.meeting.MeetingService;
import io.convene.meeting.ParticipantService;
import io.convene.meeting.Permission;
import io.convene.outbox.Effect;
import io.convene.outbox.Outbox;
import io.convene.protocol.ApiException;
import io.convene.protocol.CloseCodes;
import io.convene.protocol.ErrorCode;
import io.convene.protocol.Events;
import io.convene.protocol.Identity;
import io.convene.room.RoomService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * People without an account, once registered through a link: their session and token (which
 * authenticates them on their routes and the socket), asking to be let in and entering once admitted,
 * their key bundle, what they may see of the meeting, and the end of their session (they leave, an
 * owner or manager ends it, every member left, or it expired).
 */
public final class GuestSessions implements Authenticator {
  /** Seconds guests keep their socket after every member left. */
  public static final int LEFT_ALONE_GRACE_SECONDS = 5;

  private final Pool pool;
  private final GuestSessionRepository sessions = new GuestSessionRepository();
  private final GuestLinks links;
  private final MeetingService meetings;
  private final ParticipantService participants;
  private final Attendance attendance;
  private final Lobby lobby;
  private final RoomService room;
  private final UserEvents events;
  private final Outbox outbox;
  private final Clock clock;
  private final AppConfig.Guests config;

  public GuestSessions(Pool pool, GuestLinks links, MeetingService meetings, ParticipantService participants,
      Attendance attendance, Lobby lobby, RoomService room, UserEvents events, Outbox outbox, Clock clock,
      AppConfig.Guests config) {
    this.pool = pool;
    this.outbox = outbox;
    this.links = links;
    this.meetings = meetings;
    this.participants = participants;
    this.attendance = attendance;
    this.lobby = lobby;
    this.room = room;
    this.events = events;
    this.clock = clock;
    this.config = config;
    room.onFirstMember(this::firstMemberJoined);
    room.guestEntitlement(this::entitled);
    room.onLastMemberLeft(this::lastMemberLeft);
  }

  public AppConfig.Guests config() {
    return config;
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  /** Registers a guest through a valid link; returns the session and the guest token (shown once). */
  public Future<JsonObject> register(String linkToken, String displayName, String email, JsonObject keys) {
    return register(linkToken, displayName, email, keys, 0, 0);
  }

  /**
   * Registers a guest, unless the meeting's link already has {@code maxSessions} live guests, or {@code
   * maxKeyBundles} of them stored keys and this one brings keys too (0: no cap).
   */
  public Future<JsonObject> register(String linkToken, String displayName, String email, JsonObject keys,
      int maxSessions, int maxKeyBundles) {
    return links.open(linkToken).compose(meeting -> (maxSessions == 0 && maxKeyBundles == 0 ? Future.succeededFuture(meeting)
        : sessions.liveCounts(pool, meeting.id(), now()).map(counts -> {
          if (maxSessions > 0 && counts[0] >= maxSessions) {
            throw ApiException.invalidState("this link has as many guests as it takes (" + maxSessions + ")");
          }
          if (keys != null && maxKeyBundles > 0 && counts[1] >= maxKeyBundles) {
            throw ApiException.invalidState("this link stores no more key bundles (" + maxKeyBundles + "); register"
                + " without keys");
          }
          return meeting;
        }))).compose(meeting -> {
      Instant now = now();
      String sessionId = "gst_" + Secrets.random(12);
      String guestToken = Identity.GUEST_TOKEN_PREFIX + Secrets.random(32);
      Instant expires = now.plus(Duration.ofHours(config.sessionHours()));
      return sessions.insert(pool, sessionId, meeting.id(), Secrets.hash(guestToken), displayName, email, keys, now, expires)
          .map(v -> new JsonObject().put("sessionId", sessionId).put("guestToken", guestToken)
              .put("meetingId", meeting.id()).put("expiresAt", expires.toString()));
    });
  }

  /** The identity a guest token proves: {@code guest:<sessionId>} with the guest role, until the session ends. */
  @Override
  public Future<Identity> verify(String guestToken) {
    if (guestToken == null || !guestToken.startsWith(Identity.GUEST_TOKEN_PREFIX) || guestToken.length() > 128) {
      return Future.failedFuture(new ApiException(ErrorCode.UNAUTHORIZED, "invalid guest token"));
    }
    return sessions.byToken(pool, Secrets.hash(guestToken), now()).compose(found -> found
        .map(s -> Future.succeededFuture(new Identity(Identity.ofGuestSession(s.id()), s.displayName(),
            Set.of(Identity.GUEST_ROLE), s.expiresAt())))
        .orElseGet(() -> Future.failedFuture(new ApiException(ErrorCode.UNAUTHORIZED, "invalid or expired guest token"))));
  }

  /** A guest's session as its own token proves it; not-found for any other session. */
  public Future<GuestSession> session(Identity guest, String sessionId) {
    if (!guest.userId().equals(Identity.ofGuestSession(sessionId))) {
      return Future.failedFuture(ApiException.notFound("guest session"));
    }
    return sessions.find(pool, sessionId).compose(found -> found
        .map(s -> Future.succeededFuture(new GuestSession(s.id(), s.meetingId(), s.displayName(), s.status())))
        .orElseGet(() -> Future.failedFuture(ApiException.notFound("guest session"))));
  }

  /** The guest asks to be let in (see {@link Lobby#ask}). */
  public Future<JsonObject> ask(Identity guest, String sessionId) {
    return session(guest, sessionId).compose(s -> {
      if (s.status() == GuestSession.Status.ENDED) {
        throw ApiException.invalidState("your guest session has ended");
      }
      return guestsAllowed(s.meetingId()).compose(meeting -> lobby.ask(meeting, sessionId, s.displayName()));
    });
  }

  /** An admitted guest enters the room and gets LiveKit connection details. */
  public Future<JsonObject> join(Identity guest, String sessionId) {
    return session(guest, sessionId).compose(s -> lobby.state(s.meetingId(), guest.userId()).compose(state -> {
      if (s.status() == GuestSession.Status.ENDED || state.orElse(null) != LobbyState.ADMITTED) {
        throw ApiException.forbidden("wait until a participant lets you in");
      }
      return guestsAllowed(s.meetingId()).compose(v -> room.joinAsGuest(s.meetingId(), guest.userId(), s.displayName()));
    }));
  }

  /** A fresh LiveKit token for an admitted guest still in the room of their own meeting. */
  public Future<JsonObject> refresh(Identity guest, String meetingId) {
    String sessionId = guest.userId().substring(Identity.GUEST_PREFIX.length());
    return session(guest, sessionId).compose(s -> {
      if (!s.meetingId().equals(meetingId)) {
        throw ApiException.notFound("meeting");
      }
      return entitled(meetingId, guest.userId()).compose(ok -> {
        if (!ok) {
          throw ApiException.forbidden("your guest session no longer lets you into this meeting");
        }
        return room.refreshGuest(meetingId, guest.userId(), s.displayName());
      });
    });
  }

  /**
   * Whether the guest {@code identity} may be in the meeting's room: their session is live, the meeting
   * still allows guests, and they were let in.
   */
  private Future<Boolean> entitled(String meetingId, String identity) {
    String sessionId = identity.substring(Identity.GUEST_PREFIX.length());
    return sessions.find(pool, sessionId).compose(found -> {
      if (found.isEmpty() || !found.get().meetingId().equals(meetingId)
          || found.get().status() == GuestSession.Status.ENDED || !found.get().expiresAt().isAfter(now())) {
        return Future.succeededFuture(false);
      }
      return meetings.find(meetingId).compose(m -> m.isEmpty() || !m.get().allowExternal()
          ? Future.succeededFuture(false) : lobby.admitted(meetingId, identity));
    });
  }

  /** The meeting; fails with {@code forbidden} when it does not (or no longer) allow guests. */
  private Future<Meeting> guestsAllowed(String meetingId) {
    return meetings.find(meetingId).map(found -> {
      if (found.isEmpty() || !found.get().allowExternal()) {
        throw ApiException.forbidden("this meeting does not allow guests");
      }
      return found.get();
    });
  }

  /**
   * The meeting no longer allows guests: its links stop working, and every live guest session of it
   * ends: the guests are told ({@code external:guests_disallowed}), taken out of the room and
   * disconnected. Idempotent (carried out from the outbox).
   */
  public Future<Void> disallowed(String meetingId) {
    return links.revokeAll(meetingId)
        .compose(v -> pool.withTransaction(db -> sessions.endAllOf(db, meetingId).compose(ended -> lobby.withdraw(db,
                meetingId, ended.stream().map(Identity::ofGuestSession).toList())
            .compose(w -> outbox.add(db, ended.stream().map(id -> Effect.command(Addresses.ROOM_REMOVE,
                new JsonObject().put("meetingId", meetingId).put("userId", Identity.ofGuestSession(id)))).toList()))
            .map(stored -> Map.entry(ended, stored)))))
        .map(done -> {
          outbox.runNow(done.getValue());
          List<String> identities = done.getKey().stream().map(Identity::ofGuestSession).toList();
          events.publish(identities, Events.EXTERNAL_GUESTS_DISALLOWED, new JsonObject().put("meetingId", meetingId));
          disconnect(identities);
          return null;
        });
  }

  /** A guest's key bundle, for the meeting's participants only. */
  public Future<JsonObject> keys(Identity who, String sessionId) {
    if (who.guest()) {
      return Future.failedFuture(ApiException.forbidden("guests cannot read other guests' keys"));
    }
    return sessions.keys(pool, sessionId).compose(found -> {
      if (found.isEmpty()) {
        return Future.failedFuture(ApiException.notFound("guest session"));
      }
      var r = found.get();
      return participants.membership(who, r.getString("meeting_id")).map(m -> new JsonObject()
          .put("sessionId", sessionId)
          .put("displayName", r.getString("display_name"))
          .put("keys", r.getValue("keys")));
    }).recover(err -> err instanceof ApiException e && e.code() == ErrorCode.NOT_FOUND
        ? Future.failedFuture(ApiException.notFound("guest session")) : Future.failedFuture(err));
  }

  /**
   * A meeting's preview: participants see who is in (and how many guests); guests see counts only, and
   * only of their own meeting.
   */
  public Future<JsonObject> preview(Identity who, String meetingId) {
    Future<Meeting> meeting = who.guest()
        ? session(who, who.userId().substring(Identity.GUEST_PREFIX.length())).compose(s -> s.meetingId().equals(meetingId)
            ? meetings.find(meetingId).map(f -> f.orElseThrow(() -> ApiException.notFound("meeting")))
            : Future.failedFuture(ApiException.notFound("meeting")))
        : participants.membership(who, meetingId).map(ParticipantService.Membership::meeting);
    return meeting.compose(m -> attendance.present(meetingId).compose(present -> {
      long guests = present.stream().filter(Identity::isGuest).count();
      List<String> members = present.stream().filter(p -> !Identity.isGuest(p)).toList();
      JsonObject out = new JsonObject().put("meetingId", meetingId).put("title", m.title())
          .put("status", m.status().wire()).put("startTime", m.startTime().toString())
          .put("participantCount", members.size()).put("guestCount", guests);
      return who.guest() ? Future.succeededFuture(out)
          : participants.participantIds(meetingId).map(all -> out
              .put("inRoom", new JsonArray(members))
              .put("invited", new JsonArray(all)));
    }));
  }

  /**
   * Ends a guest session: the guest themself, or an owner or manager of its meeting. The guest's sockets
   * close and LiveKit drops the guest from the room.
   */
  public Future<Void> end(Identity who, String sessionId) {
    Future<String> meetingOf = who.guest()
        ? session(who, sessionId).map(GuestSession::meetingId)
        : sessions.find(pool, sessionId).compose(found -> found.isEmpty()
            ? Future.failedFuture(ApiException.notFound("guest session"))
            : participants.membership(who, found.get().meetingId())
                .map(m -> m.require(Permission.REMOVE_GUEST).meeting().id()));
    String identity = Identity.ofGuestSession(sessionId);
    return meetingOf.compose(meetingId -> pool.withTransaction(db -> sessions.end(db, sessionId)
            .compose(v -> lobby.withdraw(db, meetingId, List.of(identity)))
            .compose(v -> who.guest() ? Future.<Void>succeededFuture() : AuditLog.append(db, new AuditEntry(
                AuditLog.GUEST_REMOVED, meetingId, who.userId(), new JsonObject().put("sessionId", sessionId),
                clock.instant())))
            .compose(v -> outbox.add(db, List.of(Effect.command(Addresses.ROOM_REMOVE,
                new JsonObject().put("meetingId", meetingId).put("userId", identity)))))))
        .map(stored -> {
          outbox.runNow(stored);
          disconnect(List.of(identity));
          return null;
        });
  }

  /**
   * Ends sessions past their lifetime, and sessions whose grace after every member left ran out unless
   * a member came back; their sockets are closed. Returns how many ended.
   */
  public Future<Integer> endDueSessions(int batch) {
    Instant now = now();
    return pool.withTransaction(db -> sessions.claimDue(db, now, batch).compose(due -> attendance
        .withMembers(db, due.stream().filter(d -> !d.expired()).map(GuestSessionRepository.Due::meetingId).distinct().toList())
        .compose(occupied -> {
          List<String> ending = due.stream().filter(d -> d.expired() || !occupied.contains(d.meetingId()))
              .map(GuestSessionRepository.Due::id).toList();
          List<String> kept = due.stream().map(GuestSessionRepository.Due::id).filter(id -> !ending.contains(id)).toList();
          return sessions.endAll(db, ending).compose(v -> sessions.keep(db, kept))
              .compose(v -> withdraw(db, due.stream().filter(d -> ending.contains(d.id())).toList()))
              .map(ending);
        })))
        .map(ended -> {
          disconnect(ended.stream().map(Identity::ofGuestSession).toList());
          return ended.size();
        });
  }

  /** Guests whose sessions end stop waiting in their meetings' lobbies (in the ending transaction). */
  private Future<Void> withdraw(SqlClient db, List<GuestSessionRepository.Due> ended) {
    Map<String, List<String>> byMeeting = ended.stream().collect(Collectors.groupingBy(GuestSessionRepository.Due::meetingId,
        Collectors.mapping(d -> Identity.ofGuestSession(d.id()), Collectors.toList())));
    Future<Void> chain = Future.succeededFuture();
    for (Map.Entry<String, List<String>> m : byMeeting.entrySet()) {
      chain = chain.compose(v -> lobby.withdraw(db, m.getKey(), m.getValue()));
    }
    return chain;
  }

  /** Every member left (or the meeting closed): guests are warned; their sessions end after a grace. */
  private void lastMemberLeft(String meetingId) {
    sessions.endingAt(pool, meetingId, now().plusSeconds(LEFT_ALONE_GRACE_SECONDS))
        .onSuccess(ids -> events.publish(ids.stream().map(Identity::ofGuestSession).toList(),
            Events.EXTERNAL_ALL_SERVER_USERS_LEFT,
            new JsonObject().put("meetingId", meetingId).put("graceSeconds", LEFT_ALONE_GRACE_SECONDS)));
  }

  /** Guests still outside (who have not asked yet) learn that they may ask now. */
  private void firstMemberJoined(String meetingId) {
    sessions.live(pool, meetingId, now()).compose(ids -> lobby.asked(meetingId).map(known -> ids.stream()
            .map(Identity::ofGuestSession).filter(identity -> !known.contains(identity)).toList()))
        .onSuccess(outside -> events.publish(outside, Events.MEETING_FIRST_PARTICIPANT_JOINED,
            new JsonObject().put("meetingId", meetingId)));
  }

  private void disconnect(List<String> identities) {
    if (!identities.isEmpty()) {
      events.broadcast(Addresses.DISCONNECT_USERS, new JsonObject()
          .put("userIds", new JsonArray(identities)).put("code", CloseCodes.SESSION_ENDED.code()));
    }
  }
}
