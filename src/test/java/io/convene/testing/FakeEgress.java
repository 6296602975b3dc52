package io.convene.testing;

import com.google.protobuf.Message;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.UnaryOperator;
import livekit.LivekitEgress;
import livekit.LivekitEgress.EgressInfo;
import livekit.LivekitEgress.EgressStatus;

/**
 * LiveKit's Egress service as {@link FakeLiveKit} serves it on {@code /twirp/livekit.Egress/*}: binary
 * protobuf requests and answers, every call needing the {@code roomRecord} grant. It keeps the egresses
 * it started; tests move them on ({@link #update}) the way LiveKit's recorder would, and build the
 * webhooks LiveKit would send from them.
 */
public final class FakeEgress {
  /** The egresses LiveKit knows, in the order they started. */
  private final Map<String, EgressInfo> egresses = new LinkedHashMap<>();
  private volatile Duration startDelay = Duration.ZERO;
  private volatile boolean refuseStarts;

  /** Every start is answered this late (the egress exists at once, as LiveKit registers it before answering). */
  public void delayStarts(Duration delay) {
    startDelay = delay;
  }

  /** While on, starts are refused with 400 {@code invalid_argument}, as a LiveKit that dislikes the request does. */
  public void refuseStarts(boolean on) {
    refuseStarts = on;
  }

  /** The egress LiveKit runs for a recording (found by the recording id in its file path). */
  public synchronized Optional<EgressInfo> forRecording(String recordingId) {
    return egresses.values().stream().filter(e -> filePath(e).contains(recordingId)).findFirst();
  }

  public synchronized EgressInfo get(String egressId) {
    return egresses.get(egressId);
  }

  /** Changes what LiveKit knows about the egress of a recording; returns it as it is now. */
  public synchronized EgressInfo update(String recordingId, UnaryOperator<EgressInfo.Builder> change) {
    EgressInfo e = forRecording(recordingId).orElseThrow(() -> new AssertionError("no egress for " + recordingId));
    EgressInfo changed = change.apply(e.toBuilder()).setUpdatedAt(nanos(Instant.now())).build();
    egresses.put(changed.getEgressId(), changed);
    return changed;
  }

  /** Forgets an egress, as LiveKit does some time after it ended. */
  public synchronized void forget(String egressId) {
    egresses.remove(egressId);
  }

  /** The egress as it runs. */
  public static UnaryOperator<EgressInfo.Builder> active() {
    return b -> b.setStatus(EgressStatus.EGRESS_ACTIVE).setStartedAt(nanos(Instant.now()));
  }

  /** The egress done: one file at {@code location}, {@code seconds} long, {@code size} bytes. */
  public static UnaryOperator<EgressInfo.Builder> complete(String location, long seconds, long size) {
    return b -> b.setStatus(EgressStatus.EGRESS_COMPLETE).setEndedAt(nanos(Instant.now()))
        .clearFileResults().addFileResults(LivekitEgress.FileInfo.newBuilder()
            .setFilename(filePath(b.build())).setLocation(location)
            .setStartedAt(b.getStartedAt()).setEndedAt(nanos(Instant.now()))
            .setDuration(Duration.ofSeconds(seconds).toNanos()).setSize(size));
  }

  /** The file path asked for (the SDK sets both the list and the deprecated single output). */
  @SuppressWarnings("deprecation")
  static String filePath(EgressInfo e) {
    LivekitEgress.RoomCompositeEgressRequest r = e.getRoomComposite();
    return r.getFileOutputsCount() > 0 ? r.getFileOutputs(0).getFilepath() : r.getFile().getFilepath();
  }

  static long nanos(Instant i) {
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }

  /** What one call of {@code method} gets: the parsed request, the answer and how long to wait before it. */
  record Answer(Message request, Message reply, Duration delay) {}

  synchronized Answer handle(String method, byte[] bytes, JsonObject grant) throws Exception {
    FakeLiveKit.requireGrant(grant, "roomRecord", null);
    switch (method) {
      case "StartRoomCompositeEgress" -> {
        var r = LivekitEgress.RoomCompositeEgressRequest.parseFrom(bytes);
        if (refuseStarts) {
          throw new FakeLiveKit.TwirpError(400, "invalid_argument", "this LiveKit refuses the request");
        }
        String id = "EG_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        EgressInfo info = EgressInfo.newBuilder().setEgressId(id).setRoomId("RM_" + r.getRoomName())
            .setRoomName(r.getRoomName()).setStatus(EgressStatus.EGRESS_STARTING).setRoomComposite(r)
            .setUpdatedAt(nanos(Instant.now())).build();
        egresses.put(id, info);
        return new Answer(r, info, startDelay);
      }
      case "StopEgress" -> {
        var r = LivekitEgress.StopEgressRequest.parseFrom(bytes);
        EgressInfo e = egresses.get(r.getEgressId());
        if (e == null) {
          throw new FakeLiveKit.TwirpError(404, "not_found", "egress not found");
        }
        if (e.getStatus() != EgressStatus.EGRESS_STARTING && e.getStatus() != EgressStatus.EGRESS_ACTIVE) {
          throw new FakeLiveKit.TwirpError(412, "failed_precondition",
              "egress with status " + e.getStatus() + " cannot be stopped");
        }
        EgressInfo ending = e.toBuilder().setStatus(EgressStatus.EGRESS_ENDING).setUpdatedAt(nanos(Instant.now())).build();
        egresses.put(ending.getEgressId(), ending);
        return new Answer(r, ending, Duration.ZERO);
      }
      case "ListEgress" -> {
        var r = LivekitEgress.ListEgressRequest.parseFrom(bytes);
        List<EgressInfo> items = new ArrayList<>();
        for (EgressInfo e : egresses.values()) {
          boolean running = e.getStatus() == EgressStatus.EGRESS_STARTING || e.getStatus() == EgressStatus.EGRESS_ACTIVE;
          if ((r.getRoomName().isEmpty() || r.getRoomName().equals(e.getRoomName()))
              && (r.getEgressId().isEmpty() || r.getEgressId().equals(e.getEgressId()))
              && (!r.getActive() || running)) {
            items.add(e);
          }
        }
        return new Answer(r, LivekitEgress.ListEgressResponse.newBuilder().addAllItems(items).build(), Duration.ZERO);
      }
      default -> throw new FakeLiveKit.TwirpError(404, "bad_route", "unknown method " + method);
    }
  }
}
