package io.convene.meeting;

import io.convene.protocol.ApiException;
import io.convene.protocol.Events;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Optional;

/**
 * Every status change of a meeting or call, decided in one place: {@code scheduled → in_progress →
 * ended}, and {@code scheduled|in_progress → cancelled}. Whatever the cause (an owner, the first join,
 * the clock, everyone leaving, LiveKit, a call's ring), a meeting that stops being live is torn down
 * the same way and its people are told the same way. Plain Java; the time is passed in.
 */
public final class MeetingLifecycle {
  private MeetingLifecycle() {}

  /** Why a meeting changes status; {@link #reason()} is what {@code meeting:ended} reports. */
  public enum Cause {
    STARTED_BY_OWNER("started_by_owner"),
    FIRST_JOIN("first_join"),
    START_TIME("start_time"),
    ENDED_BY_OWNER("ended_by_owner"),
    EVERYONE_LEFT("everyone_left"),
    ROOM_FINISHED("room_finished"),
    CALL_ENDED("call_ended"),
    SCHEDULED_END("scheduled_end"),
    MAX_DURATION("max_duration"),
    CANCELLED("cancelled"),
    DELETED("deleted");

    private final String reason;

    Cause(String reason) {
      this.reason = reason;
    }

    public String reason() {
      return reason;
    }

    boolean starts() {
      return this == STARTED_BY_OWNER || this == FIRST_JOIN || this == START_TIME;
    }

    boolean cancels() {
      return this == CANCELLED || this == DELETED;
    }
  }

  /** A decided change: the meeting before and after, and what follows from it. */
  public record Transition(Meeting before, Meeting after, Cause cause, String actorId, Instant at) {
    /** The meeting went live: its LiveKit room is opened. */
    public boolean opensRoom() {
      return before.status() == MeetingStatus.SCHEDULED && after.status() == MeetingStatus.IN_PROGRESS;
    }

    /** The meeting stopped being live: rings stop, stays close, guests go, the LiveKit room is deleted. */
    public boolean tearsDown() {
      return before.status().active() && !after.status().active();
    }

    /** Whether its attending participants are told (deleting a meeting that was over tells nobody). */
    public boolean told() {
      return cause != Cause.DELETED || before.status().active();
    }

    /** The event its attending participants get. */
    public String eventType() {
      return switch (after.status()) {
        case IN_PROGRESS -> Events.MEETING_STARTED;
        case ENDED -> Events.MEETING_ENDED;
        default -> Events.MEETING_CANCELLED;
      };
    }

    public JsonObject eventData() {
      JsonObject data = new JsonObject().put("meetingId", after.id());
      return switch (after.status()) {
        case IN_PROGRESS -> data.put("startedAt", at.toString()).put("startedBy", actorId);
        case ENDED -> {
          data.put("endedAt", at.toString()).put("reason", cause.reason());
          yield cause == Cause.ENDED_BY_OWNER ? data.put("endedBy", actorId) : data;
        }
        default -> cause == Cause.DELETED
            ? data.put("cancelledBy", actorId).put("deleted", true)
            : data.put("cancelledBy", actorId);
      };
    }
  }

  /**
   * The change {@code cause} makes to {@code m}: empty when there is none (already in that state, or a
   * timed cause that no longer applies); an {@link ApiException} when a person asked for a change the
   * meeting's status forbids. {@code actorId} is who asked (null for the clock, LiveKit, a ring).
   */
  public static Optional<Transition> decide(Meeting m, Cause cause, String actorId, Instant now) {
    MeetingStatus from = m.status();
    if (cause.starts()) {
      if (from == MeetingStatus.SCHEDULED) {
        return change(m, MeetingStatus.IN_PROGRESS, now, null, cause, actorId, now);
      }
      if (from == MeetingStatus.IN_PROGRESS || cause != Cause.STARTED_BY_OWNER) {
        return Optional.empty();
      }
      throw ApiException.invalidState("the meeting is " + from.wire());
    }
    if (cause.cancels()) {
      if (cause == Cause.DELETED) {
        return Optional.of(new Transition(m, with(m, MeetingStatus.CANCELLED, m.startedAt(),
            from == MeetingStatus.IN_PROGRESS ? now : m.endedAt(), now), cause, actorId, now));
      }
      if (from == MeetingStatus.CANCELLED) {
        return Optional.empty();
      }
      if (from == MeetingStatus.ENDED) {
        throw ApiException.invalidState("the meeting has already ended");
      }
      return change(m, MeetingStatus.CANCELLED, m.startedAt(), from == MeetingStatus.IN_PROGRESS ? now : null,
          cause, actorId, now);
    }
    if (from == MeetingStatus.ENDED) {
      return Optional.empty();
    }
    if (cause == Cause.ENDED_BY_OWNER) {
      if (from == MeetingStatus.SCHEDULED) {
        throw ApiException.invalidState("the meeting has not started; cancel it instead");
      }
      if (from == MeetingStatus.CANCELLED) {
        throw ApiException.invalidState("the meeting is cancelled");
      }
    }
    if (from == MeetingStatus.CANCELLED) {
      return Optional.empty();
    }
    if (cause == Cause.ROOM_FINISHED && from == MeetingStatus.SCHEDULED) {
      // A room created ahead of the start was closed (moved meeting) or lapsed: the meeting is still to come.
      return Optional.empty();
    }
    return change(m, MeetingStatus.ENDED, m.startedAt(), now, cause, actorId, now);
  }

  private static Optional<Transition> change(Meeting m, MeetingStatus to, Instant startedAt, Instant endedAt, Cause cause,
      String actorId, Instant now) {
    return Optional.of(new Transition(m, with(m, to, startedAt, endedAt, now), cause, actorId, now));
  }

  static Meeting with(Meeting m, MeetingStatus status, Instant startedAt, Instant endedAt, Instant now) {
    return new Meeting(m.id(), m.title(), m.description(), m.createdBy(), m.startTime(), m.endTime(), status,
        m.instantCall(), m.maxParticipants(), m.allowExternal(), m.settings(), m.recurrence(), m.parentMeetingId(),
        startedAt, endedAt, m.uniqueParticipantCount(), m.createdAt(), now);
  }
}
