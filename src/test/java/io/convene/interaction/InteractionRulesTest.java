package io.convene.interaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convene.protocol.ApiException;
import io.convene.protocol.ErrorCode;
import io.convene.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The decisions of interactions, without Vert.x: what counts as one emoji, rate windows, results pacing. */
class InteractionRulesTest {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  @Test
  void oneEmojiIsOneEmoji() {
    for (String ok : new String[] {"👍", "👍🏽", "❤️", "🇫🇷", "1️⃣", "👩‍💻", "🏳️‍🌈", "☕"}) {
      assertThat(Emoji.isSingle(ok)).as(ok).isTrue();
    }
    for (String bad : new String[] {"", "a", "ab", "👍👍", "x👍", "👍 ", "🇫", "1", "\u200D👍"}) {
      assertThat(Emoji.isSingle(bad)).as(bad).isFalse();
    }
    assertThat(Emoji.isSingle("👨‍👩‍👧")).as("18 bytes: over the limit").isFalse();
  }

  @Test
  void aRateWindowRefusesOverTheLimitNamingItAndOpensAgainNextWindow() {
    ManualClock clock = new ManualClock(T0);
    RateWindow w = new RateWindow("reactions", "interactions.reactionLimit", 3, Duration.ofSeconds(10));
    long first = w.windowOf(clock.instant());
    w.check(3, clock.instant());
    clock.advance(Duration.ofSeconds(4));
    assertThatThrownBy(() -> w.check(4, clock.instant()))
        .isInstanceOfSatisfying(ApiException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.LIMIT_EXCEEDED);
          assertThat(e.getMessage()).contains("at most 3 reactions per 10 s").contains("interactions.reactionLimit")
              .contains("try again in 6 s");
        });
    clock.advance(Duration.ofSeconds(6));
    assertThat(w.windowOf(clock.instant())).isEqualTo(first + 1);
  }

  @Test
  void resultsGoOutAtOnceThenAtMostOncePerInterval() {
    ManualClock clock = new ManualClock(T0);
    ResultsPacer pacer = new ResultsPacer(Duration.ofMillis(500));
    assertThat(pacer.counted("p", clock.instant())).contains(Duration.ZERO);
    assertThat(pacer.counted("p", clock.instant())).as("rides on the pending send").isEmpty();
    pacer.sending("p", clock.instant());
    clock.advance(Duration.ofMillis(100));
    assertThat(pacer.counted("p", clock.instant())).contains(Duration.ofMillis(400));
    for (int i = 0; i < 1000; i++) {
      assertThat(pacer.counted("p", clock.instant())).isEqualTo(Optional.empty());
    }
    clock.advance(Duration.ofMillis(400));
    pacer.sending("p", clock.instant());
    clock.advance(Duration.ofSeconds(2));
    assertThat(pacer.counted("p", clock.instant())).as("after a quiet spell: at once").contains(Duration.ZERO);
    assertThat(pacer.counted("q", clock.instant())).as("polls are paced apart").contains(Duration.ZERO);
  }
}
