package io.convene.meeting;

import java.time.Instant;

/** A reminder newly recorded for one user: which meeting, which offset (minutes before the start). */
public record DueReminder(String meetingId, String userId, int offsetMinutes, String title, Instant startTime) {}
