package io.convene.guest;

/** A guest's session: who they are to the meeting; where they stand in its lobby is the lobby's. */
public record GuestSession(String id, String meetingId, String displayName, Status status) {
  public enum Status {
    REGISTERED("registered"),
    ENDED("ended");

    private final String wire;

    Status(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }

    static Status fromWire(String wire) {
      for (Status s : values()) {
        if (s.wire.equals(wire)) {
          return s;
        }
      }
      throw new IllegalArgumentException("unknown guest session status " + wire);
    }
  }
}
