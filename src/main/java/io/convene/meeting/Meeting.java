package io.convene.meeting;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/** One meeting or instant call as stored. */
public record Meeting(
    String id,
    String title,
    String description,
    String createdBy,
    Instant startTime,
    Instant endTime,
    MeetingStatus status,
    boolean instantCall,
    Integer maxParticipants,
    boolean allowExternal,
    Settings settings,
    Recurrence recurrence,
    String parentMeetingId,
    Instant startedAt,
    Instant endedAt,
    int uniqueParticipantCount,
    Instant createdAt,
    Instant updatedAt) {

  public JsonObject toJson() {
    JsonObject json =
        new JsonObject()
            .put("meetingId", id)
            .put("title", title)
            .put("description", description)
            .put("createdBy", createdBy)
            .put("startTime", startTime.toString())
            .put("endTime", endTime.toString())
            .put("status", status.wire())
            .put("isInstantCall", instantCall)
            .put("maxParticipants", maxParticipants)
            .put("allowExternal", allowExternal)
            .put("settings", settings.toJson())
            .put("recurrence", recurrence == null ? null : recurrence.toJson())
            .put("parentMeetingId", parentMeetingId)
            .put("startedAt", startedAt == null ? null : startedAt.toString())
            .put("endedAt", endedAt == null ? null : endedAt.toString())
            .put("uniqueParticipantCount", uniqueParticipantCount)
            .put("createdAt", createdAt.toString())
            .put("updatedAt", updatedAt.toString());
    return json;
  }
}
