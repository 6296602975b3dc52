package io.convene.protocol;

/**
 * WebSocket close codes Convene uses, and whether a client should reconnect. Documented in
 * docs/protocol.md.
 */
public enum CloseCodes {
  /** The server is shutting down; reconnect (another node will take the connection). */
  GOING_AWAY(1001, "server shutting down", true),
  /** The node is draining (a deploy or a scale-down); reconnect, another node takes the connection. */
  DRAINING(1012, "server restarting", true),
  /** A frame over the size limit; reconnect, and do not send it again. */
  MESSAGE_TOO_BIG(1009, "frame too large", true),
  /** The token expired; reconnect with a new token. */
  TOKEN_EXPIRED(4001, "token expired", true),
  /** The guest session ended (everyone left, it expired, or the meeting ended); do not reconnect. */
  SESSION_ENDED(4004, "guest session ended", false),
  /** A newer connection with the same device id replaced this one; do not reconnect. */
  REPLACED(4003, "replaced by a newer connection of the same device", false),
  /** Too many frames; reconnect after a pause. */
  RATE_LIMITED(4008, "rate limit exceeded", true),
  /** The client did not read fast enough; reconnect and refresh state over REST. */
  TOO_SLOW(4009, "client too slow to read", true),
  /** No sign of life (frames, pongs) for two heartbeat intervals; reconnect. */
  IDLE(4010, "no sign of life", true);

  private final short code;
  private final String reason;
  private final boolean reconnect;

  CloseCodes(int code, String reason, boolean reconnect) {
    this.code = (short) code;
    this.reason = reason;
    this.reconnect = reconnect;
  }

  public short code() {
    return code;
  }

  public String reason() {
    return reason;
  }

  public boolean reconnect() {
    return reconnect;
  }
}
