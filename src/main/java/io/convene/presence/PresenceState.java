package io.convene.presence;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/** A user's presence: online or offline, and when they were last seen (now, while online). */
public record PresenceState(String userId, boolean online, Instant lastSeen) {
  /** How someone the viewer may not see reads: offline, never seen. */
  public static PresenceState hidden(String userId) {
    return new PresenceState(userId, false, null);
  }

  public String status() {
    return online ? "online" : "offline";
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("userId", userId)
        .put("status", status())
        .put("lastSeen", lastSeen == null ? null : lastSeen.toString());
  }
}
