package io.convene.protocol;

import java.util.HashMap;
import java.util.Map;

/**
 * The socket requests a node answers, by type. Each area registers its own at start (calls, the
 * lobby, ...); the gateway adds the connection-level ones (presence) and dispatches every frame
 * through this one table.
 */
public final class SocketRequests {
  private final Map<String, SocketRequestHandler> handlers = new HashMap<>();

  /** Registers the handler of {@code type}; a type has exactly one. */
  public SocketRequests on(String type, SocketRequestHandler handler) {
    if (handlers.putIfAbsent(type, handler) != null) {
      throw new IllegalStateException("socket request " + type + " registered twice");
    }
    return this;
  }

  /** The handler of {@code type}, or null for an unknown type. */
  public SocketRequestHandler handler(String type) {
    return handlers.get(type);
  }

  /** A copy to which more handlers may be added without changing this table. */
  public SocketRequests copy() {
    SocketRequests out = new SocketRequests();
    out.handlers.putAll(handlers);
    return out;
  }
}
