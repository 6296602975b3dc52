package io.convene.interaction;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/** A poll with its counts. The voter salt of anonymous polls never leaves the server. */
record Poll(String id, String meetingId, String question, boolean anonymous, boolean multiple, String status,
    int voters, byte[] voterSalt, String createdBy, Instant createdAt, Instant closedAt, String closedBy,
    List<Option> options) {

  static final String OPEN = "open";
  static final String CLOSED = "closed";

  record Option(int optionId, String text, int votes) {}

  boolean open() {
    return OPEN.equals(status);
  }

  boolean hasOption(int optionId) {
    return options.stream().anyMatch(o -> o.optionId() == optionId);
  }

  JsonObject toJson() {
    JsonArray opts = new JsonArray();
    options.forEach(o -> opts.add(new JsonObject().put("optionId", o.optionId()).put("text", o.text())
        .put("votes", o.votes())));
    JsonObject out = new JsonObject().put("pollId", id).put("meetingId", meetingId).put("question", question)
        .put("options", opts).put("anonymous", anonymous).put("multiple", multiple).put("status", status)
        .put("voters", voters).put("createdBy", createdBy).put("createdAt", createdAt.toString());
    if (closedAt != null) {
      out.put("closedAt", closedAt.toString()).put("closedBy", closedBy);
    }
    return out;
  }

  /** The aggregate results: {@code {meetingId, pollId, options:[{optionId, votes}], voters}}. */
  JsonObject results() {
    JsonArray opts = new JsonArray();
    options.forEach(o -> opts.add(new JsonObject().put("optionId", o.optionId()).put("votes", o.votes())));
    return new JsonObject().put("meetingId", meetingId).put("pollId", id).put("options", opts).put("voters", voters)
        .put("status", status);
  }
}
