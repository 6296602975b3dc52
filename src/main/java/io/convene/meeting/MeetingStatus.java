package io.convene.meeting;

/** {@code scheduled → in_progress → ended}, and {@code scheduled|in_progress → cancelled}. */
public enum MeetingStatus {
  SCHEDULED("scheduled"),
  IN_PROGRESS("in_progress"),
  ENDED("ended"),
  CANCELLED("cancelled");

  private final String wire;

  MeetingStatus(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public boolean active() {
    return this == SCHEDULED || this == IN_PROGRESS;
  }

  public static MeetingStatus fromWire(String wire) {
    for (MeetingStatus s : values()) {
      if (s.wire.equals(wire)) {
        return s;
      }
    }
    return null;
  }
}
