package io.convene.protocol;

/** Types of client-to-server requests on the socket. Each gets exactly one {@code ack}. */
public final class Requests {
  /** Keeps the connection (and the user's presence) alive: {}. */
  public static final String PRESENCE_HEARTBEAT = "presence:heartbeat";
  /** Watch users' presence: {userIds:[...]}; the ack carries their current state. */
  public static final String PRESENCE_SUBSCRIBE = "presence:subscribe";
  /** Stop watching: {userIds:[...]}. */
  public static final String PRESENCE_UNSUBSCRIBE = "presence:unsubscribe";

  /** Accept a ringing call on this device: {meetingId}. */
  public static final String CALL_ACCEPT = "call:accept";
  /** Decline a ringing call: {meetingId}. */
  public static final String CALL_DECLINE = "call:decline";
  /** The caller stops ringing everyone who has not answered: {meetingId}. */
  public static final String CALL_CANCEL = "call:cancel";

  /** Let a waiting guest in: {meetingId, sessionId}. */
  public static final String MEETING_ADMIT_GUEST = "meeting:admit_guest";
  /** Turn a waiting guest away: {meetingId, sessionId}. */
  public static final String MEETING_DECLINE_GUEST = "meeting:decline_guest";

  /** Send a chat message: {meetingId, text, clientMsgId}; the ack carries {messageId, seq, sentAt}. */
  public static final String CHAT_SEND = "chat:send";
  /** Delete a chat message (its author, an owner or a manager): {meetingId, messageId}. */
  public static final String CHAT_DELETE = "chat:delete";
  /** React with one emoji: {meetingId, emoji}. */
  public static final String REACTION_SEND = "reaction:send";
  /** Raise one's hand: {meetingId}. */
  public static final String HAND_RAISE = "hand:raise";
  /** Lower one's hand, or someone else's (owner or manager): {meetingId, userId?}. */
  public static final String HAND_LOWER = "hand:lower";
  /** Vote in a poll: {meetingId, pollId, optionIds}. */
  public static final String POLL_VOTE = "poll:vote";
  /**
   * A fresh LiveKit token for a room the caller is in, while they are entitled to be there (join tokens
   * are short-lived): {meetingId}; the ack carries {serverUrl, token, identity, roomName, expiresAt, ...}.
   */
  public static final String ROOM_REFRESH_TOKEN = "room:refresh_token";

  private Requests() {}
}
