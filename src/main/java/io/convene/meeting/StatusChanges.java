package io.convene.meeting;

import io.convene.meeting.MeetingLifecycle.Cause;
import io.convene.meeting.MeetingLifecycle.Transition;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/**
 * Carries out the status changes {@link MeetingLifecycle} decides: the meeting row changes in the
 * caller's transaction (with the row locked), and once it commits the attending participants are told
 * and the live room is opened or torn down. Changes that come from outside a person's request (the
 * first join, everyone leaving, LiveKit, a call's ring) enter here.
 */
public final class StatusChanges {
  private final Transactions tx;
  private final MeetingRepository meetings;
  private final ParticipantRepository participants;
  private final Clock clock;

  StatusChanges(Transactions tx, MeetingRepository meetings, ParticipantRepository participants, Clock clock) {
    this.tx = tx;
    this.meetings = meetings;
    this.participants = participants;
    this.clock = clock;
  }

  Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  /** Applies {@code cause} to {@code m} (locked by the caller's transaction); empty when nothing changes. */
  Future<Optional<Transition>> apply(SqlClient db, AfterCommit after, Meeting m, Cause cause, String actorId) {
    Optional<Transition> decided = MeetingLifecycle.decide(m, cause, actorId, now());
    if (decided.isEmpty()) {
      return Future.succeededFuture(decided);
    }
    Transition t = decided.get();
    return meetings.updateMeeting(db, t.after())
        .compose(v -> t.opensRoom() ? meetings.claimRoomRequest(db, m.id(), t.at()) : Future.succeededFuture(false))
        .compose(asksForRoom -> participants.participantIds(db, m.id(), ParticipantService.ATTENDING)
            .map(attending -> {
              after.transition(t, attending, asksForRoom);
              return decided;
            }));
  }

  /** Applies {@code cause} to each of {@code list} in turn; returns how many changed. */
  Future<Integer> applyAll(SqlClient db, AfterCommit after, List<Meeting> list, Cause cause) {
    Future<Integer> chain = Future.succeededFuture(0);
    for (Meeting m : list) {
      chain = chain.compose(n -> apply(db, after, m, cause, null).map(t -> t.isPresent() ? n + 1 : n));
    }
    return chain;
  }

  /** The first join of a scheduled meeting starts it. */
  public Future<Void> startByJoin(String meetingId, String userId) {
    return change(meetingId, Cause.FIRST_JOIN, userId);
  }

  /**
   * Ends a live meeting for a reason that is not a person's request: everyone left, LiveKit finished
   * the room, the call's ring ended it. Nothing happens when it is no longer live.
   */
  public Future<Void> end(String meetingId, Cause cause) {
    return change(meetingId, cause, null);
  }

  private Future<Void> change(String meetingId, Cause cause, String actorId) {
    if (!MeetingIds.plausible(meetingId)) {
      return Future.succeededFuture();
    }
    return tx.run((db, after) -> meetings.find(db, meetingId, true).compose(found -> found.isEmpty()
        ? Future.<Void>succeededFuture()
        : apply(db, after, found.get(), cause, actorId).mapEmpty()));
  }
}
