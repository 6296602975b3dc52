package io.convene.testing;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import livekit.LivekitModels;
import livekit.LivekitRoom;

/**
 * A stand-in for LiveKit's RoomService and Egress service ({@link #egress()}) speaking their real wire
 * protocol: Twirp over HTTP with binary protobuf bodies and a Bearer JWT whose grants it checks. It
 * records every call so tests can assert what the server asked for, with which grants.
 */
public final class FakeLiveKit {
  public static final String KEY = "devkey";
  public static final String SECRET = "fake-livekit-secret-fake-livekit-secret";
  private static final String PREFIX = "/twirp/livekit.RoomService/";
  private static final String EGRESS_PREFIX = "/twirp/livekit.Egress/";

  /** A Twirp error answer: the HTTP status, Twirp's code and message. */
  static final class TwirpError extends Exception {
    final int status;
    final String code;

    TwirpError(int status, String code, String message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  /** One RoomService call: the method, the request as JSON, and the token's video grant. */
  public record Call(String method, JsonObject request, JsonObject grant) {}

  private final HttpServer server;
  private final List<Call> calls = new ArrayList<>();
  /** The paths of the requests received, before any delay. */
  private final List<String> received = new ArrayList<>();
  /** Participants LiveKit reports per room: identity → its tracks. */
  private final Map<String, List<LivekitModels.ParticipantInfo>> rooms = new ConcurrentHashMap<>();
  private final FakeEgress egress = new FakeEgress();

  private volatile boolean failing;
  private volatile long delayMillis;
  private final Vertx vertx;

  private FakeLiveKit(Vertx vertx, HttpServer server) {
    this.vertx = vertx;
    this.server = server;
  }

  /** While on, every call is recorded and answered 503 {@code unavailable}, as an overloaded LiveKit does. */
  public void failing(boolean on) {
    failing = on;
  }

  /** Every answer comes this late (0: at once), as a slow LiveKit's do. */
  public void delay(java.time.Duration delay) {
    delayMillis = delay.toMillis();
  }

  /** The Egress service of this LiveKit. */
  public FakeEgress egress() {
    return egress;
  }

  /** How many calls of {@code method} arrived so far. */
  public long count(String method) {
    return calls().stream().filter(c -> c.method().equals(method)).count();
  }

  public static FakeLiveKit start(Vertx vertx) {
    FakeLiveKit[] self = new FakeLiveKit[1];
    HttpServer server = vertx.createHttpServer().requestHandler(req -> self[0].handle(req)).listen(0, "127.0.0.1").await();
    self[0] = new FakeLiveKit(vertx, server);
    return self[0];
  }

  public String url() {
    return "ws://127.0.0.1:" + server.actualPort();
  }

  public void close() {
    server.close().await();
  }

  /** Makes LiveKit report {@code identity} in {@code room} with one audio track. */
  public void inRoom(String room, String identity) {
    rooms.computeIfAbsent(room, r -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(
        LivekitModels.ParticipantInfo.newBuilder().setIdentity(identity).setSid("PA_" + identity)
            .addTracks(LivekitModels.TrackInfo.newBuilder().setSid("TR_audio_" + identity)
                .setType(LivekitModels.TrackType.AUDIO))
            .addTracks(LivekitModels.TrackInfo.newBuilder().setSid("TR_video_" + identity)
                .setType(LivekitModels.TrackType.VIDEO))
            .build());
  }

  public List<Call> calls() {
    synchronized (calls) {
      return List.copyOf(calls);
    }
  }

  /** Waits until a call of {@code method} matching {@code test} arrived. */
  public Call await(String method, java.util.function.Predicate<Call> test) {
    long deadline = System.nanoTime() + 15_000_000_000L;
    synchronized (calls) {
      while (true) {
        for (Call c : calls) {
          if (c.method().equals(method) && test.test(c)) {
            return c;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("no " + method + " call; saw " + calls);
        }
        try {
          calls.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted");
        }
      }
    }
  }

  /** Waits until a request for {@code method} arrived (answered or not yet: see {@link #delay}). */
  public void awaitReceived(String method) {
    long deadline = System.nanoTime() + 15_000_000_000L;
    synchronized (received) {
      while (received.stream().noneMatch(p -> p.endsWith("/" + method))) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("no " + method + " request; received " + received);
        }
        try {
          received.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted");
        }
      }
    }
  }

  private void handle(HttpServerRequest req) {
    synchronized (received) {
      received.add(req.path());
      received.notifyAll();
    }
    req.body().onSuccess(body -> {
      if (delayMillis > 0) {
        vertx.setTimer(delayMillis, t -> answer(req, body));
      } else {
        answer(req, body);
      }
    });
  }

  private void answer(HttpServerRequest req, Buffer body) {
    try {
      if (failing) {
        record(req, body);
        twirpError(req, 503, "unavailable", "LiveKit is overloaded");
        return;
      }
      if (req.path().startsWith(EGRESS_PREFIX)) {
        respondEgress(req, body);
      } else {
        respond(req, body);
      }
    } catch (TwirpError e) {
      twirpError(req, e.status, e.code, e.getMessage());
    } catch (IllegalStateException e) {
      twirpError(req, 403, "permission_denied", e.getMessage());
    } catch (Exception e) {
      twirpError(req, 500, "internal", e.toString());
    }
  }

  private void respond(HttpServerRequest req, Buffer body) throws Exception {
    if (!req.path().startsWith(PREFIX) || !"application/protobuf".equals(req.getHeader("Content-Type"))) {
      twirpError(req, 404, "bad_route", "not a protobuf RoomService call: " + req.path());
      return;
    }
    String method = req.path().substring(PREFIX.length());
    String auth = req.getHeader("Authorization");
    DecodedJWT jwt;
    try {
      jwt = JWT.require(Algorithm.HMAC256(SECRET)).withIssuer(KEY).build()
          .verify(auth == null ? "" : auth.replaceFirst("^Bearer ", ""));
    } catch (JWTVerificationException e) {
      twirpError(req, 401, "unauthenticated", e.getMessage());
      return;
    }
    JsonObject grant = new JsonObject(jwt.getClaim("video").toString());
    byte[] bytes = body.getBytes();
    Message request;
    Message reply;
    switch (method) {
      case "CreateRoom" -> {
        var r = LivekitRoom.CreateRoomRequest.parseFrom(bytes);
        requireGrant(grant, "roomCreate", null);
        request = r;
        reply = LivekitModels.Room.newBuilder().setName(r.getName()).setSid("RM_" + r.getName())
            .setEmptyTimeout(r.getEmptyTimeout()).setMaxParticipants(r.getMaxParticipants()).build();
      }
      case "DeleteRoom" -> {
        var r = LivekitRoom.DeleteRoomRequest.parseFrom(bytes);
        requireGrant(grant, "roomCreate", null);
        request = r;
        rooms.remove(r.getRoom());
        reply = LivekitRoom.DeleteRoomResponse.getDefaultInstance();
      }
      case "ListRooms" -> {
        request = LivekitRoom.ListRoomsRequest.parseFrom(bytes);
        requireGrant(grant, "roomList", null);
        reply = LivekitRoom.ListRoomsResponse.getDefaultInstance();
      }
      case "ListParticipants" -> {
        var r = LivekitRoom.ListParticipantsRequest.parseFrom(bytes);
        requireGrant(grant, "roomAdmin", r.getRoom());
        request = r;
        reply = LivekitRoom.ListParticipantsResponse.newBuilder()
            .addAllParticipants(rooms.getOrDefault(r.getRoom(), List.of())).build();
      }
      case "RemoveParticipant" -> {
        var r = LivekitRoom.RoomParticipantIdentity.parseFrom(bytes);
        requireGrant(grant, "roomAdmin", r.getRoom());
        request = r;
        rooms.getOrDefault(r.getRoom(), new ArrayList<>()).removeIf(p -> p.getIdentity().equals(r.getIdentity()));
        reply = LivekitRoom.RemoveParticipantResponse.getDefaultInstance();
      }
      case "MutePublishedTrack" -> {
        var r = LivekitRoom.MuteRoomTrackRequest.parseFrom(bytes);
        requireGrant(grant, "roomAdmin", r.getRoom());
        request = r;
        reply = LivekitRoom.MuteRoomTrackResponse.newBuilder()
            .setTrack(LivekitModels.TrackInfo.newBuilder().setSid(r.getTrackSid()).setMuted(r.getMuted())).build();
      }
      default -> {
        twirpError(req, 404, "bad_route", "unknown method " + method);
        return;
      }
    }
    synchronized (calls) {
      calls.add(new Call(method, new JsonObject(JsonFormat.printer().print(request)), grant));
      calls.notifyAll();
    }
    req.response().putHeader("Content-Type", "application/protobuf").end(Buffer.buffer(reply.toByteArray()));
  }

  private void respondEgress(HttpServerRequest req, Buffer body) throws Exception {
    if (!"application/protobuf".equals(req.getHeader("Content-Type"))) {
      twirpError(req, 404, "bad_route", "not a protobuf Egress call: " + req.path());
      return;
    }
    JsonObject grant = grant(req);
    if (grant == null) {
      return;
    }
    String method = req.path().substring(EGRESS_PREFIX.length());
    FakeEgress.Answer answer = egress.handle(method, body.getBytes(), grant);
    synchronized (calls) {
      calls.add(new Call(method, new JsonObject(JsonFormat.printer().print(answer.request())), grant));
      calls.notifyAll();
    }
    Buffer reply = Buffer.buffer(answer.reply().toByteArray());
    if (answer.delay().isZero()) {
      req.response().putHeader("Content-Type", "application/protobuf").end(reply);
    } else {
      vertx.setTimer(answer.delay().toMillis(),
          t -> req.response().putHeader("Content-Type", "application/protobuf").end(reply));
    }
  }

  /** The token's video grant; null (and a 401 sent) when the token is not LiveKit's. */
  private static JsonObject grant(HttpServerRequest req) {
    String auth = req.getHeader("Authorization");
    try {
      DecodedJWT jwt = JWT.require(Algorithm.HMAC256(SECRET)).withIssuer(KEY).build()
          .verify(auth == null ? "" : auth.replaceFirst("^Bearer ", ""));
      return new JsonObject(jwt.getClaim("video").toString());
    } catch (JWTVerificationException e) {
      twirpError(req, 401, "unauthenticated", e.getMessage());
      return null;
    }
  }

  /** Records a call that was refused (its request is not parsed: tests count these, they do not match them). */
  private void record(HttpServerRequest req, Buffer body) {
    String method = req.path().startsWith(PREFIX) ? req.path().substring(PREFIX.length())
        : req.path().startsWith(EGRESS_PREFIX) ? req.path().substring(EGRESS_PREFIX.length()) : req.path();
    synchronized (calls) {
      calls.add(new Call(method, new JsonObject().put("refused", true), new JsonObject()));
      calls.notifyAll();
    }
  }

  static void requireGrant(JsonObject grant, String name, String room) {
    if (!grant.getBoolean(name, false) || (room != null && !room.equals(grant.getString("room")))) {
      throw new IllegalStateException("missing grant " + name + (room == null ? "" : " for room " + room) + ": " + grant);
    }
  }

  private static void twirpError(HttpServerRequest req, int status, String code, String msg) {
    req.response().setStatusCode(status).putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("code", code).put("msg", msg).encode());
  }
}
