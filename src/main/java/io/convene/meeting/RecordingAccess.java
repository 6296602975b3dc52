package io.convene.meeting;

/**
 * Who may see a meeting's recordings (the {@code recordingAccess} setting): its owner and managers, its
 * participants (the default), or anyone who has a recording's id. A system admin sees every one.
 */
public enum RecordingAccess {
  OWNERS("owners"),
  PARTICIPANTS("participants"),
  PUBLIC("public");

  private final String wire;

  RecordingAccess(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  /**
   * Whether someone sees the recordings: {@code role} is their role in the meeting (null when they do not
   * belong to it, guests included), {@code admin} whether they are a system admin.
   */
  public boolean allows(Role role, boolean admin) {
    if (admin || this == PUBLIC) {
      return true;
    }
    if (role == null || role == Role.GUEST) {
      return false;
    }
    return this == PARTICIPANTS || role == Role.OWNER || role == Role.MANAGER;
  }

  /** The value named {@code wire}, or null. */
  public static RecordingAccess fromWire(String wire) {
    for (RecordingAccess a : values()) {
      if (a.wire.equals(wire)) {
        return a;
      }
    }
    return null;
  }
}
