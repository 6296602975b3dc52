package io.convene.interaction;

import io.convene.meeting.LiveRoster;
import io.convene.meeting.MeetingStatus;
import io.convene.meeting.ParticipantService;
import io.convene.meeting.ParticipantService.Membership;
import io.convene.meeting.Permission;
import io.convene.protocol.ApiException;
import io.convene.protocol.Identity;
import io.vertx.core.Future;
import java.util.List;

/**
 * Who takes part in a meeting's interactions and who hears of them: the attending participants of a
 * meeting in progress. Guests never do. The ephemeral paths (reactions, hands) ask the live roster in
 * Redis; PostgreSQL is asked only when the roster does not know the sender (a meeting that started a
 * moment ago, an admin, an outsider, who then gets not-found as everywhere).
 */
final class Audience {
  private final LiveRoster roster;
  private final ParticipantService participants;

  Audience(LiveRoster roster, ParticipantService participants) {
    this.roster = roster;
    this.participants = participants;
  }

  /** Refuses a guest, naming the rule. */
  static void refuseGuest(Identity who, String what) {
    if (who.guest()) {
      throw ApiException.forbidden("guests cannot use " + what
          + ": chat, reactions, hands and polls are for the meeting's members only");
    }
  }

  /** The caller's place in the meeting (PostgreSQL); not-found for outsiders, forbidden for guests. */
  Future<Membership> member(Identity who, String meetingId, String what) {
    refuseGuest(who, what);
    return participants.membership(who, meetingId).map(m -> m.require(Permission.INTERACT));
  }

  /** Like {@link #member}, for a meeting that must be in progress. */
  Future<Membership> liveMember(Identity who, String meetingId, String what) {
    return member(who, meetingId, what).map(m -> {
      requireInProgress(m, what);
      return m;
    });
  }

  static void requireInProgress(Membership m, String what) {
    if (m.meeting().status() != MeetingStatus.IN_PROGRESS) {
      throw ApiException.invalidState(what + " works while the meeting is in progress; it is "
          + m.meeting().status().wire());
    }
  }

  /**
   * The attending participants of a meeting in progress that the caller takes part in (Redis on the
   * usual path); fails as {@link #liveMember} does otherwise.
   */
  Future<List<String>> live(Identity who, String meetingId, String what) {
    refuseGuest(who, what);
    return roster.attending(meetingId).compose(attending -> attending.contains(who.userId())
        ? Future.succeededFuture(attending)
        : liveMember(who, meetingId, what).compose(m -> attending(meetingId)));
  }

  /** Who hears of a meeting's interactions: its attending participants. */
  Future<List<String>> attending(String meetingId) {
    return roster.attending(meetingId).compose(attending -> attending.isEmpty()
        ? participants.attendingIds(meetingId) : Future.succeededFuture(attending));
  }
}
