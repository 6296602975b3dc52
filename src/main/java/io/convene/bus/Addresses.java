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
   * Published presence transitions, one or many at once: {@code
   * {"changes":[{"userId","status","lastSeen","alsoTell":[...]}]}}. Every gateway delivers {@code
   * presence:update} to local connections watching each user and to the devices of the users in {@code
   * alsoTell} (co-participants of meetings in progress), once per connection.
   */
  public static final String PRESENCE_CHANGED = "convene.presence.changed";

  /**
   * Published when a device reconnected with the same device id: {@code {"userId","connectionId"}} names
   * the older connection, which whichever node holds it closes as replaced.
   */
  public static final String DEVICE_REPLACED = "convene.device.replaced";

  /**
   * Published when the server closes a socket for a policy reason (too slow, rate, size, idle, expired
   * token, replaced, shutdown): {@code {"userId","connectionId","code","reason"}}. For operators and tests.
   */
  public static final String CONNECTION_CLOSED = "convene.gateway.closed";

  /**
   * Command (request-reply; one node acts, from the outbox): a meeting or call was ended, cancelled or
   * deleted; tear its live room down: stop rings, close stays, let guests go, stop its recording. {@code
   * {"meetingId","status","reason"}}. The LiveKit room is closed by {@link #ROOM_CLOSE}.
   */
  public static final String MEETING_TEARDOWN = "convene.meeting.teardown";

  /** Command (request-reply, from the outbox): a meeting ended; delete its LiveKit room. {@code {"meetingId"}}. */
  public static final String ROOM_CLOSE = "convene.room.close";

  /**
   * Command (request-reply, from the outbox): a meeting starts (or will, within {@code
   * livekit.precreateMinutes}); create its LiveKit room. {@code {"meetingId","maxParticipants"}}.
   */
  public static final String ROOM_OPEN = "convene.room.open";

  /**
   * Command (request-reply, from the outbox): a participant was removed or a guest's session ended;
   * their stay ends and LiveKit takes them out of the room. {@code {"meetingId","userId"}}.
   */
  public static final String ROOM_REMOVE = "convene.room.remove";

  /**
   * Command (request-reply, from the outbox): a meeting no longer allows guests; its links stop working
   * and its guests' sessions end (they are told and disconnected). {@code {"meetingId"}}.
   */
  public static final String GUESTS_DISALLOWED = "convene.guests.disallowed";

  /**
   * Command (request-reply, from the outbox): make our record of who is in a meeting's room match
   * LiveKit's, once LiveKit answers (it did not when a leave without a join, or a user's last socket
   * going, needed it). {@code {"meetingId"}}.
   */
  public static final String ROOM_RECONCILE = "convene.room.reconcile";

  /**
   * Command (request-reply, from the outbox): a meeting whose {@code autoRecord} setting is on started;
   * start its recording (once per meeting). {@code {"meetingId"}}.
   */
  public static final String RECORDING_AUTO_START = "convene.recording.autostart";

  /** Command (request-reply, from the outbox): start a requested recording's egress in LiveKit. {@code {"recordingId"}}. */
  public static final String RECORDING_START = "convene.recording.start";

  /**
   * Command (request-reply, from the outbox): make sure LiveKit is no longer recording for a recording
   * (stopped, or given up on). {@code {"recordingId"}}.
   */
  public static final String RECORDING_STOP = "convene.recording.stop";

  /** Command, sent: a user went offline; they leave rooms LiveKit does not see them in. {@code {"userId"}}. */
  public static final String USER_OFFLINE = "convene.presence.offline";

  /**
   * Published after each schedule sweep by the node that ran it: {@code {"at", "started", "roomsOpenedAhead",
   * "reminders", "silentStaysClosed", "ended", "purged", "notificationsRemoved"}}. For operators and tests.
   */
  public static final String SCHEDULE_SWEPT = "convene.schedule.swept";

  /**
   * Published to close every connection of some users (ended guest sessions): {@code {"userIds":[...],
   * "code":4004}}.
   */
  public static final String DISCONNECT_USERS = "convene.gateway.disconnect";

  private Addresses() {}

  /**
   * Local to each node: drain this node (a request; the answer comes when the drain is over). Sent by
   * the launcher on SIGTERM, before Vert.x closes.
   */
  public static final String NODE_DRAIN = "convene.node.drain";
}
