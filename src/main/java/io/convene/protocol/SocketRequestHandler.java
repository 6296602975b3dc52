package io.convene.protocol;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/** Handles one type of client request; the result becomes the {@code data} of an ok ack. */
@FunctionalInterface
public interface SocketRequestHandler {
  Future<JsonObject> handle(Identity who, String connectionId, JsonObject data);
}
