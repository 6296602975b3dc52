package io.convene.protocol;

/** Types of client-to-server requests on the socket. Each gets exactly one {@code ack}. */
public final class Requests {
  /** Keeps the connection (and the user's presence) alive: {}. */
  public static final String PRESENCE_HEARTBEAT = "presence:heartbeat";
  /** Watch users' presence: {userIds:[...]}; the ack carries their current state. */
  public static final String PRESENCE_SUBSCRIBE = "presence:subscribe";
  /** Stop watching: {userIds:[...]}. */
  public static final String PRESENCE_UNSUBSCRIBE = "presence:unsubscribe";

  private Requests() {}
}
