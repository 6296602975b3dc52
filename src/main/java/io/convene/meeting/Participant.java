package io.convene.meeting;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/** One person's membership in a meeting. */
public record Participant(
    String meetingId,
    String userId,
    Role role,
    ParticipantStatus status,
    String displayName,
    String invitedBy,
    Instant invitedAt,
    Instant respondedAt) {

  /** The same participant with their display name (null: none known). */
  public Participant named(String name) {
    return new Participant(meetingId, userId, role, status, name, invitedBy, invitedAt, respondedAt);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("userId", userId)
        .put("displayName", displayName)
        .put("role", role.wire())
        .put("status", status.wire())
        .put("invitedBy", invitedBy)
        .put("invitedAt", invitedAt.toString())
        .put("respondedAt", respondedAt == null ? null : respondedAt.toString());
  }
}
