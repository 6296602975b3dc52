package io.convene.meeting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convene.meeting.MeetingLifecycle.Cause;
import io.convene.meeting.MeetingLifecycle.Transition;
import io.convene.protocol.ApiException;
import io.convene.protocol.ErrorCode;
import io.convene.protocol.Events;
import io.convene.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MeetingLifecycleTest {
  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
  private final ManualClock clock = new ManualClock(T0);

  private static Meeting meeting(MeetingStatus status, boolean call) {
    Instant startedAt = status == MeetingStatus.SCHEDULED ? null : T0;
    return new Meeting(call ? "call_x" : "mtg_x", "Review", null, "olga", T0, T0.plus(Duration.ofHours(1)), status, call,
        null, false, Settings.DEFAULT, null, null, startedAt, null, 0, T0, T0);
  }

  private Transition decide(Meeting m, Cause cause, String actor) {
    return MeetingLifecycle.decide(m, cause, actor, clock.instant()).orElseThrow();
  }

  @Test
  void everyWayOfStartingOpensTheRoomAndTellsWhoStartedIt() {
    clock.advance(Duration.ofMinutes(3));
    for (Cause cause : EnumSet.of(Cause.STARTED_BY_OWNER, Cause.FIRST_JOIN, Cause.START_TIME)) {
      Transition t = decide(meeting(MeetingStatus.SCHEDULED, false), cause, cause == Cause.START_TIME ? null : "olga");
      assertThat(t.after().status()).isEqualTo(MeetingStatus.IN_PROGRESS);
      assertThat(t.after().startedAt()).isEqualTo(clock.instant());
      assertThat(t.opensRoom()).isTrue();
      assertThat(t.tearsDown()).isFalse();
      assertThat(t.eventType()).isEqualTo(Events.MEETING_STARTED);
      assertThat(t.eventData().getString("startedAt")).isEqualTo(clock.instant().toString());
      assertThat(t.eventData().getString("startedBy")).isEqualTo(cause == Cause.START_TIME ? null : "olga");
    }
  }

  @Test
  void startingWhatIsLiveOrOverChangesNothingUnlessAPersonAsked() {
    assertThat(MeetingLifecycle.decide(meeting(MeetingStatus.IN_PROGRESS, false), Cause.STARTED_BY_OWNER, "olga", T0)).isEmpty();
    assertThat(MeetingLifecycle.decide(meeting(MeetingStatus.ENDED, false), Cause.FIRST_JOIN, "bob", T0)).isEmpty();
    assertThat(MeetingLifecycle.decide(meeting(MeetingStatus.CANCELLED, false), Cause.START_TIME, null, T0)).isEmpty();
    assertThatThrownBy(() -> MeetingLifecycle.decide(meeting(MeetingStatus.ENDED, false), Cause.STARTED_BY_OWNER, "olga", T0))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_STATE));
  }

  @Test
  void everyWayOfEndingTearsTheRoomDownTheSameWay() {
    clock.advance(Duration.ofMinutes(40));
    for (Cause cause : EnumSet.of(Cause.ENDED_BY_OWNER, Cause.EVERYONE_LEFT, Cause.ROOM_FINISHED, Cause.CALL_ENDED,
        Cause.SCHEDULED_END, Cause.MAX_DURATION)) {
      Meeting live = meeting(MeetingStatus.IN_PROGRESS, cause == Cause.CALL_ENDED || cause == Cause.MAX_DURATION);
      Transition t = decide(live, cause, cause == Cause.ENDED_BY_OWNER ? "olga" : null);
      assertThat(t.after().status()).as(cause.name()).isEqualTo(MeetingStatus.ENDED);
      assertThat(t.after().endedAt()).isEqualTo(clock.instant());
      assertThat(t.after().startedAt()).isEqualTo(T0);
      assertThat(t.tearsDown()).as(cause.name()).isTrue();
      assertThat(t.opensRoom()).isFalse();
      assertThat(t.told()).isTrue();
      assertThat(t.eventType()).isEqualTo(Events.MEETING_ENDED);
      assertThat(t.eventData().getString("reason")).isEqualTo(cause.reason());
      assertThat(t.eventData().getString("endedAt")).isEqualTo(clock.instant().toString());
      assertThat(t.eventData().containsKey("endedBy")).isEqualTo(cause == Cause.ENDED_BY_OWNER);
    }
  }

  @Test
  void theClockEndsAMeetingThatNeverStartedButAnOwnerMustCancelIt() {
    Transition t = decide(meeting(MeetingStatus.SCHEDULED, false), Cause.SCHEDULED_END, null);
    assertThat(t.after().status()).isEqualTo(MeetingStatus.ENDED);
    assertThat(t.tearsDown()).isTrue();
    assertThatThrownBy(() -> decide(meeting(MeetingStatus.SCHEDULED, false), Cause.ENDED_BY_OWNER, "olga"))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getMessage()).contains("cancel it instead"));
  }

  @Test
  void aRoomCreatedAheadThatLiveKitFinishesLeavesTheMeetingToCome() {
    clock.advance(Duration.ofMinutes(-2));
    assertThat(MeetingLifecycle.decide(meeting(MeetingStatus.SCHEDULED, false), Cause.ROOM_FINISHED, null, clock.instant()))
        .isEmpty();
  }

  @Test
  void endingTwiceOrEndingACancelledMeetingChangesNothing() {
    for (Cause cause : EnumSet.of(Cause.ENDED_BY_OWNER, Cause.EVERYONE_LEFT, Cause.CALL_ENDED, Cause.ROOM_FINISHED)) {
      assertThat(MeetingLifecycle.decide(meeting(MeetingStatus.ENDED, false), cause, null, T0)).as(cause.name()).isEmpty();
    }
    assertThat(MeetingLifecycle.decide(meeting(MeetingStatus.CANCELLED, false), Cause.ROOM_FINISHED, null, T0)).isEmpty();
    assertThatThrownBy(() -> MeetingLifecycle.decide(meeting(MeetingStatus.CANCELLED, false), Cause.ENDED_BY_OWNER, "olga", T0))
        .isInstanceOf(ApiException.class);
  }

  @Test
  void cancellingALiveMeetingEndsItsRoomAndRecordsTheEnd() {
    clock.advance(Duration.ofMinutes(10));
    Transition live = decide(meeting(MeetingStatus.IN_PROGRESS, false), Cause.CANCELLED, "olga");
    assertThat(live.after().status()).isEqualTo(MeetingStatus.CANCELLED);
    assertThat(live.after().endedAt()).isEqualTo(clock.instant());
    assertThat(live.tearsDown()).isTrue();
    assertThat(live.eventType()).isEqualTo(Events.MEETING_CANCELLED);
    assertThat(live.eventData().getString("cancelledBy")).isEqualTo("olga");

    Transition scheduled = decide(meeting(MeetingStatus.SCHEDULED, false), Cause.CANCELLED, "olga");
    assertThat(scheduled.after().endedAt()).isNull();
    assertThat(scheduled.tearsDown()).isTrue();

    assertThat(MeetingLifecycle.decide(meeting(MeetingStatus.CANCELLED, false), Cause.CANCELLED, "olga", T0)).isEmpty();
    assertThatThrownBy(() -> MeetingLifecycle.decide(meeting(MeetingStatus.ENDED, false), Cause.CANCELLED, "olga", T0))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getMessage()).contains("already ended"));
  }

  @Test
  void deletingTellsParticipantsOnlyWhileTheMeetingWasLive() {
    Transition live = decide(meeting(MeetingStatus.SCHEDULED, false), Cause.DELETED, "olga");
    assertThat(live.told()).isTrue();
    assertThat(live.tearsDown()).isTrue();
    assertThat(live.eventData().getBoolean("deleted")).isTrue();

    Optional<Transition> over = MeetingLifecycle.decide(meeting(MeetingStatus.ENDED, false), Cause.DELETED, "olga", T0);
    assertThat(over).isPresent();
    assertThat(over.get().told()).isFalse();
    assertThat(over.get().tearsDown()).isFalse();
  }
}
