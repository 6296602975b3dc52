package io.convene.livekit;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {
  private final ManualClock clock = new ManualClock(Instant.parse("2026-11-22T10:00:00Z"));
  private final CircuitBreaker breaker = new CircuitBreaker(3, Duration.ofSeconds(10), clock);

  @Test
  void opensAfterTheThresholdOfFailuresInARowAndFailsFastWhileOpen() {
    breaker.failed();
    breaker.failed();
    breaker.succeeded();
    breaker.failed();
    breaker.failed();
    assertThat(breaker.allow()).as("a success in between resets the count").isTrue();
    breaker.failed();
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(breaker.allow()).isFalse();
    clock.advance(Duration.ofSeconds(9));
    assertThat(breaker.allow()).isFalse();
  }

  @Test
  void afterTheCooldownOneTrialGoesThroughAndDecides() {
    for (int i = 0; i < 3; i++) {
      breaker.failed();
    }
    clock.advance(Duration.ofSeconds(10));
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
    assertThat(breaker.allow()).as("the trial").isTrue();
    assertThat(breaker.allow()).as("only one trial at a time").isFalse();
    breaker.failed();
    assertThat(breaker.state()).as("a failed trial reopens at once").isEqualTo(CircuitBreaker.State.OPEN);

    clock.advance(Duration.ofSeconds(10));
    assertThat(breaker.allow()).isTrue();
    breaker.succeeded();
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(breaker.allow()).isTrue();
    assertThat(breaker.allow()).isTrue();
  }
}
