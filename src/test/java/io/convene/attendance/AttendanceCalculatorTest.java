package io.convene.attendance;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.attendance.AttendanceCalculator.Attendance;
import io.convene.attendance.AttendanceCalculator.Cycle;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AttendanceCalculatorTest {
  private static final Instant START = Instant.parse("2026-11-22T10:00:00Z");
  private static final Instant END = START.plus(Duration.ofMinutes(100));
  private static final Duration GRACE = Duration.ofMinutes(5);

  private static Instant at(int minute) {
    return START.plus(Duration.ofMinutes(minute));
  }

  private static Attendance of(Cycle... cycles) {
    return AttendanceCalculator.compute(List.of(cycles), START, END, END, GRACE);
  }

  @Test
  void nobodyJoinedIsAbsent() {
    assertThat(of().status()).isEqualTo("absent");
    assertThat(of().minutes()).isZero();
  }

  @Test
  void statusBoundaries() {
    assertThat(of(new Cycle(at(0), at(29))).status()).as("29 %").isEqualTo("absent");
    assertThat(of(new Cycle(at(0), at(30))).status()).as("30 %").isEqualTo("partial");
    assertThat(of(new Cycle(at(0), at(79))).status()).as("79 %").isEqualTo("partial");
    assertThat(of(new Cycle(at(0), at(80))).status()).as("80 %").isEqualTo("present");
    assertThat(of(new Cycle(at(0), at(100))).percentage()).isEqualTo(100.0);
  }

  @Test
  void lateArrivalAfterTheGrace() {
    Attendance onTime = of(new Cycle(at(5), at(100)));
    assertThat(onTime.late()).isFalse();
    assertThat(onTime.status()).isEqualTo("present");
    Attendance late = of(new Cycle(at(6), at(100)));
    assertThat(late.late()).isTrue();
    assertThat(late.status()).isEqualTo("late");
    assertThat(of(new Cycle(at(60), at(100))).late()).as("late and partial").isTrue();
  }

  @Test
  void rejoinWithinTwoMinutesMergesLaterDoesNot() {
    Attendance merged = of(new Cycle(at(0), at(40)), new Cycle(at(42), at(90)));
    assertThat(merged.cycles()).isEqualTo(1);
    assertThat(merged.minutes()).as("the gap counts as attended").isEqualTo(90);
    Attendance split = of(new Cycle(at(0), at(40)), new Cycle(at(43), at(90)));
    assertThat(split.cycles()).isEqualTo(2);
    assertThat(split.minutes()).isEqualTo(87);
  }

  @Test
  void timeOutsideTheWindowDoesNotCountAndOpenCyclesRunToNow() {
    Attendance early = AttendanceCalculator.compute(List.of(new Cycle(START.minus(Duration.ofMinutes(20)), at(50))),
        START, END, END, GRACE);
    assertThat(early.minutes()).isEqualTo(50);
    assertThat(early.late()).isFalse();
    Attendance open = AttendanceCalculator.compute(List.of(new Cycle(at(0), null)), START, END, at(45), GRACE);
    assertThat(open.minutes()).isEqualTo(45);
    assertThat(open.lastLeave()).isNull();
    assertThat(open.cycles()).isEqualTo(1);
  }
}
