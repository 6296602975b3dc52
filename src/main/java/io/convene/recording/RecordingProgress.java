package io.convene.recording;

import io.convene.livekit.EgressReport;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * How a recording moves, decided in one place from what LiveKit reports about its egress (webhooks,
 * the answers to start and stop, the sweep's questions) and from time passing. LiveKit's deliveries may
 * come late, twice or out of order, so a report never moves a recording backwards and a final status
 * never changes; a recording whose egress stays silent too long fails. Plain Java; time is passed in.
 */
public final class RecordingProgress {
  private RecordingProgress() {}

  /** A decided change: the status before and after and what was learnt; absent facts stay as they were. */
  public record Change(
      RecordingStatus from,
      RecordingStatus to,
      String egressId,
      Instant startedAt,
      Instant endedAt,
      String location,
      Long durationMillis,
      Long sizeBytes,
      String error) {
    /** The meeting stops being recorded with this change: people are told. */
    public boolean stopped() {
      return from.active() && !to.active();
    }
  }

  /** The status an egress status means for its recording. */
  static RecordingStatus statusOf(EgressReport.Status egress) {
    return switch (egress) {
      case STARTING -> RecordingStatus.STARTING;
      case ACTIVE -> RecordingStatus.RECORDING;
      case ENDING -> RecordingStatus.PROCESSING;
      // the limit ends a recording early; what was recorded up to it is a good file
      case COMPLETE, LIMIT_REACHED -> RecordingStatus.READY;
      case FAILED, ABORTED -> RecordingStatus.FAILED;
    };
  }

  /**
   * What {@code report} changes about {@code r}: empty when it is about another egress, when {@code r} is
   * final, or when the report is older than what we know (a lower status) or tells nothing new.
   */
  public static Optional<Change> apply(Recording r, EgressReport report) {
    if (r.status().terminal()) {
      return Optional.empty();
    }
    if (r.egressId() != null && report.egressId() != null && !report.egressId().isEmpty()
        && !r.egressId().equals(report.egressId())) {
      return Optional.empty();
    }
    RecordingStatus to = statusOf(report.status());
    if (to.rank() < r.status().rank()) {
      return Optional.empty();
    }
    String learntEgress = r.egressId() == null && report.egressId() != null && !report.egressId().isEmpty()
        ? report.egressId() : null;
    if (to == r.status() && learntEgress == null) {
      return Optional.empty();
    }
    String error = to == RecordingStatus.FAILED && report.error() == null
        ? "LiveKit reported the egress " + report.status().name().toLowerCase() : report.error();
    return Optional.of(new Change(r.status(), to, learntEgress, report.startedAt(), report.endedAt(), report.location(),
        report.durationMillis(), report.sizeBytes(), error));
  }

  /** {@code r} fails for the reason {@code error} (it was given up on); empty when it is final already. */
  public static Optional<Change> fail(Recording r, String error) {
    if (r.status().terminal()) {
      return Optional.empty();
    }
    return Optional.of(new Change(r.status(), RecordingStatus.FAILED, null, null, null, null, null, null, error));
  }

  /**
   * Whether {@code r} has waited too long for its egress at {@code now}: still starting {@code start} after
   * it was asked for, or still processing {@code processing} after it last changed. A recording that is
   * recording has no deadline (recordings may be long); its egress is asked about instead.
   */
  public static Optional<String> overdue(Recording r, Instant now, Duration start, Duration processing) {
    if (r.status() == RecordingStatus.STARTING && !now.isBefore(r.createdAt().plus(start))) {
      return Optional.of("LiveKit did not start the recording within " + start.toSeconds() + " s");
    }
    if (r.status() == RecordingStatus.PROCESSING && !now.isBefore(r.updatedAt().plus(processing))) {
      return Optional.of("LiveKit did not report the finished file within " + processing.toMinutes() + " min");
    }
    return Optional.empty();
  }

  /**
   * Whether LiveKit must be told to stop the egress of {@code r} (as it is after the report): it still
   * records although nobody wants it to (stop asked, or the recording was given up on).
   */
  public static boolean stopWanted(Recording r, EgressReport report) {
    boolean egressRuns = report.status() == EgressReport.Status.STARTING || report.status() == EgressReport.Status.ACTIVE;
    return egressRuns && (r.stopRequestedAt() != null || !r.status().active());
  }
}
