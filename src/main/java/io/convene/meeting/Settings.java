package io.convene.meeting;

import io.vertx.core.json.JsonObject;

/** In-meeting settings: media limits and whether invited members wait in the lobby. */
public record Settings(boolean voiceOnly, boolean muteOnJoin, boolean waitingRoom) {
  public static final Settings DEFAULT = new Settings(false, false, false);

  public JsonObject toJson() {
    return new JsonObject().put("voiceOnly", voiceOnly).put("muteOnJoin", muteOnJoin).put("waitingRoom", waitingRoom);
  }
}
