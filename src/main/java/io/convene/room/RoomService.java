package io.convene.room;

import io.convene.auth.Identity;
import io.convene.bus.UserEvents;
import io.convene.call.CallService;
import io.convene.livekit.JoinTokens;
import io.convene.livekit.LiveKitRooms;
import io.convene.meeting.MeetingService;
import io.convene.meeting.MeetingStatus;
import io.convene.meeting.Permission;
import io.convene.meeting.Permissions;
import io.convene.protocol.ApiException;
import io.convene.protocol.ErrorCode;
import io.convene.protocol.Events;
import io.convene.room.AttendanceCalculator.Attendance;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live room of a meeting: who is in it (from joins and leaves over REST and from LiveKit's
 * webhooks, whichever comes first), the LiveKit token to get in, moderation, and attendance.
 */
public final class RoomService {
  private static final Logger LOG = LoggerFactory.getLogger(RoomService.class);
  /** A first join up to this long after the start still counts as on time. */
  public static final Duration LATE_GRACE = Duration.ofMinutes(5);

  private final Pool pool;
  private final ParticipationRepository participation = new ParticipationRepository();
  private final MeetingService meetings;
  private final CallService calls;
  private final JoinTokens tokens;
  private final LiveKitRooms rooms;
  private final UserEvents events;
  private final Clock clock;
  private final List<java.util.function.Consumer<String>> firstMemberListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final List<java.util.function.Consumer<String>> lastMemberListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

  public RoomService(Pool pool, MeetingService meetings, CallService calls, JoinTokens tokens, LiveKitRooms rooms,
      UserEvents events, Clock clock) {
    this.pool = pool;
    this.meetings = meetings;
    this.calls = calls;
    this.tokens = tokens;
    this.rooms = rooms;
    this.events = events;
    this.clock = clock;
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  /** Checks membership, state, time window and capacity, records the join, and issues a LiveKit token. */
  public Future<JsonObject> join(Identity who, String meetingId) {
    return meetings.membership(who, meetingId).compose(m -> {
      var meeting = m.meeting();
      Instant now = now();
      if (!meeting.status().active()) {
        throw ApiException.invalidState("the meeting is " + meeting.status().wire());
      }
      boolean mayStart = Permissions.allows(m.role(), m.admin(), Permission.START_EARLY);
      if (meeting.status() == MeetingStatus.SCHEDULED && now.isBefore(meeting.startTime()) && !mayStart) {
        throw ApiException.invalidState("the meeting has not started; it opens at " + meeting.startTime());
      }
      Future<Boolean> mayEnter = meeting.settings().waitingRoom()
          && !Permissions.allows(m.role(), m.admin(), Permission.ADMIT_MEMBERS)
          ? waitingRoom(meetingId, who) : Future.succeededFuture(true);
      return mayEnter.compose(enter -> enter ? enter(who, m, now)
          : Future.succeededFuture(new JsonObject().put("status", "waiting").put("meetingId", meetingId)));
    });
  }

  /**
   * With the waiting room on, a member enters once admitted; otherwise they wait (those in the room are
   * told) or, once turned away, are refused.
   */
  private Future<Boolean> waitingRoom(String meetingId, Identity who) {
    return meetings.lobby(meetingId, who.userId()).compose(state -> {
      if ("admitted".equals(state)) {
        return Future.succeededFuture(true);
      }
      if ("declined".equals(state)) {
        throw ApiException.forbidden("you were turned away from this meeting's waiting room");
      }
      return meetings.enterLobby(meetingId, who.userId())
          .compose(v -> membersPresent(meetingId))
          .map(members -> {
            events.publish(members, Events.MEETING_GUEST_WAITING, new JsonObject().put("meetingId", meetingId)
                .put("userId", who.userId()).put("displayName", who.displayName()));
            return false;
          });
    });
  }

  private Future<JsonObject> enter(Identity who, io.convene.meeting.MeetingService.Membership m, Instant now) {
    var meeting = m.meeting();
    String meetingId = meeting.id();
    return inRoom(meetingId, db -> participation.present(db, meetingId).compose(present -> {
        Integer max = meeting.maxParticipants();
        if (max != null && present.size() >= max && !present.contains(who.userId())) {
          throw new ApiException(ErrorCode.MEETING_FULL, "the meeting is full (" + max + " participants)");
        }
        return participation.join(db, meetingId, who.userId(), now, AttendanceCalculator.MERGE_GAP);
      })).compose(joined -> afterJoin(meetingId, who.userId(), who.displayName(), joined, meeting.status()))
          .map(v -> {
            JoinTokens.Issued issued = tokens.issue(meetingId, who.userId(), who.displayName(), m.role(), false,
                meeting.settings(), now);
            return new JsonObject()
                .put("serverUrl", tokens.serverUrl())
                .put("token", issued.token())
                .put("roomName", meetingId)
                .put("identity", issued.identity())
                .put("expiresAt", issued.expiresAt().toString())
                .put("role", m.role().wire())
                .put("permissions", issued.permissions());
          });
  }

  /** Called with the meeting id when the last member (guests aside) leaves the room, or it closes. */
  public void onLastMemberLeft(java.util.function.Consumer<String> listener) {
    lastMemberListeners.add(listener);
  }

  /** Called with the meeting id when the first member (not a guest) enters an empty room. */
  public void onFirstMember(java.util.function.Consumer<String> listener) {
    firstMemberListeners.add(listener);
  }

  /**
   * An admitted guest enters: capacity counts guests too. Returns the LiveKit connection details, with
   * an identity marked as a guest.
   */
  public Future<JsonObject> joinAsGuest(String meetingId, String identity, String name) {
    return meetings.find(meetingId).compose(found -> {
      var meeting = found.orElseThrow(() -> ApiException.notFound("meeting"));
      if (meeting.status() != MeetingStatus.IN_PROGRESS) {
        throw ApiException.invalidState("the meeting is " + meeting.status().wire());
      }
      Instant now = now();
      return inRoom(meetingId, db -> participation.present(db, meetingId).compose(present -> {
        Integer max = meeting.maxParticipants();
        if (max != null && present.size() >= max && !present.contains(identity)) {
          throw new ApiException(ErrorCode.MEETING_FULL, "the meeting is full (" + max + " participants)");
        }
        return participation.join(db, meetingId, identity, now, AttendanceCalculator.MERGE_GAP);
      })).compose(joined -> afterJoin(meetingId, identity, name, joined, meeting.status())).map(v -> {
        JoinTokens.Issued issued = tokens.issue(meetingId, identity, name, io.convene.meeting.Role.GUEST, true,
            meeting.settings(), now);
        return new JsonObject().put("serverUrl", tokens.serverUrl()).put("token", issued.token())
            .put("roomName", meetingId).put("identity", issued.identity()).put("expiresAt", issued.expiresAt().toString())
            .put("role", "guest").put("permissions", issued.permissions());
      });
    });
  }

  private Future<Void> afterJoin(String meetingId, String identity, String name,
      ParticipationRepository.Joined joined, MeetingStatus status) {
    if (joined.alreadyIn()) {
      return Future.succeededFuture();
    }
    Future<?> started = status == MeetingStatus.SCHEDULED ? meetings.startByJoin(meetingId, identity) : Future.succeededFuture();
    return started.compose(v -> meetings.recordJoin(meetingId, identity))
        .compose(v -> meetings.attendingIds(meetingId))
        .map(attending -> {
          List<String> others = attending.stream().filter(u -> !u.equals(identity)).toList();
          events.publish(others, Events.MEETING_PARTICIPANT_JOINED,
              new JsonObject().put("meetingId", meetingId).put("userId", identity).put("displayName", name));
          if (joined.firstInRoom()) {
            rooms.create(meetingId, null).onFailure(err ->
                LOG.warn("creating LiveKit room {} failed (tokens still work): {}", meetingId, err.getMessage()));
          }
          return null;
        })
        .map(v -> {
          if (!isGuest(identity) && joined.noMemberBefore()) {
            firstMemberListeners.forEach(l -> l.accept(meetingId));
          }
          return null;
        });
  }

  private static boolean isGuest(String identity) {
    return identity.startsWith(JoinTokens.GUEST_IDENTITY_PREFIX);
  }

  /** Members (not guests) in the room now. */
  public Future<List<String>> membersPresent(String meetingId) {
    return participation.present(pool, meetingId).map(p -> p.stream().filter(i -> !isGuest(i)).toList());
  }

  /** The caller leaves; a meeting everyone has left ends (a call through its ring). */
  public Future<JsonObject> leave(Identity who, String meetingId) {
    return meetings.membership(who, meetingId)
        .compose(m -> m.meeting().instantCall()
            ? calls.leave(who, meetingId).<Void>mapEmpty().recover(err -> Future.succeededFuture())
            : Future.<Void>succeededFuture())
        .compose(v -> recordLeave(meetingId, who.userId()))
        .map(left -> new JsonObject().put("meetingId", meetingId).put("left", left));
  }

  /** Closes the open cycle of {@code identity}; announces it and ends an empty meeting. */
  Future<Boolean> recordLeave(String meetingId, String identity) {
    return recordLeave(meetingId, identity, now());
  }

  private Future<Boolean> recordLeave(String meetingId, String identity, Instant now) {
    return inRoom(meetingId, db -> participation.leave(db, meetingId, identity, now)
        .compose(left -> participation.present(db, meetingId).map(present -> left ? present.size() : -1)))
        .compose(remaining -> {
          if (remaining < 0) {
            return Future.succeededFuture(false);
          }
          return meetings.attendingIds(meetingId).compose(attending -> {
            events.publish(attending.stream().filter(u -> !u.equals(identity)).toList(),
                Events.MEETING_PARTICIPANT_LEFT, new JsonObject().put("meetingId", meetingId).put("userId", identity));
            if (isGuest(identity)) {
              return Future.succeededFuture(true);
            }
            return membersPresent(meetingId).compose(members -> {
              if (!members.isEmpty()) {
                return Future.succeededFuture(true);
              }
              lastMemberListeners.forEach(l -> l.accept(meetingId));
              return remaining > 0 ? Future.succeededFuture(true) : meetings.endBecauseEmpty(meetingId).map(true);
            });
          });
        });
  }

  /** Owner or manager mutes a participant's microphone in LiveKit; the participant is told. */
  public Future<JsonObject> mute(Identity who, String meetingId, String userId) {
    return meetings.membership(who, meetingId).compose(m -> {
      if (!Permissions.allows(m.role(), m.admin(), Permission.MUTE_PARTICIPANT)) {
        throw ApiException.forbidden("your role in this meeting does not allow mute_participant");
      }
      return rooms.muteAudio(meetingId, userId)
          .recover(err -> Future.failedFuture(new ApiException(ErrorCode.UNAVAILABLE,
              "the media server did not answer: " + err.getMessage())))
          .map(tracks -> {
            events.publish(List.of(userId), Events.MEETING_MUTED,
                new JsonObject().put("meetingId", meetingId).put("mutedBy", who.userId()));
            return new JsonObject().put("meetingId", meetingId).put("userId", userId).put("mutedTracks", tracks);
          });
    });
  }

  /** Attendance per participant (owner, manager): stays, minutes, share of the window, status. */
  public Future<List<JsonObject>> attendance(Identity who, String meetingId) {
    return meetings.membership(who, meetingId).compose(m -> {
      if (!Permissions.allows(m.role(), m.admin(), Permission.VIEW_ATTENDANCE)) {
        throw ApiException.forbidden("your role in this meeting does not allow view_attendance");
      }
      var meeting = m.meeting();
      Instant now = now();
      Instant start = meeting.instantCall() ? meeting.startedAt() : meeting.startTime();
      Instant end = meeting.instantCall() && meeting.endedAt() != null ? meeting.endedAt()
          : meeting.instantCall() ? now : meeting.endTime();
      return meetings.participantIds(meetingId).compose(invited -> participation.cycles(pool, meetingId).map(byUser -> {
        List<String> everyone = new ArrayList<>(invited);
        byUser.keySet().stream().filter(u -> !everyone.contains(u)).forEach(everyone::add);
        List<JsonObject> out = new ArrayList<>();
        for (String user : everyone) {
          Attendance a = AttendanceCalculator.compute(byUser.getOrDefault(user, List.of()), start, end, now, LATE_GRACE);
          out.add(a.toJson().put("userId", user));
        }
        return out;
      }));
    });
  }

  /** Attendance as CSV. */
  public static String csv(List<JsonObject> rows) {
    StringBuilder sb = new StringBuilder("userId,firstJoin,lastLeave,cycles,minutes,percentage,status,late\n");
    for (JsonObject r : rows) {
      sb.append(csvField(r.getString("userId"))).append(',')
          .append(r.getString("firstJoin") == null ? "" : r.getString("firstJoin")).append(',')
          .append(r.getString("lastLeave") == null ? "" : r.getString("lastLeave")).append(',')
          .append(r.getInteger("cycles")).append(',')
          .append(r.getLong("minutes")).append(',')
          .append(r.getDouble("percentage")).append(',')
          .append(r.getString("status")).append(',')
          .append(r.getBoolean("late")).append('\n');
    }
    return sb.toString();
  }

  private static String csvField(String s) {
    String safe = s.startsWith("=") || s.startsWith("+") || s.startsWith("-") || s.startsWith("@") ? "'" + s : s;
    return safe.contains(",") || safe.contains("\"") || safe.contains("\n")
        ? "\"" + safe.replace("\"", "\"\"") + "\"" : safe;
  }

  // ---- LiveKit's view -----------------------------------------------------------------------

  /** LiveKit reports {@code identity} in the room. */
  public Future<Void> reportedJoined(String meetingId, String identity) {
    Instant now = now();
    return meetings.find(meetingId).compose(found -> {
      if (found.isEmpty() || !found.get().status().active()) {
        return Future.succeededFuture();
      }
      return inRoom(meetingId, db -> participation.join(db, meetingId, identity, now, AttendanceCalculator.MERGE_GAP))
          .compose(joined -> afterJoin(meetingId, identity, null, joined, found.get().status()));
    });
  }

  /** LiveKit reports {@code identity} gone; a leave without a join makes us ask LiveKit who is there. */
  public Future<Void> reportedLeft(String meetingId, String identity) {
    return recordLeave(meetingId, identity).compose(left -> left ? Future.succeededFuture() : reconcile(meetingId));
  }

  /** LiveKit opened the room: a room of a meeting that is over is deleted again, else we reconcile. */
  public Future<Void> roomStarted(String meetingId) {
    return meetings.find(meetingId).compose(found -> found.isPresent() && found.get().status().active()
        ? reconcile(meetingId).recover(err -> Future.succeededFuture())
        : rooms.delete(meetingId));
  }

  /** The room is gone: the meeting ends. */
  public Future<Void> roomFinished(String meetingId) {
    return meetings.endFromMediaServer(meetingId);
  }

  /** Makes our record of who is in the room match LiveKit's. */
  public Future<Void> reconcile(String meetingId) {
    return rooms.identities(meetingId).compose(inLiveKit -> participation.present(pool, meetingId).compose(ours -> {
      Future<Void> chain = Future.succeededFuture();
      for (String i : inLiveKit.stream().filter(i -> !ours.contains(i)).toList()) {
        chain = chain.compose(v -> reportedJoined(meetingId, i));
      }
      for (String i : ours.stream().filter(i -> !inLiveKit.contains(i)).toList()) {
        chain = chain.compose(v -> recordLeave(meetingId, i).mapEmpty());
      }
      return chain;
    }));
  }

  /** A user whose last socket went: they leave rooms LiveKit does not see them in. */
  public Future<Void> wentOffline(String userId) {
    return participation.openMeetingsOf(pool, userId).compose(open -> {
      List<Future<?>> work = new ArrayList<>();
      for (String meetingId : open) {
        work.add(rooms.identities(meetingId).recover(err -> Future.succeededFuture(List.of()))
            .compose(inLiveKit -> inLiveKit.contains(userId) ? Future.succeededFuture() : recordLeave(meetingId, userId)));
      }
      return Future.join(work).mapEmpty();
    });
  }

  /**
   * Stays with no sign of life for {@code silence}: a user who is still online gets the benefit of the
   * doubt (the stay is touched); otherwise the stay ends at the last sign of life. Returns how many ended.
   */
  public Future<Integer> closeSilentStays(Duration silence, PresenceCheck online, int batch) {
    Instant now = now();
    return participation.silentSince(pool, now.minus(silence), batch).compose(stays -> {
      if (stays.isEmpty()) {
        return Future.succeededFuture(0);
      }
      return online.onlineAmong(stays.stream().map(ParticipationRepository.Stay::identity).distinct().toList())
          .compose(alive -> {
            Future<Integer> chain = Future.succeededFuture(0);
            for (ParticipationRepository.Stay s : stays) {
              chain = chain.compose(n -> alive.contains(s.identity())
                  ? participation.touch(pool, s.meetingId(), s.identity(), now).map(n)
                  : recordLeave(s.meetingId(), s.identity(), s.lastSeen()).map(left -> left ? n + 1 : n));
            }
            return chain;
          });
    });
  }

  /** Which of these identities are online now. */
  @FunctionalInterface
  public interface PresenceCheck {
    Future<java.util.Set<String>> onlineAmong(List<String> identities);
  }

  /** The meeting ended: every stay ends now, and guests are let go. */
  public Future<Void> closed(String meetingId) {
    lastMemberListeners.forEach(l -> l.accept(meetingId));
    return inRoom(meetingId, db -> participation.closeAll(db, meetingId, now()));
  }

  /** Runs {@code work} in a transaction holding the meeting's room lock, so joins and leaves serialize. */
  private <T> Future<T> inRoom(String meetingId, java.util.function.Function<SqlClient, Future<T>> work) {
    return pool.withTransaction(db -> db.preparedQuery("SELECT pg_advisory_xact_lock(hashtext($1))")
        .execute(Tuple.of(meetingId)).compose(v -> work.apply(db)));
  }

  /** For tests and metrics: who is in the room. */
  public Future<List<String>> present(String meetingId) {
    return participation.present(pool, meetingId);
  }

}
