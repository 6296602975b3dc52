package io.convene.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convene.protocol.ApiException;
import io.convene.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

  @Test
  void aBurstThenOneTokenPerIntervalPerKey() {
    ManualClock clock = new ManualClock(T0);
    RateLimiter limiter = RateLimiter.per("asks", 2, Duration.ofMinutes(1), clock);
    assertThat(limiter.tryTake("a")).isTrue();
    assertThat(limiter.tryTake("a")).isTrue();
    assertThat(limiter.tryTake("a")).isFalse();
    assertThat(limiter.tryTake("b")).as("keys are apart").isTrue();
    assertThatThrownBy(() -> limiter.take("a")).isInstanceOfSatisfying(ApiException.class,
        e -> assertThat(e.retryAfterSeconds()).isEqualTo(30));
    clock.advance(Duration.ofSeconds(30));
    assertThat(limiter.tryTake("a")).isTrue();
    assertThat(limiter.tryTake("a")).isFalse();
  }

  @Test
  void checkingDoesNotSpendAndZeroMeansNoLimit() {
    ManualClock clock = new ManualClock(T0);
    RateLimiter failures = RateLimiter.per("failures", 1, Duration.ofMinutes(1), clock);
    failures.check("ip");
    failures.check("ip");
    assertThat(failures.tryTake("ip")).isTrue();
    assertThatThrownBy(() -> failures.check("ip")).isInstanceOf(ApiException.class);
    RateLimiter off = new RateLimiter("anything", 0, 1, clock);
    for (int i = 0; i < 1000; i++) {
      off.take("x");
    }
  }
}
