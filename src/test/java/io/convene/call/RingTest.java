package io.convene.call;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.call.Ring.CalleeState;
import io.convene.call.Ring.Effect;
import io.convene.call.Ring.Result;
import io.convene.call.Ring.Status;
import io.convene.protocol.Events;
import io.convene.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RingTest {
  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
  private final ManualClock clock = new ManualClock(T0);

  private Ring call(String... callees) {
    Ring ring = Ring.start("call_1", "alice", "Alice", "Quick call");
    Result r = ring.ring("alice", List.of(callees), T0.plusSeconds(30));
    assertThat(r.status()).isEqualTo(Status.DONE);
    return ring;
  }

  private static List<Effect> to(Result r, String user, String type) {
    return r.effects().stream().filter(e -> e.type().equals(type) && e.userIds().contains(user)).toList();
  }

  @Test
  void ringingTellsCalleesAndCaller() {
    Ring ring = Ring.start("call_1", "alice", "Alice", "Quick call");
    Result r = ring.ring("alice", List.of("bob", "carol"), T0.plusSeconds(30));
    assertThat(to(r, "bob", Events.CALL_INCOMING)).singleElement()
        .satisfies(e -> assertThat(e.data().getString("deadline")).isEqualTo(T0.plusSeconds(30).toString()));
    assertThat(to(r, "alice", Events.CALL_RINGING)).hasSize(2);
    assertThat(ring.nextDeadline()).contains(T0.plusSeconds(30));
  }

  @Test
  void acceptStopsOtherDevicesAndTellsTheCaller() {
    Ring ring = call("bob");
    Result r = ring.accept("bob", "dev-1", clock.instant());
    assertThat(r.status()).isEqualTo(Status.DONE);
    assertThat(to(r, "alice", Events.CALL_ACCEPTED)).hasSize(1);
    Effect stop = to(r, "bob", Events.CALL_CANCELLED).get(0);
    assertThat(stop.data().getString("reason")).isEqualTo("answered_elsewhere");
    assertThat(stop.except()).isEqualTo("dev-1");
    assertThat(r.answers()).containsEntry("bob", CalleeState.ACCEPTED);
    assertThat(ring.present()).containsExactlyInAnyOrder("alice", "bob");
    assertThat(r.ended()).isFalse();
  }

  @Test
  void twoDevicesAcceptingAtOnce_firstWinsSecondIsTooLate() {
    Ring ring = call("bob");
    assertThat(ring.accept("bob", "dev-1", clock.instant()).status()).isEqualTo(Status.DONE);
    Result second = ring.accept("bob", "dev-2", clock.instant());
    assertThat(second.status()).isEqualTo(Status.TOO_LATE);
    assertThat(second.reason()).isEqualTo("answered on another device");
    assertThat(ring.accept("bob", "dev-1", clock.instant()).status()).as("a retry of the winner").isEqualTo(Status.ALREADY);
  }

  @Test
  void acceptAndDeclineTogether_whicheverComesFirstWins() {
    Ring ring = call("bob");
    assertThat(ring.accept("bob", "dev-1", clock.instant()).status()).isEqualTo(Status.DONE);
    Result decline = ring.decline("bob", "dev-2", clock.instant());
    assertThat(decline.status()).isEqualTo(Status.TOO_LATE);
    assertThat(ring.callee("bob").orElseThrow().state()).isEqualTo(CalleeState.ACCEPTED);

    Ring other = call("bob");
    assertThat(other.decline("bob", "dev-2", clock.instant()).status()).isEqualTo(Status.DONE);
    assertThat(other.accept("bob", "dev-1", clock.instant()).status()).isEqualTo(Status.TOO_LATE);
  }

  @Test
  void declineInAOneToOneCallEndsIt() {
    Ring ring = call("bob");
    Result r = ring.decline("bob", "dev-1", clock.instant());
    assertThat(to(r, "alice", Events.CALL_DECLINED)).singleElement()
        .satisfies(e -> assertThat(e.data().getString("reason")).isEqualTo("declined"));
    assertThat(r.ended()).isTrue();
    assertThat(to(r, "bob", Events.CALL_ENDED)).singleElement()
        .satisfies(e -> assertThat(e.data().getString("reason")).isEqualTo("declined"));
    assertThat(ring.decline("bob", "dev-1", clock.instant()).status()).isEqualTo(Status.ALREADY);
  }

  @Test
  void timeoutAtTheDeadlineIsAMissedCall() {
    Ring ring = call("bob");
    clock.advance(Duration.ofSeconds(29));
    assertThat(ring.expire(clock.instant()).status()).as("just before").isEqualTo(Status.ALREADY);
    clock.advance(Duration.ofSeconds(1));
    Result r = ring.expire(clock.instant());
    assertThat(r.status()).isEqualTo(Status.DONE);
    assertThat(to(r, "alice", Events.CALL_DECLINED).get(0).data().getString("reason")).isEqualTo("timeout");
    assertThat(r.missed()).containsExactly("bob");
    assertThat(r.ended()).isTrue();
    assertThat(ring.expire(clock.instant()).status()).as("fires once").isEqualTo(Status.ALREADY);
  }

  @Test
  void acceptAfterTheDeadlineIsTooLateEvenBeforeTheSweep() {
    Ring ring = call("bob");
    clock.advance(Duration.ofSeconds(30));
    Result r = ring.accept("bob", "dev-1", clock.instant());
    assertThat(r.status()).isEqualTo(Status.TOO_LATE);
    assertThat(r.reason()).contains("not answered in time");
    assertThat(r.missed()).containsExactly("bob");
    assertThat(ring.callee("bob").orElseThrow().state()).isEqualTo(CalleeState.TIMEOUT);
    assertThat(ring.accept("bob", "dev-1", clock.instant()).status()).isEqualTo(Status.TOO_LATE);
  }

  @Test
  void cancelDuringAccept_theAcceptedCalleeStaysTheOthersStop() {
    Ring ring = call("bob", "carol");
    assertThat(ring.accept("bob", "dev-1", clock.instant()).status()).isEqualTo(Status.DONE);
    Result cancel = ring.cancel("alice", clock.instant());
    assertThat(cancel.status()).isEqualTo(Status.DONE);
    assertThat(to(cancel, "carol", Events.CALL_CANCELLED).get(0).data().getString("reason")).isEqualTo("caller_cancelled");
    assertThat(to(cancel, "bob", Events.CALL_CANCELLED)).isEmpty();
    assertThat(cancel.ended()).isFalse();
    assertThat(cancel.missed()).containsExactly("carol");
    assertThat(ring.accept("carol", "dev-9", clock.instant()).reason()).isEqualTo("the caller cancelled");
  }

  @Test
  void cancelBeforeAnyAnswerEndsTheCall() {
    Ring ring = call("bob");
    Result r = ring.cancel("alice", clock.instant());
    assertThat(r.ended()).isTrue();
    assertThat(to(r, "bob", Events.CALL_ENDED).get(0).data().getString("reason")).isEqualTo("cancelled");
    assertThat(ring.cancel("bob", clock.instant()).status()).isEqualTo(Status.NOT_ALLOWED);
    assertThat(ring.accept("bob", "d", clock.instant()).reason()).isEqualTo("the call has ended");
  }

  @Test
  void groupCall_oneAcceptsOneDeclinesOneTimesOut() {
    Ring ring = call("bob", "carol", "dave");
    ring.accept("bob", "b1", clock.instant());
    ring.decline("carol", "c1", clock.instant());
    clock.advance(Duration.ofSeconds(30));
    Result r = ring.expire(clock.instant());
    assertThat(r.missed()).containsExactly("dave");
    assertThat(r.ended()).as("alice and bob are still talking").isFalse();
    assertThat(ring.present()).containsExactlyInAnyOrder("alice", "bob");

    Result leave = ring.leave("bob", clock.instant());
    assertThat(to(leave, "alice", Events.CALL_LEFT)).hasSize(1);
    assertThat(leave.ended()).isTrue();
    assertThat(to(leave, "dave", Events.CALL_ENDED).get(0).data().getString("reason")).isEqualTo("everyone_left");
  }

  @Test
  void midCallInviteRingsOnlyNewPeople() {
    Ring ring = call("bob");
    ring.accept("bob", "b1", clock.instant());
    Result r = ring.ring("bob", List.of("alice", "bob", "erin"), T0.plusSeconds(60));
    assertThat(r.effects().stream().filter(e -> e.type().equals(Events.CALL_INCOMING)).flatMap(e -> e.userIds().stream()))
        .containsExactly("erin");
    assertThat(to(r, "erin", Events.CALL_INCOMING).get(0).data().getString("invitedBy")).isEqualTo("bob");
    assertThat(ring.ring("mallory", List.of("x"), T0.plusSeconds(60)).status()).isEqualTo(Status.NOT_ALLOWED);
    ring.leave("bob", clock.instant());
    assertThat(ring.ended()).as("erin is still ringing").isFalse();
  }

  @Test
  void theCallerLeavingBeforeAnyAnswerCancelsTheRings() {
    Ring ring = call("bob");
    Result r = ring.leave("alice", clock.instant());
    assertThat(to(r, "bob", Events.CALL_CANCELLED).get(0).data().getString("reason")).isEqualTo("caller_cancelled");
    assertThat(r.ended()).isTrue();
  }

  @Test
  void endingFromOutsideStopsEveryRing() {
    Ring ring = call("bob", "carol");
    ring.accept("bob", "b1", clock.instant());
    Result r = ring.end("ended_by_owner", clock.instant());
    assertThat(to(r, "carol", Events.CALL_CANCELLED).get(0).data().getString("reason")).isEqualTo("call_ended");
    assertThat(r.missed()).isEmpty();
    assertThat(to(r, "bob", Events.CALL_ENDED)).hasSize(1);
    assertThat(ring.end("x", clock.instant()).status()).isEqualTo(Status.ALREADY);
  }

  @Test
  void strangersCannotAnswerAndStateSurvivesSerialization() {
    Ring ring = call("bob");
    assertThat(ring.accept("mallory", "m", clock.instant()).status()).isEqualTo(Status.NOT_ALLOWED);
    ring.accept("bob", "b1", clock.instant());
    Ring copy = Ring.fromJson(ring.toJson());
    assertThat(copy.toJson()).isEqualTo(ring.toJson());
    assertThat(copy.version()).isEqualTo(ring.version()).isPositive();
    assertThat(copy.accept("bob", "b2", clock.instant()).reason()).isEqualTo("answered on another device");
  }
}
