package io.convene.livekit;

import io.convene.config.AppConfig;
import io.livekit.server.AccessToken;
import io.livekit.server.CanPublish;
import io.livekit.server.CanPublishData;
import io.livekit.server.CanPublishSources;
import io.livekit.server.CanSubscribe;
import io.livekit.server.RoomAdmin;
import io.livekit.server.RoomJoin;
import io.livekit.server.RoomName;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/**
 * LiveKit access tokens for joining a meeting's room. The grants follow the role and the meeting's
 * settings (see {@link Grant}): everyone joins, subscribes and sends data. Guests are marked in their
 * identity and metadata.
 */
public final class JoinTokens {
  public static final List<String> ALL_SOURCES = List.of("camera", "microphone", "screen_share", "screen_share_audio");
  public static final List<String> VOICE_ONLY = List.of("microphone");

  private final AppConfig.LiveKit config;

  public JoinTokens(AppConfig.LiveKit config) {
    this.config = config;
  }

  /** A signed token and what it allows. */
  public record Issued(String token, String identity, Instant expiresAt, JsonObject permissions) {}

  /**
   * What one person may do in one room: {@code identity} is a user id or a guest's identity, {@code
   * role} goes into the metadata as is, {@code roomAdmin} for owners and managers; {@code voiceOnly}
   * allows the microphone alone and {@code muteOnJoin} tells the client to join muted.
   */
  public record Grant(String room, String identity, String name, String role, boolean roomAdmin, boolean guest,
      boolean voiceOnly, boolean muteOnJoin) {}

  public Issued issue(Grant g, Instant now) {
    List<String> sources = g.voiceOnly() ? VOICE_ONLY : ALL_SOURCES;
    AccessToken token = new AccessToken(config.apiKey(), config.apiSecret());
    token.setIdentity(g.identity());
    if (g.name() != null) {
      token.setName(g.name());
    }
    token.setMetadata(new JsonObject()
        .put("meetingId", g.room())
        .put("role", g.role())
        .put("guest", g.guest())
        .put("muteOnJoin", g.muteOnJoin())
        .encode());
    token.setTtl(config.tokenTtlSeconds() * 1000L);
    token.addGrants(new RoomJoin(true), new RoomName(g.room()), new CanSubscribe(true), new CanPublishData(true),
        new CanPublish(true), new CanPublishSources(sources), new RoomAdmin(g.roomAdmin()));
    Instant expiresAt = now.plusSeconds(config.tokenTtlSeconds());
    JsonObject permissions = new JsonObject()
        .put("canPublish", true)
        .put("canSubscribe", true)
        .put("canPublishData", true)
        .put("canPublishSources", new JsonArray(sources))
        .put("roomAdmin", g.roomAdmin())
        .put("muteOnJoin", g.muteOnJoin());
    return new Issued(token.toJwt(), g.identity(), expiresAt, permissions);
  }

  /** The URL clients connect to (as configured: ws:// or wss://). */
  public String serverUrl() {
    return config.url();
  }
}
