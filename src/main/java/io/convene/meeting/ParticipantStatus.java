package io.convene.meeting;

/** A participant's answer to the invitation; {@code banned} rows keep a removed person out for good. */
public enum ParticipantStatus {
  INVITED("invited"),
  ACCEPTED("accepted"),
  DECLINED("declined"),
  BANNED("banned");

  private final String wire;

  ParticipantStatus(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public static ParticipantStatus fromWire(String wire) {
    for (ParticipantStatus s : values()) {
      if (s.wire.equals(wire)) {
        return s;
      }
    }
    return null;
  }
}
