package io.convene.meeting;

import io.vertx.core.json.JsonObject;

/**
 * In-meeting settings: media limits, whether invited members wait in the lobby, whether a recording
 * starts when the meeting starts, and who may see its recordings.
 */
public record Settings(boolean voiceOnly, boolean muteOnJoin, boolean waitingRoom, boolean autoRecord,
    RecordingAccess recordingAccess) {
  public static final Settings DEFAULT = new Settings(false, false, false, false, RecordingAccess.PARTICIPANTS);

  public JsonObject toJson() {
    return new JsonObject().put("voiceOnly", voiceOnly).put("muteOnJoin", muteOnJoin).put("waitingRoom", waitingRoom)
        .put("autoRecord", autoRecord).put("recordingAccess", recordingAccess.wire());
  }
}
