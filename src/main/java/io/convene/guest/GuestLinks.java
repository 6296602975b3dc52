package io.convene.guest;

import io.convene.attendance.Attendance;
import io.convene.audit.AuditEntry;
import io.convene.audit.AuditLog;
import io.convene.bus.UserEvents;
import io.convene.meeting.Meeting;
import io.convene.meeting.MeetingService;
import io.convene.meeting.ParticipantService;
import io.convene.meeting.Permission;
import io.convene.protocol.ApiException;
import io.convene.protocol.ErrorCode;
import io.convene.protocol.Events;
import io.convene.protocol.Identity;
import io.convene.user.UserDirectory;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Invitation links: unguessable, stored hashed; a new one replaces the old. What a link shows anyone
 * holding it, and the meeting a current link opens within its {@link LinkWindow}.
 */
public final class GuestLinks {
  public static final String LINK_PREFIX = "inv_";

  private final Pool pool;
  private final InviteLinkRepository links = new InviteLinkRepository();
  private final MeetingService meetings;
  private final ParticipantService participants;
  private final Attendance attendance;
  private final UserDirectory users;
  private final UserEvents events;
  private final Clock clock;
  private final LinkWindow window;
  private final String publicUrl;

  public GuestLinks(Pool pool, MeetingService meetings, ParticipantService participants, Attendance attendance,
      UserDirectory users, UserEvents events, Clock clock, LinkWindow window, String publicUrl) {
    this.pool = pool;
    this.meetings = meetings;
    this.participants = participants;
    this.attendance = attendance;
    this.users = users;
    this.events = events;
    this.clock = clock;
    this.window = window;
    this.publicUrl = publicUrl;
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  /** A new link for the meeting (owner, manager; allowExternal on); the previous one stops working. */
  public Future<JsonObject> generate(Identity who, String meetingId) {
    return participants.membership(who, meetingId).compose(m -> {
      m.require(Permission.GENERATE_LINK);
      Meeting meeting = m.meeting();
      if (!meeting.allowExternal()) {
        throw ApiException.invalidState("guests are not allowed in this meeting; turn allowExternal on first");
      }
      if (!meeting.status().active()) {
        throw ApiException.invalidState("the meeting is " + meeting.status().wire());
      }
      String token = LINK_PREFIX + Secrets.random(24);
      Instant now = now();
      return pool.withTransaction(db -> links.replace(db, meetingId, Secrets.hash(token), who.userId(), now)
              .compose(v -> AuditLog.append(db, new AuditEntry(AuditLog.LINK_GENERATED, meetingId, who.userId(),
                  new JsonObject().put("previousLinksRevoked", true), now))))
          .compose(v -> attendance.membersPresent(meetingId))
          .map(members -> {
            LinkWindow.Verdict verdict = window.check(meeting, now);
            events.publish(members, Events.MEETING_INVITE_LINK_GENERATED,
                new JsonObject().put("meetingId", meetingId).put("generatedBy", who.userId()));
            return new JsonObject()
                .put("token", token)
                .put("url", publicUrl == null ? null : publicUrl.replaceAll("/+$", "") + "/join/" + token)
                .put("validFrom", verdict.validFrom().toString())
                .put("validUntil", verdict.validUntil().toString());
          });
    });
  }

  /** What a link shows anyone holding it; unknown and replaced links are not found, with the reason. */
  public Future<JsonObject> joinInfo(String token) {
    return meetingOf(token).compose(meeting -> meetings.owner(meeting.id())
        .compose(owner -> owner.isPresent() ? users.nameOrId(owner.get()) : Future.succeededFuture((String) null))
        .compose(host -> attendance.membersPresent(meeting.id()).map(members -> {
          LinkWindow.Verdict verdict = window.check(meeting, now());
          return new JsonObject()
              .put("meetingId", meeting.id())
              .put("title", meeting.title())
              .put("startTime", meeting.startTime().toString())
              .put("hostName", host)
              .put("status", meeting.status().wire())
              .put("valid", verdict.valid())
              .put("reason", verdict.reason())
              .put("validFrom", verdict.validFrom().toString())
              .put("validUntil", verdict.validUntil().toString())
              .put("canAskForAccess", verdict.valid() && !members.isEmpty());
        })));
  }

  /** The meeting a link opens now; refused when the link does not work at this time. */
  public Future<Meeting> open(String token) {
    return meetingOf(token).map(meeting -> {
      LinkWindow.Verdict verdict = window.check(meeting, now());
      if (!verdict.valid()) {
        throw new ApiException(ErrorCode.INVALID_STATE, "the link does not work now: " + verdict.reason());
      }
      return meeting;
    });
  }

  /** Links of a meeting that no longer allows guests stop working, for good. */
  Future<Void> revokeAll(String meetingId) {
    return links.revokeAll(pool, meetingId, now());
  }

  /** The meeting of a current link; not found (with the reason) for unknown and replaced links. */
  private Future<Meeting> meetingOf(String token) {
    if (token == null || !token.startsWith(LINK_PREFIX) || token.length() > 128) {
      return Future.failedFuture(ApiException.notFound("invitation link"));
    }
    return links.find(pool, Secrets.hash(token)).compose(found -> {
      if (found.isEmpty()) {
        return Future.failedFuture(new ApiException(ErrorCode.NOT_FOUND, "unknown invitation link"));
      }
      if (found.get().replaced()) {
        return Future.failedFuture(new ApiException(ErrorCode.NOT_FOUND, "this invitation link was replaced by a newer one"));
      }
      return meetings.find(found.get().meetingId()).map(m -> {
        Meeting meeting = m.orElseThrow(() -> new ApiException(ErrorCode.NOT_FOUND, "unknown invitation link"));
        if (!meeting.allowExternal()) {
          throw new ApiException(ErrorCode.NOT_FOUND, "this invitation link no longer works: the meeting does not allow guests");
        }
        return meeting;
      });
    });
  }
}
