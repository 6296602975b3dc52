package io.convene.livekit;

import io.convene.config.AppConfig;
import io.convene.meeting.Role;
import io.convene.meeting.Settings;
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
 * settings: everyone joins, subscribes and sends data; owners and managers administer the room;
 * {@code voiceOnly} allows the microphone alone. Guests are marked in their identity and metadata.
 */
public final class JoinTokens {
  public static final List<String> ALL_SOURCES = List.of("camera", "microphone", "screen_share", "screen_share_audio");
  public static final List<String> VOICE_ONLY = List.of("microphone");
  public static final String GUEST_IDENTITY_PREFIX = "guest:";

  private final AppConfig.LiveKit config;

  public JoinTokens(AppConfig.LiveKit config) {
    this.config = config;
  }

  /** A signed token and what it allows. */
  public record Issued(String token, String identity, Instant expiresAt, JsonObject permissions) {}

  /**
   * A token for {@code identity} (a user id, or a guest session marked with {@link #GUEST_IDENTITY_PREFIX})
   * in the room of {@code meetingId}.
   */
  public Issued issue(String meetingId, String identity, String name, Role role, boolean guest, Settings settings,
      Instant now) {
    boolean admin = role == Role.OWNER || role == Role.MANAGER;
    List<String> sources = settings.voiceOnly() ? VOICE_ONLY : ALL_SOURCES;
    AccessToken token = new AccessToken(config.apiKey(), config.apiSecret());
    token.setIdentity(identity);
    if (name != null) {
      token.setName(name);
    }
    token.setMetadata(new JsonObject()
        .put("meetingId", meetingId)
        .put("role", role.wire())
        .put("guest", guest)
        .put("muteOnJoin", settings.muteOnJoin())
        .encode());
    token.setTtl(config.tokenTtlSeconds() * 1000L);
    token.addGrants(new RoomJoin(true), new RoomName(meetingId), new CanSubscribe(true), new CanPublishData(true),
        new CanPublish(true), new CanPublishSources(sources), new RoomAdmin(admin));
    Instant expiresAt = now.plusSeconds(config.tokenTtlSeconds());
    JsonObject permissions = new JsonObject()
        .put("canPublish", true)
        .put("canSubscribe", true)
        .put("canPublishData", true)
        .put("canPublishSources", new JsonArray(sources))
        .put("roomAdmin", admin)
        .put("muteOnJoin", settings.muteOnJoin());
    return new Issued(token.toJwt(), identity, expiresAt, permissions);
  }

  /** The URL clients connect to (as configured: ws:// or wss://). */
  public String serverUrl() {
    return config.url();
  }
}
