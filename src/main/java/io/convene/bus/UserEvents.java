package io.convene.bus;

import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.Collection;
import java.util.UUID;

/**
 * Publishes events addressed to users; the socket gateway of every node forwards them to the devices of
 * those users it holds. A message is {@code {"eventId","userIds","type","data","ts","except"?,"durable"?}};
 * for a durable event (kept in the outbox) the event id lets a gateway drop a message it has delivered
 * already (the outbox carried it out again after a crash).
 */
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

  /** Like {@link #publish(Collection, String, JsonObject)}, skipping the connection {@code exceptConnection}. */
  public void publish(Collection<String> userIds, String type, JsonObject data, String exceptConnection) {
    if (userIds.isEmpty()) {
      return;
    }
    JsonObject message = message(userIds, type, data);
    if (exceptConnection != null) {
      message.put("except", exceptConnection);
    }
    deliver(message);
  }

  /** The message of an event, with a new event id and the time now, to publish now or later. */
  public JsonObject message(Collection<String> userIds, String type, JsonObject data) {
    return new JsonObject()
        .put("eventId", UUID.randomUUID().toString())
        .put("userIds", new JsonArray(userIds.stream().distinct().toList()))
        .put("type", type)
        .put("data", data)
        .put("ts", clock.instant().toString());
  }

  /** Publishes a message made by {@link #message}, as it is (again, after a crash: with the same id). */
  public void deliver(JsonObject message) {
    if (!message.getJsonArray("userIds").isEmpty()) {
      bus.publish(Addresses.USER_EVENTS, message);
    }
  }

  /** Publishes a server-internal message to every handler of {@code address}, on every node. */
  public void broadcast(String address, JsonObject body) {
    bus.publish(address, body);
  }

  /** Sends a server-internal command to one handler of {@code address}, on whichever node. */
  public void command(String address, JsonObject body) {
    bus.send(address, body);
  }
}
