package io.convene.testing;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.UUID;
import livekit.LivekitModels;
import livekit.LivekitWebhook.WebhookEvent;

/** Webhook deliveries built and signed the way LiveKit builds and signs them. */
public final class SignedWebhooks {
  private SignedWebhooks() {}

  /** The JSON body LiveKit posts for an event about {@code identity} (or none) in {@code room}. */
  public static String event(String type, String room, String identity) {
    WebhookEvent.Builder e = WebhookEvent.newBuilder().setEvent(type).setId("EV_" + UUID.randomUUID())
        .setCreatedAt(Instant.now().getEpochSecond())
        .setRoom(LivekitModels.Room.newBuilder().setName(room).setSid("RM_" + room));
    if (identity != null) {
      e.setParticipant(LivekitModels.ParticipantInfo.newBuilder().setIdentity(identity).setSid("PA_" + identity));
    }
    try {
      return JsonFormat.printer().print(e);
    } catch (InvalidProtocolBufferException ex) {
      throw new IllegalStateException(ex);
    }
  }

  /** The JSON body LiveKit posts for an egress event ({@code egress_started|updated|ended}): the egress as it is. */
  public static String egressEvent(String type, livekit.LivekitEgress.EgressInfo egress) {
    WebhookEvent e = WebhookEvent.newBuilder().setEvent(type).setId("EV_" + UUID.randomUUID())
        .setCreatedAt(Instant.now().getEpochSecond()).setEgressInfo(egress).build();
    try {
      return JsonFormat.printer().print(e);
    } catch (InvalidProtocolBufferException ex) {
      throw new IllegalStateException(ex);
    }
  }

  /** LiveKit's Authorization value: a bare HS256 JWT with the body's SHA-256, valid for five minutes. */
  public static String sign(String body, String key, String secret, Instant issuedAt) {
    try {
      String sha = Base64.getEncoder().encodeToString(
          MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8)));
      return JWT.create().withIssuer(key).withClaim("sha256", sha)
          .withNotBefore(Date.from(issuedAt)).withExpiresAt(Date.from(issuedAt.plus(Duration.ofMinutes(5))))
          .sign(Algorithm.HMAC256(secret));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
