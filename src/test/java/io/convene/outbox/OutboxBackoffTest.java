package io.convene.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class OutboxBackoffTest {
  @Test
  void doublesFromOneSecondUpToFiveMinutes() {
    assertThat(Outbox.backoff(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(Outbox.backoff(2)).isEqualTo(Duration.ofSeconds(2));
    assertThat(Outbox.backoff(5)).isEqualTo(Duration.ofSeconds(16));
    assertThat(Outbox.backoff(9)).isEqualTo(Duration.ofSeconds(256));
    assertThat(Outbox.backoff(10)).isEqualTo(Duration.ofMinutes(5));
    assertThat(Outbox.backoff(1000)).isEqualTo(Duration.ofMinutes(5));
  }
}
