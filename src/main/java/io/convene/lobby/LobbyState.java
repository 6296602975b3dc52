package io.convene.lobby;

/** Where someone stands in a meeting's lobby. */
public enum LobbyState {
  WAITING("waiting"),
  ADMITTED("admitted"),
  DECLINED("declined");

  private final String wire;

  LobbyState(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  static LobbyState fromWire(String wire) {
    for (LobbyState s : values()) {
      if (s.wire.equals(wire)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown lobby state " + wire);
  }
}
