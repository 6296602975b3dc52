package io.convene.livekit;

import io.convene.config.AppConfig;
import io.livekit.server.RoomServiceClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import livekit.LivekitModels;
import retrofit2.Call;
import retrofit2.Response;

/**
 * LiveKit's RoomService through the official SDK. Its calls block, so each runs on a worker thread;
 * one client (one connection pool) serves the whole node.
 */
public final class LiveKitRooms {
  private final Vertx vertx;
  private final RoomServiceClient client;
  private final AppConfig.LiveKit config;

  public LiveKitRooms(Vertx vertx, AppConfig.LiveKit config) {
    this.vertx = vertx;
    this.config = config;
    this.client = RoomServiceClient.createClient(httpUrl(config.url()), config.apiKey(), config.apiSecret());
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
    return run(() -> client.createRoom(meetingId, config.emptyTimeoutSeconds(), maxParticipants == null ? 0 : maxParticipants))
        .mapEmpty();
  }

  /** Deletes the room, which disconnects everyone in it; a room already gone is fine. */
  public Future<Void> delete(String meetingId) {
    return run(() -> client.deleteRoom(meetingId), true).mapEmpty();
  }

  /** Identities LiveKit reports in the room. */
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
              mutes.add(run(() -> client.mutePublishedTrack(meetingId, identity, t.getSid(), true)));
            }
          }
        }
      }
      return Future.all(mutes).map(v -> mutes.size());
    });
  }

  /** Whether LiveKit answers at all (for readiness). */
  public Future<Boolean> reachable() {
    return run(() -> client.listRooms(List.of())).map(true).otherwise(false);
  }

  private <T> Future<T> run(Callable<Call<T>> call) {
    return run(call, false);
  }

  /** Executes on a worker; {@code notFoundIsEmpty} turns a 404 into an empty result. */
  private <T> Future<T> run(Callable<Call<T>> call, boolean notFoundIsEmpty) {
    return vertx.executeBlocking(() -> {
      Response<T> response = call.call().execute();
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
