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
  /** Wall-clock microseconds at publication, stamped on every message: how late a device gets it is measured. */
  public static final String SENT_AT = "sentAtUs";
  /**
   * Wall-clock microseconds of the request that caused the event (a ring, for instance), when the time
   * from that request to the device is measured.
   */
  public static final String ORIGIN_AT = "originAtUs";
  private static final Clock WALL = Clock.systemUTC();

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
    publish(userIds, type, data, exceptConnection, 0);
  }

  /** Like {@link #publish(Collection, String, JsonObject, String)}, for an event caused by a request made at {@code originMicros}. */
  public void publish(Collection<String> userIds, String type, JsonObject data, String exceptConnection,
      long originMicros) {
    if (userIds.isEmpty()) {
      return;
    }
    JsonObject message = message(userIds, type, data);
    if (exceptConnection != null) {
      message.put("except", exceptConnection);
    }
    if (originMicros > 0) {
      message.put(ORIGIN_AT, originMicros);
    }
    deliver(message);
  }

  /** Wall-clock microseconds now (the server's clock may be a test's manual clock). */
  public static long wallMicros() {
    java.time.Instant now = WALL.instant();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
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
      message.put(SENT_AT, wallMicros());
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
