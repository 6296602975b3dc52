package io.convene.meeting;

import io.convene.bus.Addresses;
import io.convene.bus.UserEvents;
import io.convene.outbox.Effect;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * What a change tells others once its transaction has committed: events to users, and commands to the
 * live room (open it, tear it down, close it in LiveKit, take someone out), and the start of the
 * automatic recording of a meeting with {@code autoRecord}. They are written to the
 * outbox in the same transaction, so a commit never loses them; nothing is sent when it fails.
 */
final class AfterCommit {
  private final UserEvents events;
  private final List<Effect> effects = new ArrayList<>();

  AfterCommit(UserEvents events) {
    this.events = events;
  }

  void tell(List<String> userIds, String type, JsonObject data) {
    if (!userIds.isEmpty()) {
      effects.add(Effect.event(events.message(userIds, type, data).put("durable", true)));
    }
  }

  /** Tells the attending participants about a status change and opens or tears down the live room. */
  void transition(MeetingLifecycle.Transition t, List<String> attending) {
    if (t.told()) {
      tell(attending, t.eventType(), t.eventData());
    }
    String id = t.after().id();
    if (t.opensRoom()) {
      effects.add(LiveRoster.opened(id, attending));
      effects.add(Effect.command(Addresses.ROOM_OPEN,
          new JsonObject().put("meetingId", id).put("maxParticipants", t.after().maxParticipants())));
      if (t.after().settings().autoRecord()) {
        effects.add(Effect.command(Addresses.RECORDING_AUTO_START, new JsonObject().put("meetingId", id)));
      }
    }
    if (t.tearsDown()) {
      effects.add(LiveRoster.closed(id));
      effects.add(Effect.command(Addresses.MEETING_TEARDOWN, new JsonObject().put("meetingId", id)
          .put("status", t.after().status().wire()).put("reason", t.cause().reason())));
      effects.add(Effect.command(Addresses.ROOM_CLOSE, new JsonObject().put("meetingId", id)));
    }
  }

  /** Any other effect of the change (a notification to store, ...). */
  void effect(Effect effect) {
    effects.add(effect);
  }

  void command(String address, JsonObject body) {
    effects.add(Effect.command(address, body));
  }

  List<Effect> effects() {
    return effects;
  }
}
