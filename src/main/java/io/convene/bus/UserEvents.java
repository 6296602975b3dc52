package io.convene.bus;

import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.Collection;

/** Publishes events addressed to users; the socket gateway forwards them to every device of those users. */
public final class UserEvents {
  private final EventBus bus;
  private final Clock clock;

  public UserEvents(EventBus bus, Clock clock) {
    this.bus = bus;
    this.clock = clock;
  }

  public void publish(Collection<String> userIds, String type, JsonObject data) {
    publish(userIds, type, data, null);
  }

  /** Publishes a server-internal message to every handler of {@code address}, on every node. */
  public void broadcast(String address, JsonObject body) {
    bus.publish(address, body);
  }

  /** Sends a server-internal command to one handler of {@code address}, on whichever node. */
  public void command(String address, JsonObject body) {
    bus.send(address, body);
  }

  /** Like {@link #publish(Collection, String, JsonObject)}, skipping the connection {@code exceptConnection}. */
  public void publish(Collection<String> userIds, String type, JsonObject data, String exceptConnection) {
    if (userIds.isEmpty()) {
      return;
    }
    JsonObject message = new JsonObject()
        .put("userIds", new JsonArray(userIds.stream().distinct().toList()))
        .put("type", type)
        .put("data", data)
        .put("ts", clock.instant().toString());
    if (exceptConnection != null) {
      message.put("except", exceptConnection);
    }
    bus.publish(Addresses.USER_EVENTS, message);
  }
}
