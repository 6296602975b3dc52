package io.convene.outbox;

import io.vertx.core.json.JsonObject;

/**
 * Something that must happen once a change has committed, whatever happens to the process: its {@code
 * kind} names the handler that carries it out, {@code payload} is all the handler needs. Handlers are
 * idempotent: an effect may be carried out more than once (after a crash), never less.
 */
public record Effect(String kind, JsonObject payload) {
  /** An event to users: the message {@code bus.UserEvents} publishes. */
  public static final String EVENT = "event";
  /** A command to one handler of a bus address, which replies once it is done: {@code {address, body}}. */
  public static final String COMMAND = "command";

  public static Effect event(JsonObject message) {
    return new Effect(EVENT, message);
  }

  public static Effect command(String address, JsonObject body) {
    return new Effect(COMMAND, new JsonObject().put("address", address).put("body", body));
  }
}
