package io.convene.interaction;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/** A stored chat message; {@code text} is null once it was deleted. */
record ChatMessage(String meetingId, long seq, String id, String userId, String displayName, String text,
    String clientMsgId, Instant sentAt, Instant deletedAt, String deletedBy) {

  boolean deleted() {
    return deletedAt != null;
  }

  /** What a send is answered with (the same for a retried send). */
  JsonObject ack() {
    return new JsonObject().put("meetingId", meetingId).put("messageId", id).put("seq", seq)
        .put("sentAt", sentAt.toString()).put("clientMsgId", clientMsgId);
  }

  /** The {@code chat:message} event, and an item of the history (a deleted one without its text). */
  JsonObject toJson() {
    JsonObject out = new JsonObject().put("meetingId", meetingId).put("messageId", id).put("seq", seq)
        .put("userId", userId).put("displayName", displayName).put("sentAt", sentAt.toString());
    if (deleted()) {
      out.put("deleted", true).put("deletedBy", deletedBy).put("deletedAt", deletedAt.toString());
    } else {
      out.put("text", text);
    }
    return out;
  }
}
