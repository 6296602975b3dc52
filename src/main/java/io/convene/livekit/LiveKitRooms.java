package io.convene.livekit;

import io.convene.config.AppConfig;
import io.livekit.server.RoomServiceClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import livekit.LivekitModels;
import okhttp3.OkHttpClient;
import retrofit2.Call;
import retrofit2.Response;

/**
 * LiveKit's RoomService through the official SDK. Its calls block, so they run on a small executor of
 * their own (a slow LiveKit never takes the worker pool that sweeps and migrations use), with connect,
 * read and whole-call timeouts, behind a {@link CircuitBreaker}: while LiveKit keeps failing, calls fail
 * at once and readiness reports it without calling LiveKit. One client (one connection pool) per node.
 */
public final class LiveKitRooms {
  /** Calls at once per node; more wait for a thread of this executor. */
  private static final int THREADS = 4;
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
  private static final int BREAKER_THRESHOLD = 5;
  private static final Duration BREAKER_COOLDOWN = Duration.ofSeconds(10);
  /** How often LiveKit is asked whether it answers, so readiness knows without calling it. */
  private static final Duration PROBE_EVERY = Duration.ofSeconds(30);

  private final RoomServiceClient client;
  private final AppConfig.LiveKit config;
  private final WorkerExecutor executor;
  private final CircuitBreaker breaker;
  private volatile boolean lastCallFailed;

  public LiveKitRooms(Vertx vertx, AppConfig.LiveKit config, Clock clock) {
    this.config = config;
    this.executor = vertx.createSharedWorkerExecutor("convene-livekit", THREADS, CALL_TIMEOUT.toMillis() * 2,
        TimeUnit.MILLISECONDS);
    this.breaker = new CircuitBreaker(BREAKER_THRESHOLD, BREAKER_COOLDOWN, clock);
    OkHttpClient http = new OkHttpClient.Builder()
        .connectTimeout(CONNECT_TIMEOUT)
        .readTimeout(CALL_TIMEOUT)
        .callTimeout(CALL_TIMEOUT)
        .build();
    this.client = RoomServiceClient.createClient(httpUrl(config.url()), config.apiKey(), config.apiSecret(), () -> http);
  }

  /** Asks LiveKit now and every half minute whether it answers (cancelled with the deploying verticle). */
  public void startProbing(Vertx vertx) {
    probe();
    vertx.setPeriodic(PROBE_EVERY.toMillis(), id -> probe());
  }

  private void probe() {
    run(() -> client.listRooms(List.of()), false);
  }

  /** The SDK speaks HTTP to RoomService; clients are given the ws(s):// form. */
  static String httpUrl(String url) {
    if (url.startsWith("ws://")) {
      return "http://" + url.substring(5);
    }
    if (url.startsWith("wss://")) {
      return "https://" + url.substring(6);
    }
    return url;
  }

  /** Creates the room of a meeting (idempotent on LiveKit's side). */
  public Future<Void> create(String meetingId, Integer maxParticipants) {
    return run(() -> client.createRoom(meetingId, config.emptyTimeoutSeconds(), maxParticipants == null ? 0 : maxParticipants), false)
        .mapEmpty();
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

  /**
   * Whether LiveKit answers, from what the calls (and the background probe) saw: its last call
   * succeeded and the breaker is closed. Readiness reports it without calling LiveKit.
   */
  public boolean healthy() {
    return !lastCallFailed && breaker.state() == CircuitBreaker.State.CLOSED;
  }

  /**
   * Executes a call on the LiveKit executor; {@code notFoundIsEmpty} turns a 404 into an empty result.
   * LiveKit answering at all (even with an error of ours) counts as alive for the breaker; no answer, a
   * timeout or a 5xx counts as a failure.
   */
  private <T> Future<T> run(Callable<Call<T>> call, boolean notFoundIsEmpty) {
    if (!breaker.allow()) {
      return Future.failedFuture(new IOException("LiveKit is unavailable (it failed repeatedly; trying again shortly)"));
    }
    return executor.executeBlocking(() -> {
      Response<T> response;
      try {
        response = call.call().execute();
      } catch (IOException e) {
        breaker.failed();
        lastCallFailed = true;
        throw e;
      }
      lastCallFailed = response.code() >= 500;
      if (lastCallFailed) {
        breaker.failed();
      } else {
        breaker.succeeded();
      }
      if (response.isSuccessful()) {
        return response.body();
      }
      if (notFoundIsEmpty && response.code() == 404) {
        return null;
      }
      String error = response.errorBody() == null ? "" : response.errorBody().string();
      throw new IOException("LiveKit answered " + response.code() + " " + error);
    }, false);
  }
}
