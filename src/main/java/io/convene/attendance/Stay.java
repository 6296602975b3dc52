package io.convene.attendance;

import java.time.Instant;

/** An open stay in a meeting's room: whose, and their last sign of life. */
public record Stay(String meetingId, String identity, Instant lastSeen) {}
