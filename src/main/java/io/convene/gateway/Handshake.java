package io.convene.gateway;

import io.convene.auth.Authenticator;
import io.convene.limit.Limits;
import io.convene.protocol.Identity;
import io.convene.protocol.Input;
import io.convene.user.UserDirectory;
import io.convene.web.AuthHandler;
import io.vertx.core.Future;
import io.vertx.core.http.ServerWebSocketHandshake;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Authenticates a WebSocket before the upgrade: a host-app token ({@code Authorization: Bearer} or
 * {@code ?access_token=}) or a guest token ({@code ?guest_token=}). A bad token gets 401, a malformed
 * {@code device_id} 400, another path 404, and no socket.
 */
final class Handshake {
  static final String PATH = "/ws";

  /** Who connected, from which device (null: the client did not say), resuming which session (or null). */
  record Accepted(Identity identity, String deviceId, Resume resume) {}

  /** {@code ?resume=<token>&last_seq=<n>}: the session to resume and the last frame the device got. */
  record Resume(String token, long lastSeq) {}

  private final Authenticator members;
  private final Authenticator guests;
  private final UserDirectory users;
  private final Limits limits;
  private final SocketsPerUser sockets;

  Handshake(Authenticator members, Authenticator guests, UserDirectory users, Limits limits, SocketsPerUser sockets) {
    this.members = members;
    this.guests = guests;
    this.users = users;
    this.limits = limits;
    this.sockets = sockets;
  }

  /** The identity and device of an acceptable handshake; null when it was rejected (already answered). */
  Future<Accepted> authenticate(ServerWebSocketHandshake hs) {
    if (!PATH.equals(hs.path())) {
      hs.reject(404);
      return Future.succeededFuture(null);
    }
    // Per address: handshakes, and failed authentications (an address that failed too often is refused
    // before its token is looked at); then sockets per user. Over a limit: 429, no socket.
    String address = hs.remoteAddress() == null ? "unknown" : hs.remoteAddress().hostAddress();
    if (!limits.handshakesPerIp.allow(address) || !mayAuthenticate(address)) {
      hs.reject(429);
      return Future.succeededFuture(null);
    }
    Map<String, String> query = query(hs.query());
    String deviceId = query.get("device_id");
    if (deviceId != null && Input.idProblem(deviceId) != null) {
      hs.reject(400);
      return Future.succeededFuture(null);
    }
    Resume resume = null;
    if (query.containsKey("resume")) {
      resume = resume(query.get("resume"), query.get("last_seq"));
      if (resume == null) {
        hs.reject(400);
        return Future.succeededFuture(null);
      }
    }
    Resume resuming = resume;
    String guestToken = query.get("guest_token");
    String token = AuthHandler.bearer(hs.headers().get("Authorization"));
    if (token == null) {
      token = query.get("access_token");
    }
    return (guestToken != null ? guests.verify(guestToken) : members.verify(token))
        .map(identity -> {
          if (!sockets.mayOpen(identity.userId())) {
            hs.reject(429);
            return null;
          }
          if (guestToken == null) {
            users.touch(identity);
          }
          return new Accepted(identity, deviceId, resuming);
        })
        .otherwise(err -> {
          limits.authFailuresPerIp.tryTake(address);
          hs.reject(401);
          return null;
        });
  }

  private static Resume resume(String token, String lastSeq) {
    if (token == null || token.isEmpty() || token.length() > 64 || !token.matches("[A-Za-z0-9_-]+")
        || lastSeq == null || !lastSeq.matches("[0-9]{1,18}")) {
      return null;
    }
    return new Resume(token, Long.parseLong(lastSeq));
  }

  private boolean mayAuthenticate(String address) {
    try {
      limits.authFailuresPerIp.check(address);
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static Map<String, String> query(String query) {
    Map<String, String> out = new HashMap<>();
    if (query == null) {
      return out;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        try {
          out.putIfAbsent(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
              URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
          // a malformed pair is ignored; a missing token is refused
        }
      }
    }
    return out;
  }
}
