package io.convene.meeting;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.protocol.ApiException;
import io.convene.protocol.Input;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

class RecurrenceTest {
  private static final Instant START = Instant.parse("2026-01-31T09:00:00Z");
  private static final Instant END = Instant.parse("2026-01-31T10:00:00Z");

  @Test
  void weeklyByCountKeepsLengthAndStep() {
    var r = new Recurrence(Recurrence.Frequency.WEEKLY, 2, null, 3);
    var w = r.windows(START, END, 100);
    assertThat(w).extracting(Recurrence.Window::start).containsExactly(
        START, Instant.parse("2026-02-14T09:00:00Z"), Instant.parse("2026-02-28T09:00:00Z"));
    assertThat(w.get(2).end()).isEqualTo(Instant.parse("2026-02-28T10:00:00Z"));
  }

  @Test
  void monthlyClampsToTheEndOfShorterMonths() {
    var r = new Recurrence(Recurrence.Frequency.MONTHLY, 1, null, 3);
    assertThat(r.windows(START, END, 100)).extracting(Recurrence.Window::start).containsExactly(
        START, Instant.parse("2026-02-28T09:00:00Z"), Instant.parse("2026-03-31T09:00:00Z"));
  }

  @Test
  void untilIsInclusiveAndTheCapHolds() {
    var daily = new Recurrence(Recurrence.Frequency.DAILY, 1, Instant.parse("2026-02-02T09:00:00Z"), null);
    assertThat(daily.windows(START, END, 100)).hasSize(3);
    var forever = new Recurrence(Recurrence.Frequency.DAILY, 1, Instant.parse("2030-01-01T00:00:00Z"), null);
    assertThat(forever.windows(START, END, 25)).hasSize(25);
  }

  @Test
  void readRefusesBadShapes() {
    Input in = Input.of(new JsonObject().put("frequency", "hourly").put("count", 0).put("until", "soon"));
    Recurrence.read(in, 100);
    Assertions.assertThatThrownBy(in::check).isInstanceOfSatisfying(ApiException.class, e ->
        assertThat(e.fieldErrors()).extracting(f -> f.field()).contains("frequency", "count", "until"));
    Input both = Input.of(new JsonObject().put("frequency", "daily").put("count", 2).put("until", "2026-03-01T00:00:00Z"));
    Recurrence.read(both, 100);
    Assertions.assertThatThrownBy(both::check).isInstanceOf(ApiException.class);
    Input ok = Input.of(new JsonObject().put("frequency", "daily").put("count", 2));
    assertThat(Recurrence.read(ok, 100)).isEqualTo(new Recurrence(Recurrence.Frequency.DAILY, 1, null, 2));
    ok.check();
  }
}
