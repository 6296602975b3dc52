package io.convene.recording;

/**
 * Where a recording is: {@code starting → recording → processing → ready | failed}. A status only ever
 * moves forwards ({@link #rank()}); {@code ready} and {@code failed} are final. While a recording is
 * {@link #active()}, the meeting is being recorded (or is about to be) and no second one may start.
 */
public enum RecordingStatus {
  STARTING("starting", 0),
  RECORDING("recording", 1),
  PROCESSING("processing", 2),
  READY("ready", 3),
  FAILED("failed", 3);

  private final String wire;
  private final int rank;

  RecordingStatus(String wire, int rank) {
    this.wire = wire;
    this.rank = rank;
  }

  public String wire() {
    return wire;
  }

  /** How far along: a change may only raise it. */
  public int rank() {
    return rank;
  }

  /** Recording now, or about to: people in the meeting are (being) recorded. */
  public boolean active() {
    return this == STARTING || this == RECORDING;
  }

  public boolean terminal() {
    return this == READY || this == FAILED;
  }

  public static RecordingStatus fromWire(String wire) {
    for (RecordingStatus s : values()) {
      if (s.wire.equals(wire)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown recording status " + wire);
  }
}
