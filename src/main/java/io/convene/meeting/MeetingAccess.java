package io.convene.meeting;

import io.convene.protocol.ApiException;
import io.convene.protocol.Identity;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;

/**
 * Loads a meeting for the person asking. Someone who is not a participant (or is banned) gets
 * not-found, never forbidden: a meeting's existence is not disclosed. A system admin acts as owner.
 */
final class MeetingAccess {
  private final MeetingRepository meetings;
  private final ParticipantRepository participants;

  MeetingAccess(MeetingRepository meetings, ParticipantRepository participants) {
    this.meetings = meetings;
    this.participants = participants;
  }

  /** The meeting, the caller's row in it (null for an admin who is not a participant) and effective role. */
  record Access(Meeting meeting, Participant self, Role role, boolean admin) {
    /** A participant who declined keeps a seat (to change their mind) but none of their role's rights. */
    boolean can(Permission p) {
      return Permissions.allows(self != null && self.status() == ParticipantStatus.DECLINED ? null : role, admin, p);
    }

    Access require(Permission p) {
      if (!can(p)) {
        throw ApiException.forbidden("your role in this meeting does not allow " + p.wire());
      }
      return this;
    }

    void requireActive() {
      if (!meeting.status().active()) {
        throw ApiException.invalidState("the meeting is " + meeting.status().wire());
      }
    }
  }

  /** Loads {@code meetingId} for {@code actor}; {@code lock} takes the meeting row for the transaction. */
  Future<Access> load(SqlClient db, Identity actor, String meetingId, boolean lock) {
    if (!MeetingIds.plausible(meetingId)) {
      return Future.failedFuture(ApiException.notFound("meeting"));
    }
    return meetings.find(db, meetingId, lock).compose(found -> {
      if (found.isEmpty()) {
        return Future.failedFuture(ApiException.notFound("meeting"));
      }
      return participants.participant(db, meetingId, actor.userId()).compose(self -> {
        Participant p = self.filter(x -> x.status() != ParticipantStatus.BANNED).orElse(null);
        if (p == null && !actor.admin()) {
          return Future.failedFuture(ApiException.notFound("meeting"));
        }
        Role role = actor.admin() ? Role.OWNER : p.role();
        return Future.succeededFuture(new Access(found.get(), p, role, actor.admin()));
      });
    });
  }
}
