package io.convene.livekit;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {
  private final ManualClock clock = new ManualClock(Instant.parse("2026-12-01T09:00:00Z"));
  private final CircuitBreaker breaker = new CircuitBreaker(3, Duration.ofSeconds(10), clock);

  @Test
  void opensAfterThresholdFailuresAndLetsOneTrialThroughAfterTheCooldown() {
    breaker.failed();
    breaker.failed();
    assertThat(breaker.allow()).isTrue();
    breaker.failed();
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(breaker.allow()).isFalse();
    clock.advance(Duration.ofSeconds(10));
    assertThat(breaker.allow()).as("the trial").isTrue();
    assertThat(breaker.allow()).as("one trial at a time").isFalse();
    breaker.succeeded();
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
  }

  @Test
  void oneFailedCallIsEnoughToLookUnwellUntilACallSucceeds() {
    assertThat(breaker.healthy()).isTrue();
    breaker.failed();
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(breaker.healthy()).isFalse();
    breaker.succeeded();
    assertThat(breaker.healthy()).isTrue();
  }

  @Test
  void aFailedTrialReopensAtOnceAndASuccessfulOneCloses() {
    for (int i = 0; i < 3; i++) {
      breaker.failed();
    }
    clock.advance(Duration.ofSeconds(10));
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
    assertThat(breaker.allow()).as("the trial").isTrue();
    breaker.failed();
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(breaker.allow()).isFalse();
    clock.advance(Duration.ofSeconds(10));
    assertThat(breaker.allow()).isTrue();
    breaker.succeeded();
    assertThat(breaker.allow()).isTrue();
    assertThat(breaker.allow()).as("closed: every call goes through").isTrue();
  }
}
