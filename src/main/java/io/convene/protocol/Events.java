package io.convene.protocol;

/**
 * Names of server-to-client events. Every event reaches the listed users on all their devices.
 * Payload shapes are documented in docs/protocol.md.
 */
public final class Events {
  /** A meeting the user participates in was created: the full meeting. */
  public static final String MEETING_CREATED = "meeting:created";
  /** Title, times, limits or settings changed: the full meeting. */
  public static final String MEETING_UPDATED = "meeting:updated";
  /** The meeting was cancelled: {meetingId, cancelledBy}. */
  public static final String MEETING_CANCELLED = "meeting:cancelled";
  /** The meeting went in progress: {meetingId, startedAt, startedBy}. */
  public static final String MEETING_STARTED = "meeting:started";
  /** The meeting ended: {meetingId, endedAt, endedBy, reason}. */
  public static final String MEETING_ENDED = "meeting:ended";
  /** The user was invited to a scheduled meeting: the full meeting. */
  public static final String MEETING_INVITED = "meeting:invited";
  /** The user was invited to a meeting already in progress: {meetingId, title, invitedBy}. */
  public static final String MEETING_LIVE_INVITE_SENT = "meeting:live_invite_sent";
  /** Other participants were invited: {meetingId, userIds, invitedBy}. */
  public static final String MEETING_PARTICIPANTS_INVITED = "meeting:participants_invited";
  /** A participant accepted or declined: {meetingId, userId, status}. */
  public static final String MEETING_PARTICIPANT_RESPONDED = "meeting:participant_responded";
  /** A participant was removed (or banned): {meetingId, userId, banned, removedBy}. */
  public static final String MEETING_PARTICIPANT_REMOVED = "meeting:participant_removed";
  /** The receiving user was removed from the meeting: {meetingId, banned}. */
  public static final String MEETING_REMOVED = "meeting:removed";
  /** A participant's role changed: {meetingId, userId, role, previousRole, changedBy}. */
  public static final String MEETING_ROLE_CHANGED = "meeting:role_changed";

  /** Every member left: the guest will be disconnected after {graceSeconds}. {meetingId, graceSeconds}. */
  public static final String EXTERNAL_ALL_SERVER_USERS_LEFT = "external:all_server_users_left";
  /** To guests of a meeting whose owner turned guests off: their session ends now. {@code {"meetingId"}}. */
  public static final String EXTERNAL_GUESTS_DISALLOWED = "external:guests_disallowed";

  /** The first member entered the room: guests may ask for access now. {meetingId}. */
  public static final String MEETING_FIRST_PARTICIPANT_JOINED = "meeting:first_participant_joined";
  /** A guest asks to be let in: {meetingId, sessionId, displayName}. To those in the room. */
  public static final String MEETING_GUEST_WAITING = "meeting:guest_waiting";
  /** A guest was let in: {meetingId, sessionId, decidedBy}. To the guest and those in the room. */
  public static final String MEETING_GUEST_ADMITTED = "meeting:guest_admitted";
  /** A guest was turned away: {meetingId, sessionId, decidedBy}. To the guest and those in the room. */
  public static final String MEETING_GUEST_DECLINED = "meeting:guest_declined";

  /** A new guest link was generated (the old one stopped working): {meetingId, generatedBy}. */
  public static final String MEETING_INVITE_LINK_GENERATED = "meeting:invite_link_generated";

  /**
   * A meeting starts soon or now: {meetingId, title, startTime, offsetMinutes, kind: before_start|at_start,
   * notificationId}.
   */
  public static final String MEETING_REMINDER = "meeting:reminder";
  /** Someone entered the meeting's live room: {meetingId, userId, displayName}. */
  public static final String MEETING_PARTICIPANT_JOINED = "meeting:participant_joined";
  /** Someone left the meeting's live room: {meetingId, userId}. */
  public static final String MEETING_PARTICIPANT_LEFT = "meeting:participant_left";
  /** An owner or manager muted the receiving user's microphone: {meetingId, mutedBy}. */
  public static final String MEETING_MUTED = "meeting:muted";

  /**
   * A recording of the meeting started (was asked for; LiveKit is starting it): {meetingId, recordingId,
   * status, startedBy, auto, at}. To attending participants and the guests in the room.
   */
  public static final String MEETING_RECORDING_STARTED = "meeting:recording_started";
  /**
   * A recording of the meeting stopped recording: {meetingId, recordingId, status (processing, ready or
   * failed), reason, stoppedBy?, error?, at}. To attending participants and the guests in the room.
   */
  public static final String MEETING_RECORDING_STOPPED = "meeting:recording_stopped";

  /** Someone calls the receiving user (all their devices ring): {meetingId, callerId, callerName, deadline, title}. */
  public static final String CALL_INCOMING = "call:incoming";
  /** To the caller, per callee being rung: {meetingId, userId, deadline}. */
  public static final String CALL_RINGING = "call:ringing";
  /** A callee accepted: {meetingId, userId}. */
  public static final String CALL_ACCEPTED = "call:accepted";
  /** A callee declined or did not answer: {meetingId, userId, reason: declined|timeout}. */
  public static final String CALL_DECLINED = "call:declined";
  /** Stop ringing: {meetingId, reason: caller_cancelled|answered_elsewhere|declined_elsewhere|call_ended}. */
  public static final String CALL_CANCELLED = "call:cancelled";
  /** The call is over: {meetingId, reason, endedAt}. */
  public static final String CALL_ENDED = "call:ended";
  /** The receiving user missed a call: {meetingId, callerId, callerName, notificationId}. */
  public static final String CALL_MISSED = "call:missed";
  /** Someone left the call: {meetingId, userId}. */
  public static final String CALL_LEFT = "call:left";
  /**
   * To its creator: a webhook was disabled after too many failed deliveries in a row:
   * {webhookId, url, failures, reason, notificationId}.
   */
  public static final String WEBHOOK_DISABLED = "webhook:disabled";
  /** Unread notifications, sent once when a device connects: {items:[...]}. */
  public static final String NOTIFICATIONS_UNREAD = "notifications:unread";

  /** A watched user or co-participant went online or offline: {userId, status, lastSeen}. */
  public static final String PRESENCE_UPDATE = "presence:update";
  /** Batched latest state of watched users that changed: {users:[{userId, status, lastSeen}]}. */
  public static final String PRESENCE_BULK_UPDATE = "presence:bulk_update";
  /** Another device of the receiving user connected: {userId, connectionId}. */
  public static final String PRESENCE_USER_CONNECTED = "presence:user_connected";
  /** Another device of the receiving user disconnected: {userId, connectionId}. */
  public static final String PRESENCE_USER_DISCONNECTED = "presence:user_disconnected";
  /** Sent once on connect: {connectionId, userId, heartbeatSeconds, serverTime}. */
  public static final String SESSION_WELCOME = "session:welcome";
  /** A session resumed: {replayed, connectionId, userId, heartbeatSeconds, serverTime}, after the replayed frames. */
  public static final String SESSION_RESUMED = "session:resumed";
  /** The node is draining: reconnect (to any node) after {@code retryAfterMs}; the socket closes with 1012. */
  public static final String SESSION_RECONNECT = "session:reconnect";

  /**
   * A chat message in a meeting the receiving user attends: {meetingId, messageId, seq, userId, displayName,
   * text, sentAt}. To every device of the attending participants (not to the sending device).
   */
  public static final String CHAT_MESSAGE = "chat:message";
  /** A chat message was deleted (its text is gone from history): {meetingId, messageId, by}. */
  public static final String CHAT_DELETED = "chat:deleted";
  /** Someone reacted: {meetingId, userId, emoji, at}. Not stored. */
  public static final String MEETING_REACTION = "meeting:reaction";
  /** A hand went up (the queue is in raise order): {meetingId, userId, raisedAt}. */
  public static final String MEETING_HAND_RAISED = "meeting:hand_raised";
  /** A hand went down: {meetingId, userId, by, reason: lowered|left}. */
  public static final String MEETING_HAND_LOWERED = "meeting:hand_lowered";
  /** A poll was opened: the poll with its options and (zero) results. */
  public static final String POLL_CREATED = "poll:created";
  /** Votes came in (coalesced, a few frames a second at most): {meetingId, pollId, options:[{optionId, votes}], voters}. */
  public static final String POLL_RESULTS = "poll:results";
  /** A poll was closed: the final results, as poll:results, with closedBy and closedAt. */
  public static final String POLL_CLOSED = "poll:closed";

  private Events() {}
}
