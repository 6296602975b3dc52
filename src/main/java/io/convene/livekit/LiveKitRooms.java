package io.convene.livekit;

import io.convene.config.AppConfig;
import io.livekit.server.RoomServiceClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import livekit.LivekitModels;
import okhttp3.OkHttpClient;
import retrofit2.Call;

/**
 * LiveKit's RoomService through the official SDK, its blocking calls made the {@link LiveKitCalls} way:
 * on an executor of their own, with timeouts, behind a circuit breaker that readiness reads. One client
 * (one connection pool) per node.
 */
public final class LiveKitRooms {
  /** Calls at once per node; more wait for a thread of this executor. */
  private static final int THREADS = 4;
  private static final Set<Integer> NOT_FOUND = Set.of(404);
  /** How often LiveKit is asked whether it answers, so readiness knows without calling it. */
  private static final java.time.Duration PROBE_EVERY = java.time.Duration.ofSeconds(30);

  private final RoomServiceClient client;
  private final AppConfig.LiveKit config;
  private final LiveKitCalls calls;

  public LiveKitRooms(Vertx vertx, AppConfig.LiveKit config, Clock clock) {
    this.config = config;
    this.calls = new LiveKitCalls(vertx, "RoomService", "convene-livekit", THREADS, clock);
    OkHttpClient http = calls.http();
    this.client = RoomServiceClient.createClient(LiveKitCalls.httpUrl(config.url()), config.apiKey(), config.apiSecret(),
        () -> http);
  }


  /** Asks LiveKit now and every half minute whether it answers (cancelled with the deploying verticle). */
  public void startProbing(Vertx vertx) {
    probe();
    vertx.setPeriodic(PROBE_EVERY.toMillis(), id -> probe());
  }

  private void probe() {
    run(() -> client.listRooms(List.of()), false);
  }

  /**
   * Creates the room of a meeting, or updates it (idempotent on LiveKit's side): every request carries
   * the same empty timeout ({@link AppConfig.LiveKit#roomEmptyTimeoutSeconds}), so none shortens the
   * life of a room created ahead of its meeting; a null {@code maxParticipants} leaves the limit as it is.
   */
  public Future<Void> create(String meetingId, Integer maxParticipants) {
    return run(() -> client.createRoom(meetingId, config.roomEmptyTimeoutSeconds(),
        maxParticipants == null ? 0 : maxParticipants), false).mapEmpty();
  }

  /** Deletes the room, which disconnects everyone in it; a room already gone is fine. */
  public Future<Void> delete(String meetingId) {
    return run(() -> client.deleteRoom(meetingId), true).mapEmpty();
  }

  /** Identities LiveKit reports in the room; fails when LiveKit cannot tell (unknown is not empty). */
  public Future<List<String>> identities(String meetingId) {
    return run(() -> client.listParticipants(meetingId), true).map(list -> {
      List<String> out = new ArrayList<>();
      if (list != null) {
        list.forEach(p -> out.add(p.getIdentity()));
      }
      return out;
    });
  }

  public Future<Void> remove(String meetingId, String identity) {
    return run(() -> client.removeParticipant(meetingId, identity), true).mapEmpty();
  }

  /** Mutes every audio track {@code identity} publishes; returns how many. */
  public Future<Integer> muteAudio(String meetingId, String identity) {
    return run(() -> client.listParticipants(meetingId), true).compose(list -> {
      List<Future<?>> mutes = new ArrayList<>();
      if (list != null) {
        for (LivekitModels.ParticipantInfo p : list) {
          if (!p.getIdentity().equals(identity)) {
            continue;
          }
          for (LivekitModels.TrackInfo t : p.getTracksList()) {
            if (t.getType() == LivekitModels.TrackType.AUDIO && !t.getMuted()) {
              mutes.add(run(() -> client.mutePublishedTrack(meetingId, identity, t.getSid(), true), false));
            }
          }
        }
      }
      return Future.all(mutes).map(v -> mutes.size());
    });
  }

  /** What readiness reports, from the breaker alone: LiveKit is not called for it. */
  public CircuitBreaker.State state() {
    return calls.state();
  }

  /** Whether its last call succeeded and its breaker is closed (readiness reports DEGRADED otherwise). */
  public boolean healthy() {
    return calls.healthy();
  }

  private <T> Future<T> run(Callable<Call<T>> call, boolean notFoundIsEmpty) {
    return calls.run(call, notFoundIsEmpty ? NOT_FOUND : Set.of());
  }
}
