package io.convene.meeting;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** A meeting as one user sees it: with their role and (a first page of) the participants. */
public record MeetingView(Meeting meeting, Role myRole, List<Participant> participants, boolean moreParticipants) {
  public JsonObject toJson() {
    JsonArray list = new JsonArray();
    participants.forEach(p -> list.add(p.toJson()));
    return meeting.toJson()
        .put("myRole", myRole == null ? null : myRole.wire())
        .put("participants", list)
        .put("moreParticipants", moreParticipants);
  }
}
