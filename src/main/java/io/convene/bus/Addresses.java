package io.convene.bus;

/** Event-bus contract. Commands are request/reply; events are published. */
public final class Addresses {
  /**
   * Published user events: {@code {"userIds":[...],"type":"meeting:...","data":{...},"ts":"...","except"?:id}}.
   * Every node's socket gateway consumes it and delivers to the listed users' devices connected to that
   * node, except the connection named by {@code except}.
   */
  public static final String USER_EVENTS = "convene.user.events";

  /**
   * Published presence transitions: {@code {"userId","status","lastSeen","alsoTell":[...]}}. Every
   * gateway delivers {@code presence:update} to local connections watching the user and to the devices
   * of the users in {@code alsoTell} (co-participants of meetings in progress), once per connection.
   */
  public static final String PRESENCE_CHANGED = "convene.presence.changed";

  /**
   * Published when a device connects with a device id: {@code {"userId","deviceId","connectionId"}}.
   * Any other live connection of the same user and device, on any node, is closed as replaced.
   */
  public static final String DEVICE_CONNECTED = "convene.device.connected";

  /**
   * Published when the server closes a socket for a policy reason (too slow, rate, size, idle, expired
   * token, replaced, shutdown): {@code {"userId","connectionId","code","reason"}}. For operators and tests.
   */
  public static final String CONNECTION_CLOSED = "convene.gateway.closed";

  /**
   * Published when a meeting or call is ended, cancelled or deleted through the meetings API:
   * {@code {"meetingId","status","reason"}}. Calls stop ringing; later, rooms and guests are torn down.
   */
  public static final String MEETING_CLOSED = "convene.meeting.closed";

  private Addresses() {}
}
