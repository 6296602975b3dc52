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

  /**
   * A fresh LiveKit token for a room the caller is in, while they are entitled to be there (join tokens
   * are short-lived): {meetingId}; the ack carries {serverUrl, token, identity, roomName, expiresAt, ...}.
   */
  public static final String ROOM_REFRESH_TOKEN = "room:refresh_token";

  private Requests() {}
}
