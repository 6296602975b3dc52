package io.convene.meeting;

import io.convene.bus.Addresses;
import io.convene.bus.UserEvents;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * What a change tells others once its transaction has committed: events to users, and commands to the
 * live room (open it, tear it down, take someone out). Nothing is sent when the transaction fails.
 */
final class AfterCommit {
  private record Event(List<String> userIds, String type, JsonObject data) {}

  private record Command(String address, JsonObject body) {}

  private final List<Event> events = new ArrayList<>();
  private final List<Command> commands = new ArrayList<>();

  void tell(List<String> userIds, String type, JsonObject data) {
    events.add(new Event(userIds, type, data));
  }

  /** Tells the attending participants about a status change and opens or tears down the live room. */
  void transition(MeetingLifecycle.Transition t, List<String> attending) {
    if (t.told()) {
      tell(attending, t.eventType(), t.eventData());
    }
    if (t.opensRoom()) {
      command(Addresses.ROOM_OPEN, new JsonObject().put("meetingId", t.after().id())
          .put("maxParticipants", t.after().maxParticipants()));
    }
    if (t.tearsDown()) {
      command(Addresses.MEETING_TEARDOWN, new JsonObject().put("meetingId", t.after().id())
          .put("status", t.after().status().wire()).put("reason", t.cause().reason()));
    }
  }

  void command(String address, JsonObject body) {
    commands.add(new Command(address, body));
  }

  void send(UserEvents out) {
    events.forEach(e -> out.publish(e.userIds(), e.type(), e.data()));
    commands.forEach(c -> out.command(c.address(), c.body()));
  }
}
