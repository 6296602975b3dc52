package io.convene.room;

import io.convene.attendance.Attendance;
import io.convene.attendance.Stay;
import io.convene.audit.AuditEntry;
import io.convene.audit.AuditLog;
import io.convene.bus.Addresses;
import io.convene.bus.UserEvents;
import io.convene.call.CallService;
import io.convene.livekit.JoinTokens;
import io.convene.livekit.LiveKitRooms;
import io.convene.lobby.Lobby;
import io.convene.meeting.Meeting;
import io.convene.meeting.MeetingLifecycle.Cause;
import io.convene.meeting.MeetingService;
import io.convene.meeting.MeetingStatus;
import io.convene.meeting.ParticipantService;
import io.convene.meeting.ParticipantService.Membership;
import io.convene.meeting.Permission;
import io.convene.meeting.Role;
import io.convene.meeting.StatusChanges;
import io.convene.outbox.Effect;
import io.convene.outbox.Outbox;
import io.convene.protocol.ApiException;
import io.convene.protocol.ErrorCode;
import io.convene.protocol.Events;
import io.convene.protocol.Identity;
import io.convene.recording.Recordings;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live room of a meeting: who may enter and the LiveKit token to get in, who is in it (from joins
 * and leaves over REST and from LiveKit's webhooks, whichever comes first), what follows when the
 * first member comes or the last one goes, and moderation.
 */
public final class RoomService {
  private static final Logger LOG = LoggerFactory.getLogger(RoomService.class);

  private final MeetingService meetings;
  private final ParticipantService participants;
  private final StatusChanges changes;
  private final Attendance attendance;
  private final Lobby lobby;
  private final CallService calls;
  private final JoinTokens tokens;
  private final LiveKitRooms rooms;
  private final UserEvents events;
  private final Outbox outbox;
  private final Recordings recordings;
  private final Pool pool;
  private final Clock clock;
  private final List<Consumer<String>> firstMemberListeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<String>> lastMemberListeners = new CopyOnWriteArrayList<>();
  private final List<BiConsumer<String, String>> leftListeners = new CopyOnWriteArrayList<>();

  public RoomService(MeetingService meetings, ParticipantService participants, StatusChanges changes,
      Attendance attendance, Lobby lobby, CallService calls, JoinTokens tokens, LiveKitRooms rooms, UserEvents events,
      Outbox outbox, Recordings recordings, Pool pool, Clock clock) {
    this.outbox = outbox;
    this.recordings = recordings;
    this.pool = pool;
    this.meetings = meetings;
    this.participants = participants;
    this.changes = changes;
    this.attendance = attendance;
    this.lobby = lobby;
    this.calls = calls;
    this.tokens = tokens;
    this.rooms = rooms;
    this.events = events;
    this.clock = clock;
  }

  /** Called with the meeting id when the first member (not a guest) enters an empty room. */
  public void onFirstMember(Consumer<String> listener) {
    firstMemberListeners.add(listener);
  }

  /** Called with the meeting id when the last member (guests aside) leaves the room, or it closes. */
  public void onLastMemberLeft(Consumer<String> listener) {
    lastMemberListeners.add(listener);
  }

  /** Called with the meeting id and the identity (guests included) whenever someone leaves the room. */
  public void onLeft(BiConsumer<String, String> listener) {
    leftListeners.add(listener);
  }

  // ---- entering -----------------------------------------------------------------------------

  /** Checks membership, state, time window, lobby and capacity, records the join, and issues a LiveKit token. */
  public Future<JsonObject> join(Identity who, String meetingId) {
    return participants.membership(who, meetingId).compose(m -> {
      Meeting meeting = m.meeting();
      if (m.declined()) {
        throw ApiException.forbidden("you declined this meeting; accept the invitation to join");
      }
      if (!meeting.status().active()) {
        throw ApiException.invalidState("the meeting is " + meeting.status().wire());
      }
      if (meeting.status() == MeetingStatus.SCHEDULED && clock.instant().isBefore(meeting.startTime())
          && !m.can(Permission.START_EARLY)) {
        throw ApiException.invalidState("the meeting has not started; it opens at " + meeting.startTime());
      }
      Future<Boolean> mayEnter = meeting.settings().waitingRoom() && !m.can(Permission.ADMIT_MEMBERS)
          ? lobby.admitsMember(meeting, who) : Future.succeededFuture(true);
      return mayEnter.compose(enter -> enter
          ? enter(meeting, who.userId(), who.displayName()).compose(v -> connection(meeting, who.userId(),
              who.displayName(), m.role().wire(), m.can(Permission.START_EARLY), false))
          : Future.succeededFuture(new JsonObject().put("status", "waiting").put("meetingId", meetingId)));
    });
  }

  /**
   * An admitted guest enters: capacity counts guests too. Returns the LiveKit connection details, with
   * an identity marked as a guest.
   */
  public Future<JsonObject> joinAsGuest(String meetingId, String identity, String name) {
    return meetings.find(meetingId).compose(found -> {
      Meeting meeting = found.orElseThrow(() -> ApiException.notFound("meeting"));
      if (meeting.status() != MeetingStatus.IN_PROGRESS) {
        throw ApiException.invalidState("the meeting is " + meeting.status().wire());
      }
      return enter(meeting, identity, name)
          .compose(v -> connection(meeting, identity, name, Role.GUEST.wire(), false, true));
    });
  }

  private Future<Void> enter(Meeting meeting, String identity, String name) {
    return attendance.join(meeting.id(), identity, meeting.maxParticipants())
        .compose(joined -> afterJoin(meeting.id(), identity, name, joined, meeting.status()));
  }

  /**
   * What a LiveKit client needs to connect: the server, a token with the grants of the role, the room;
   * and whether the meeting is being recorded (people must know before they are).
   */
  private Future<JsonObject> connection(Meeting meeting, String identity, String name, String role, boolean roomAdmin,
      boolean guest) {
    JoinTokens.Issued issued = tokens.issue(new JoinTokens.Grant(meeting.id(), identity, name, role, roomAdmin, guest,
        meeting.settings().voiceOnly(), meeting.settings().muteOnJoin()), clock.instant());
    return recordings.joinInfo(meeting.id()).map(recording -> new JsonObject()
        .put("serverUrl", tokens.serverUrl())
        .put("token", issued.token())
        .put("roomName", meeting.id())
        .put("identity", issued.identity())
        .put("expiresAt", issued.expiresAt().toString())
        .put("role", role)
        .put("permissions", issued.permissions())
        .put("recording", recording));
  }

  private Future<Void> afterJoin(String meetingId, String identity, String name, Attendance.Joined joined,
      MeetingStatus status) {
    if (joined.alreadyIn()) {
      return Future.succeededFuture();
    }
    Future<Void> started = status == MeetingStatus.SCHEDULED ? changes.startByJoin(meetingId, identity)
        : Future.succeededFuture();
    return started.compose(v -> participants.recordJoin(meetingId, identity, joined.uniqueCount()))
        .compose(v -> participants.attendingIds(meetingId))
        .map(attending -> {
          events.publish(attending.stream().filter(u -> !u.equals(identity)).toList(), Events.MEETING_PARTICIPANT_JOINED,
              new JsonObject().put("meetingId", meetingId).put("userId", identity).put("displayName", name));
          if (joined.firstInRoom()) {
            rooms.create(meetingId, null).onFailure(err ->
                LOG.warn("creating LiveKit room {} failed (tokens still work): {}", meetingId, err.getMessage()));
          }
          if (!Identity.isGuest(identity) && joined.noMemberBefore()) {
            firstMemberListeners.forEach(l -> l.accept(meetingId));
          }
          return null;
        });
  }

  /**
   * A fresh LiveKit token for a member who is in the room and still entitled to be: a participant (not
   * banned, removed or declined) of a meeting that is not over. Join tokens are short-lived; clients
   * refresh them over the socket ({@code room:refresh_token}).
   */
  public Future<JsonObject> refresh(Identity who, String meetingId) {
    return participants.membership(who, meetingId).compose(m -> {
      if (m.declined()) {
        throw ApiException.forbidden("you declined this meeting; accept the invitation to join");
      }
      Meeting meeting = m.meeting();
      return stillIn(meeting, who.userId()).compose(v -> connection(meeting, who.userId(), who.displayName(),
          m.role().wire(), m.can(Permission.START_EARLY), false));
    });
  }

  /** A fresh LiveKit token for an admitted guest still in the room (the guest area checked the session). */
  public Future<JsonObject> refreshGuest(String meetingId, String identity, String name) {
    return meetings.find(meetingId).compose(found -> {
      Meeting meeting = found.orElseThrow(() -> ApiException.notFound("meeting"));
      return stillIn(meeting, identity).compose(v -> connection(meeting, identity, name, Role.GUEST.wire(), false, true));
    });
  }

  private Future<Void> stillIn(Meeting meeting, String identity) {
    if (!meeting.status().active()) {
      return Future.failedFuture(ApiException.invalidState("the meeting is " + meeting.status().wire()));
    }
    return attendance.present(meeting.id()).map(present -> {
      if (!present.contains(identity)) {
        throw ApiException.invalidState("you are not in the room; join the meeting again");
      }
      return null;
    });
  }

  // ---- leaving ------------------------------------------------------------------------------

  /** The caller leaves; a meeting everyone has left ends (a call through its ring). */
  public Future<JsonObject> leave(Identity who, String meetingId) {
    return participants.membership(who, meetingId)
        .compose(m -> m.meeting().instantCall()
            ? calls.leave(who, meetingId).<Void>mapEmpty().recover(err -> Future.succeededFuture())
            : Future.<Void>succeededFuture())
        .compose(v -> recordLeave(meetingId, who.userId(), clock.instant()))
        .map(left -> new JsonObject().put("meetingId", meetingId).put("left", left));
  }

  /** Closes the stay of {@code identity}; announces it, and ends a meeting nobody is in any more. */
  Future<Boolean> recordLeave(String meetingId, String identity, Instant at) {
    return attendance.leave(meetingId, identity, at).compose(found -> {
      if (found.isEmpty()) {
        return Future.succeededFuture(false);
      }
      Attendance.Left left = found.get();
      leftListeners.forEach(l -> l.accept(meetingId, identity));
      return participants.attendingIds(meetingId).compose(attending -> {
        events.publish(attending.stream().filter(u -> !u.equals(identity)).toList(), Events.MEETING_PARTICIPANT_LEFT,
            new JsonObject().put("meetingId", meetingId).put("userId", identity));
        if (Identity.isGuest(identity) || left.membersRemaining() > 0) {
          return Future.succeededFuture(true);
        }
        lastMemberListeners.forEach(l -> l.accept(meetingId));
        return left.remaining() > 0 ? Future.succeededFuture(true)
            : changes.end(meetingId, Cause.EVERYONE_LEFT).map(true);
      });
    });
  }

  /** A participant was removed (or a guest's session ended): their stay ends now. */
  public Future<Boolean> removed(String meetingId, String identity) {
    return recordLeave(meetingId, identity, clock.instant());
  }

  /**
   * A user whose last socket went: they leave the rooms LiveKit does not see them in. When LiveKit cannot
   * tell, that is not "left": the room is reconciled once LiveKit answers.
   */
  public Future<Void> wentOffline(String userId) {
    return attendance.openMeetingsOf(userId).compose(open -> {
      List<Future<?>> work = new ArrayList<>();
      for (String meetingId : open) {
        work.add(rooms.identities(meetingId).compose(
            inLiveKit -> inLiveKit.contains(userId) ? Future.succeededFuture()
                : recordLeave(meetingId, userId, clock.instant()).mapEmpty(),
            err -> reconcileOrLater(meetingId)));
      }
      return Future.join(work).mapEmpty();
    });
  }

  /**
   * Stays with no sign of life for {@code silence}: a user who is still online gets the benefit of the
   * doubt (the stay is touched); otherwise the stay ends at the last sign of life. Returns how many ended.
   */
  public Future<Integer> closeSilentStays(Duration silence, PresenceCheck online, int batch) {
    return attendance.silent(silence, batch).compose(stays -> {
      if (stays.isEmpty()) {
        return Future.succeededFuture(0);
      }
      return online.onlineAmong(stays.stream().map(Stay::identity).distinct().toList()).compose(alive -> {
        Future<Integer> chain = Future.succeededFuture(0);
        for (Stay s : stays) {
          chain = chain.compose(n -> alive.contains(s.identity())
              ? attendance.touch(s.meetingId(), s.identity()).map(n)
              : recordLeave(s.meetingId(), s.identity(), s.lastSeen()).map(left -> left ? n + 1 : n));
        }
        return chain;
      });
    });
  }

  /** Which of these identities are online now. */
  @FunctionalInterface
  public interface PresenceCheck {
    Future<Set<String>> onlineAmong(List<String> identities);
  }

  /**
   * The meeting ended: every stay ends now, guests are let go, and requests to enter and live invites are
   * settled.
   */
  public Future<Void> closed(String meetingId) {
    lastMemberListeners.forEach(l -> l.accept(meetingId));
    return Future.all(attendance.closeAll(meetingId), lobby.closed(meetingId), participants.closed(meetingId))
        .mapEmpty();
  }

  // ---- moderation ---------------------------------------------------------------------------

  /** Owner or manager mutes a participant's microphone in LiveKit; the participant is told. */
  public Future<JsonObject> mute(Identity who, String meetingId, String userId) {
    return participants.membership(who, meetingId).compose(m -> {
      m.require(Permission.MUTE_PARTICIPANT);
      return rooms.muteAudio(meetingId, userId)
          .recover(err -> {
            // LiveKit's own answer stays in the log: it may name internals the caller has no business seeing
            LOG.warn("muting {} in {} failed: {}", userId, meetingId, err.getMessage());
            return Future.failedFuture(new ApiException(ErrorCode.UNAVAILABLE,
                "the media server did not mute the participant; try again later"));
          })
          // The change is LiveKit's: it is recorded once LiveKit made it.
          .compose(tracks -> AuditLog.append(pool, new AuditEntry(AuditLog.PARTICIPANT_MUTED, meetingId, who.userId(),
              new JsonObject().put("userId", userId).put("mutedTracks", tracks), clock.instant())).map(tracks))
          .map(tracks -> {
            events.publish(List.of(userId), Events.MEETING_MUTED,
                new JsonObject().put("meetingId", meetingId).put("mutedBy", who.userId()));
            return new JsonObject().put("meetingId", meetingId).put("userId", userId).put("mutedTracks", tracks);
          });
    });
  }

  // ---- LiveKit's view -----------------------------------------------------------------------

  /**
   * LiveKit reports {@code identity} in the room. Someone who may not be there (not a participant,
   * banned, removed, declined, waiting, a guest whose session ended, or the meeting is over), reconnecting
   * with a token issued before, is taken out of the room and not counted.
   */
  public Future<Void> reportedJoined(String meetingId, String identity) {
    return meetings.find(meetingId).compose(found -> {
      if (found.isEmpty() || !found.get().status().active()) {
        return evict(meetingId, identity, "the meeting is over");
      }
      Meeting meeting = found.get();
      return entitled(meeting, identity).compose(entitled -> entitled
          ? attendance.join(meetingId, identity, null)
              .compose(joined -> afterJoin(meetingId, identity, null, joined, meeting.status()))
          : evict(meetingId, identity, "not entitled to be there"));
    });
  }

  /** Whether someone LiveKit reports in a room may be there (guests: the guest area decides). */
  @FunctionalInterface
  public interface GuestEntitlement {
    Future<Boolean> entitled(String meetingId, String identity);
  }

  private volatile GuestEntitlement guestEntitlement = (meetingId, identity) -> Future.succeededFuture(false);

  /** Plugs in the check of guests LiveKit reports in a room. */
  public void guestEntitlement(GuestEntitlement check) {
    this.guestEntitlement = check;
  }

  private Future<Boolean> entitled(Meeting meeting, String identity) {
    if (Identity.isGuest(identity)) {
      return guestEntitlement.entitled(meeting.id(), identity);
    }
    Identity who = new Identity(identity, null, Set.of(), Instant.MAX);
    return attendance.present(meeting.id()).compose(present -> present.contains(identity)
        ? Future.succeededFuture(true)
        : participants.membership(who, meeting.id()).compose(m -> {
          if (m.declined()) {
            return Future.succeededFuture(false);
          }
          if (meeting.settings().waitingRoom() && !m.can(Permission.ADMIT_MEMBERS)) {
            return lobby.admitted(meeting.id(), identity);
          }
          return Future.succeededFuture(true);
        }).recover(err -> err instanceof ApiException e && e.code() == ErrorCode.NOT_FOUND
            ? Future.succeededFuture(false) : Future.failedFuture(err)));
  }

  /** Takes {@code identity} out of LiveKit's room (durably: from the outbox until LiveKit answers). */
  private Future<Void> evict(String meetingId, String identity, String why) {
    LOG.info("LiveKit reports {} in {}: {}; removing them from the room", identity, meetingId, why);
    return outbox.add(pool, List.of(Effect.command(Addresses.ROOM_REMOVE,
            new JsonObject().put("meetingId", meetingId).put("userId", identity))))
        .map(stored -> {
          outbox.runNow(stored);
          return null;
        });
  }

  /**
   * LiveKit reports {@code identity} gone; a leave without a join makes us ask LiveKit who is there (now,
   * or from the outbox once LiveKit answers).
   */
  public Future<Void> reportedLeft(String meetingId, String identity) {
    return recordLeave(meetingId, identity, clock.instant())
        .compose(left -> left ? Future.succeededFuture() : reconcileOrLater(meetingId));
  }

  /** Reconciles now; when LiveKit cannot tell, a durable reconcile is queued for when it can. */
  private Future<Void> reconcileOrLater(String meetingId) {
    return reconcile(meetingId).recover(err -> {
      LOG.info("reconciling room {} later (LiveKit: {})", meetingId, err.getMessage());
      return outbox.add(pool, List.of(Effect.command(Addresses.ROOM_RECONCILE,
          new JsonObject().put("meetingId", meetingId)))).mapEmpty();
    });
  }

  /** LiveKit opened the room: a room of a meeting that is over is deleted again, else we reconcile. */
  public Future<Void> roomStarted(String meetingId) {
    return meetings.find(meetingId).compose(found -> found.isPresent() && found.get().status().active()
        ? reconcile(meetingId).recover(err -> Future.succeededFuture())
        : rooms.delete(meetingId));
  }

  /** The room is gone: the meeting ends. */
  public Future<Void> roomFinished(String meetingId) {
    return changes.end(meetingId, Cause.ROOM_FINISHED);
  }

  /** Makes our record of who is in the room match LiveKit's. */
  public Future<Void> reconcile(String meetingId) {
    return rooms.identities(meetingId).compose(inLiveKit -> attendance.present(meetingId).compose(ours -> {
      Future<Void> chain = Future.succeededFuture();
      for (String i : inLiveKit.stream().filter(i -> !ours.contains(i)).toList()) {
        chain = chain.compose(v -> reportedJoined(meetingId, i));
      }
      for (String i : ours.stream().filter(i -> !inLiveKit.contains(i)).toList()) {
        chain = chain.compose(v -> recordLeave(meetingId, i, clock.instant()).mapEmpty());
      }
      return chain;
    }));
  }
}
