package io.convene.guest;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.meeting.Meeting;
import io.convene.meeting.MeetingStatus;
import io.convene.meeting.Settings;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LinkWindowTest {
  private static final Instant START = Instant.parse("2026-12-01T10:00:00Z");
  private final LinkWindow window = new LinkWindow(Duration.ofHours(1), Duration.ofHours(1));

  private static Meeting meeting(MeetingStatus status) {
    return new Meeting("mtg_x", "T", null, "o", START, START.plusSeconds(3600), status, false, null, true,
        Settings.DEFAULT, null, null, null, null, 0, START, START);
  }

  @Test
  void aScheduledMeetingsLinkWorksFromAnHourBeforeToAnHourAfterTheStart() {
    Meeting m = meeting(MeetingStatus.SCHEDULED);
    assertThat(window.check(m, START.minusSeconds(3601)).reason()).isEqualTo("too_early");
    assertThat(window.check(m, START.minusSeconds(3600)).valid()).isTrue();
    assertThat(window.check(m, START.plusSeconds(3599)).valid()).isTrue();
    assertThat(window.check(m, START.plusSeconds(3600)).reason()).isEqualTo("too_late");
    assertThat(window.check(m, START).validFrom()).isEqualTo(START.minusSeconds(3600));
  }

  @Test
  void inProgressAlwaysWorksEndedAndCancelledNever() {
    assertThat(window.check(meeting(MeetingStatus.IN_PROGRESS), START.plusSeconds(5 * 3600)).valid()).isTrue();
    assertThat(window.check(meeting(MeetingStatus.ENDED), START).reason()).isEqualTo("ended");
    assertThat(window.check(meeting(MeetingStatus.CANCELLED), START).reason()).isEqualTo("cancelled");
  }
}
