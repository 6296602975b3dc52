package io.convene.bus;

/** Event-bus contract. Commands are request/reply; events are published. */
public final class Addresses {
  /**
   * Published user events: {@code {"userIds":[...],"type":"meeting:...","data":{...},"ts":"..."}}. Every node's
   * socket gateway consumes it and delivers to the listed users' devices connected to that node.
   */
  public static final String USER_EVENTS = "convene.user.events";

  private Addresses() {}
}
