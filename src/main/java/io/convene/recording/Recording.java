package io.convene.recording;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * One recording of a meeting as stored: its LiveKit egress (once known), status, who started and who
 * stopped it and why, the file LiveKit produced, and the error when it failed.
 */
public record Recording(
    String id,
    String meetingId,
    String egressId,
    RecordingStatus status,
    boolean auto,
    String startedBy,
    String filePath,
    Instant stopRequestedAt,
    String stoppedBy,
    String stopReason,
    String location,
    Long durationMillis,
    Long sizeBytes,
    String error,
    Instant createdAt,
    Instant startedAt,
    Instant endedAt,
    Instant updatedAt,
    Instant checkedAt) {

  /** Why it stopped: a person asked ({@code stopped}), the meeting ended, LiveKit ended it, or it failed. */
  public String reasonStopped() {
    if (status == RecordingStatus.FAILED) {
      return "failed";
    }
    return stopReason != null ? stopReason : "egress_ended";
  }

  /** The recording after {@code change}, made at {@code now}. */
  Recording with(RecordingProgress.Change change, Instant now) {
    return new Recording(id, meetingId, egressId != null ? egressId : change.egressId(), change.to(), auto, startedBy,
        filePath, stopRequestedAt, stoppedBy, stopReason,
        change.location() != null ? change.location() : location,
        change.durationMillis() != null ? change.durationMillis() : durationMillis,
        change.sizeBytes() != null ? change.sizeBytes() : sizeBytes,
        change.error() != null ? change.error() : error,
        createdAt,
        change.startedAt() != null ? change.startedAt() : startedAt,
        change.endedAt() != null ? change.endedAt() : endedAt,
        now, now);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("recordingId", id)
        .put("meetingId", meetingId)
        .put("status", status.wire())
        .put("auto", auto)
        .put("startedBy", startedBy)
        .put("stopRequested", stopRequestedAt != null)
        .put("stoppedBy", stoppedBy)
        .put("location", location)
        .put("durationSeconds", durationMillis == null ? null : durationMillis / 1000.0)
        .put("sizeBytes", sizeBytes)
        .put("error", error)
        .put("createdAt", createdAt.toString())
        .put("startedAt", startedAt == null ? null : startedAt.toString())
        .put("endedAt", endedAt == null ? null : endedAt.toString())
        .put("updatedAt", updatedAt.toString());
  }
}
