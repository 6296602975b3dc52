package io.convene.livekit;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import retrofit2.Call;
import retrofit2.Response;

/**
 * How Convene calls one LiveKit service through the SDK, whose calls block: on a small executor of its
 * own (a slow LiveKit never takes the worker pool that sweeps and migrations use), over an HTTP client
 * with connect, read and whole-call timeouts, behind a {@link CircuitBreaker}: while the service keeps
 * failing, calls fail at once, and readiness reports it without calling LiveKit. Each service (rooms,
 * egress) has its own, so an egress deployment that is down never blocks room calls.
 */
final class LiveKitCalls {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
  private static final int BREAKER_THRESHOLD = 5;
  private static final Duration BREAKER_COOLDOWN = Duration.ofSeconds(10);

  private final String service;
  private final WorkerExecutor executor;
  private final CircuitBreaker breaker;
  private final OkHttpClient http;

  /** @param name the executor's name; {@code threads} calls run at once, more wait for a thread */
  LiveKitCalls(Vertx vertx, String service, String name, int threads, Clock clock) {
    this.service = service;
    this.executor = vertx.createSharedWorkerExecutor(name, threads, CALL_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS);
    this.breaker = new CircuitBreaker(BREAKER_THRESHOLD, BREAKER_COOLDOWN, clock);
    this.http = new OkHttpClient.Builder()
        .connectTimeout(CONNECT_TIMEOUT)
        .readTimeout(CALL_TIMEOUT)
        .callTimeout(CALL_TIMEOUT)
        .build();
  }

  /** The HTTP client the SDK's client of this service uses (one connection pool per service and node). */
  OkHttpClient http() {
    return http;
  }

  CircuitBreaker.State state() {
    return breaker.state();
  }

  boolean healthy() {
    return breaker.healthy();
  }

  /** The SDK speaks HTTP to LiveKit's services; clients are given the ws(s):// form. */
  static String httpUrl(String url) {
    if (url.startsWith("ws://")) {
      return "http://" + url.substring(5);
    }
    if (url.startsWith("wss://")) {
      return "https://" + url.substring(6);
    }
    return url;
  }

  /**
   * Executes a call on this service's executor; an answer with one of the {@code emptyOn} statuses gives
   * a null result instead of a failure, any other 4xx fails with a {@link LiveKitRefusal}. LiveKit
   * answering at all (even with an error of ours) counts as alive for the breaker; no answer, a timeout
   * or a 5xx counts as a failure.
   */
  <T> Future<T> run(Callable<Call<T>> call, Set<Integer> emptyOn) {
    if (!breaker.allow()) {
      return Future.failedFuture(new IOException("LiveKit " + service
          + " is unavailable (it failed repeatedly; trying again shortly)"));
    }
    return executor.executeBlocking(() -> {
      Response<T> response;
      try {
        response = call.call().execute();
      } catch (IOException e) {
        breaker.failed();
        throw e;
      }
      if (response.code() >= 500) {
        breaker.failed();
      } else {
        breaker.succeeded();
      }
      if (response.isSuccessful()) {
        return response.body();
      }
      if (emptyOn.contains(response.code())) {
        return null;
      }
      String error = response.errorBody() == null ? "" : response.errorBody().string();
      String message = "LiveKit " + service + " answered " + response.code() + " " + error;
      throw response.code() < 500 ? new LiveKitRefusal(response.code(), message) : new IOException(message);
    }, false);
  }
}
