package io.convene.guest;

import io.convene.meeting.Meeting;
import io.convene.meeting.MeetingStatus;
import java.time.Duration;
import java.time.Instant;

/**
 * When an invitation link works: for a scheduled meeting from {@code opensBefore} its start until
 * {@code closesAfter} it; any time while the meeting (or call) is in progress; never once it ended or
 * was cancelled. Plain Java; the time is passed in.
 */
public record LinkWindow(Duration opensBefore, Duration closesAfter) {
  /** The verdict: valid or not, why not, and the window of a scheduled meeting. */
  public record Verdict(boolean valid, String reason, Instant validFrom, Instant validUntil) {}

  public Verdict check(Meeting m, Instant now) {
    Instant from = m.instantCall() ? m.startTime() : m.startTime().minus(opensBefore);
    Instant until = m.instantCall() ? m.endTime() : m.startTime().plus(closesAfter);
    if (m.status() == MeetingStatus.ENDED) {
      return new Verdict(false, "ended", from, until);
    }
    if (m.status() == MeetingStatus.CANCELLED) {
      return new Verdict(false, "cancelled", from, until);
    }
    if (m.status() == MeetingStatus.IN_PROGRESS) {
      return new Verdict(true, null, from, until);
    }
    if (now.isBefore(from)) {
      return new Verdict(false, "too_early", from, until);
    }
    if (!now.isBefore(until)) {
      return new Verdict(false, "too_late", from, until);
    }
    return new Verdict(true, null, from, until);
  }
}
