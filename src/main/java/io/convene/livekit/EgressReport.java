package io.convene.livekit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import livekit.LivekitEgress;

/**
 * What LiveKit says about one egress, from a webhook or an Egress call, in Convene's terms: its status,
 * times, the file it produced (where, how long, how large) and the error. LiveKit's times and
 * durations are nanoseconds; here they are instants and milliseconds. {@code paths} are the file paths
 * the egress was asked for and the files it wrote, by which an egress is matched to its recording.
 */
public record EgressReport(
    String egressId,
    String roomName,
    Status status,
    Instant startedAt,
    Instant endedAt,
    String error,
    String location,
    Long durationMillis,
    Long sizeBytes,
    List<String> paths) {

  /** LiveKit's {@code EgressStatus}. */
  public enum Status {
    STARTING,
    ACTIVE,
    ENDING,
    COMPLETE,
    FAILED,
    ABORTED,
    LIMIT_REACHED
  }

  /**
   * The report of LiveKit's {@code EgressInfo}; null when its status is one this SDK does not know. The
   * deprecated single {@code file} fields are read too: the SDK still sets them, and older LiveKit
   * servers report the file there.
   */
  @SuppressWarnings("deprecation")
  public static EgressReport from(LivekitEgress.EgressInfo info) {
    Status status = switch (info.getStatus()) {
      case EGRESS_STARTING -> Status.STARTING;
      case EGRESS_ACTIVE -> Status.ACTIVE;
      case EGRESS_ENDING -> Status.ENDING;
      case EGRESS_COMPLETE -> Status.COMPLETE;
      case EGRESS_FAILED -> Status.FAILED;
      case EGRESS_ABORTED -> Status.ABORTED;
      case EGRESS_LIMIT_REACHED -> Status.LIMIT_REACHED;
      default -> null;
    };
    if (status == null) {
      return null;
    }
    List<String> paths = new ArrayList<>();
    if (info.hasRoomComposite()) {
      LivekitEgress.RoomCompositeEgressRequest request = info.getRoomComposite();
      request.getFileOutputsList().forEach(f -> paths.add(f.getFilepath()));
      if (request.hasFile()) {
        paths.add(request.getFile().getFilepath());
      }
    }
    LivekitEgress.FileInfo file = info.getFileResultsCount() > 0 ? info.getFileResults(0)
        : info.hasFile() ? info.getFile() : null;
    info.getFileResultsList().forEach(f -> {
      paths.add(f.getFilename());
      paths.add(f.getLocation());
    });
    paths.removeIf(String::isEmpty);
    return new EgressReport(
        info.getEgressId(),
        info.getRoomName(),
        status,
        instant(info.getStartedAt()),
        instant(info.getEndedAt()),
        info.getError().isEmpty() ? null : info.getError(),
        file == null || file.getLocation().isEmpty() ? null : file.getLocation(),
        file == null || file.getDuration() <= 0 ? null : file.getDuration() / 1_000_000,
        file == null || file.getSize() <= 0 ? null : file.getSize(),
        List.copyOf(paths));
  }

  private static Instant instant(long nanos) {
    return nanos <= 0 ? null : Instant.ofEpochSecond(0, nanos);
  }
}
