package io.convene.meeting;

/** A person's role in one meeting. Guests are people without an account, admitted by link. */
public enum Role {
  OWNER("owner"),
  MANAGER("manager"),
  MEMBER("member"),
  GUEST("guest");

  private final String wire;

  Role(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  /** The role named {@code wire}, or null. */
  public static Role fromWire(String wire) {
    for (Role r : values()) {
      if (r.wire.equals(wire)) {
        return r;
      }
    }
    return null;
  }
}
