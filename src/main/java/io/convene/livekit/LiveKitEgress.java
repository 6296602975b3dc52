package io.convene.livekit;

import io.convene.config.AppConfig;
import io.livekit.server.EgressServiceClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import livekit.LivekitEgress;
import okhttp3.OkHttpClient;

/**
 * LiveKit's Egress service through the official SDK (Twirp {@code /twirp/livekit.Egress/*}, a token with
 * the {@code roomRecord} grant): room-composite recordings to a file or an S3-compatible bucket, as the
 * {@code recordings.*} configuration says. Its blocking calls run the {@link LiveKitCalls} way, on an
 * executor and behind a circuit breaker of their own. Upload keys go to LiveKit only, never to a log.
 */
public final class LiveKitEgress {
  private static final int THREADS = 2;
  /** Stopping an egress LiveKit no longer knows (404) or that is no longer active (412): nothing to stop. */
  private static final Set<Integer> GONE = Set.of(404, 412);

  private final EgressServiceClient client;
  private final AppConfig.Recordings config;
  private final LiveKitCalls calls;

  public LiveKitEgress(Vertx vertx, AppConfig.LiveKit livekit, AppConfig.Recordings config, Clock clock) {
    this.config = config;
    this.calls = new LiveKitCalls(vertx, "Egress", "convene-livekit-egress", THREADS, clock);
    OkHttpClient http = calls.http();
    this.client = EgressServiceClient.createClient(LiveKitCalls.httpUrl(livekit.url()), livekit.apiKey(),
        livekit.apiSecret(), () -> http);
  }

  /** Starts a room-composite recording of {@code roomName} into {@code filePath}; LiveKit's first report. */
  public Future<EgressReport> startRoomComposite(String roomName, String filePath, boolean audioOnly) {
    LivekitEgress.EncodedFileOutput output = output(filePath);
    return calls.run(() -> client.startRoomCompositeEgress(roomName, output, config.layout(), null, null, audioOnly,
            false, ""), Set.of())
        .map(EgressReport::from);
  }

  /** Asks LiveKit to stop an egress; empty when there was nothing to stop (unknown, or over already). */
  public Future<Optional<EgressReport>> stop(String egressId) {
    return calls.run(() -> client.stopEgress(egressId), GONE).map(info -> Optional.ofNullable(info).map(EgressReport::from));
  }

  /** LiveKit's egresses of a room ({@code egressId} null) or one egress (then {@code roomName} may be null). */
  public Future<List<EgressReport>> list(String roomName, String egressId, boolean activeOnly) {
    return calls.run(() -> client.listEgress(roomName, egressId, activeOnly ? Boolean.TRUE : null), Set.of(404)).map(list -> {
      List<EgressReport> out = new ArrayList<>();
      if (list != null) {
        for (LivekitEgress.EgressInfo info : list) {
          EgressReport report = EgressReport.from(info);
          if (report != null) {
            out.add(report);
          }
        }
      }
      return out;
    });
  }

  /** What readiness reports, from the breaker alone. */
  public CircuitBreaker.State state() {
    return calls.state();
  }

  /** Whether its last call succeeded and its breaker is closed (readiness reports DEGRADED otherwise). */
  public boolean healthy() {
    return calls.healthy();
  }

  LivekitEgress.EncodedFileOutput output(String filePath) {
    LivekitEgress.EncodedFileOutput.Builder out = LivekitEgress.EncodedFileOutput.newBuilder()
        .setFileType(config.fileType().equals("ogg") ? LivekitEgress.EncodedFileType.OGG : LivekitEgress.EncodedFileType.MP4)
        .setFilepath(filePath);
    AppConfig.S3 s3 = config.s3();
    if (s3.enabled()) {
      LivekitEgress.S3Upload.Builder upload = LivekitEgress.S3Upload.newBuilder().setBucket(s3.bucket())
          .setForcePathStyle(s3.forcePathStyle());
      if (s3.region() != null) {
        upload.setRegion(s3.region());
      }
      if (s3.endpoint() != null) {
        upload.setEndpoint(s3.endpoint());
      }
      if (s3.accessKey() != null) {
        upload.setAccessKey(s3.accessKey()).setSecret(s3.secret());
      }
      out.setS3(upload);
    }
    return out.build();
  }
}
