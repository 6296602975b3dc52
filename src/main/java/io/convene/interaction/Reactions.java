package io.convene.interaction;

import io.convene.bus.UserEvents;
import io.convene.protocol.ApiException;
import io.convene.protocol.Events;
import io.convene.protocol.FieldError;
import io.convene.protocol.Identity;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.List;

/**
 * Reactions: one emoji, told at once to everyone attending, never stored. Per user at most the configured
 * number per window (counted in Redis); the path touches Redis only.
 */
public final class Reactions {
  static final String WHAT = "reactions";

  private final Audience audience;
  private final RateLimiter limiter;
  private final UserEvents events;
  private final Clock clock;

  Reactions(Audience audience, RateLimiter limiter, UserEvents events, Clock clock) {
    this.audience = audience;
    this.limiter = limiter;
    this.events = events;
    this.clock = clock;
  }

  /** Sends {@code emoji} to every device of the attending participants but the sending one. */
  public Future<JsonObject> send(Identity who, String meetingId, String emoji, String exceptConnection) {
    Audience.refuseGuest(who, WHAT);
    if (!Emoji.isSingle(emoji)) {
      throw ApiException.validation(List.of(new FieldError("emoji", "invalid",
          "must be exactly one emoji of at most " + Emoji.MAX_BYTES + " bytes")));
    }
    return limiter.take(who.userId())
        .compose(v -> audience.live(who, meetingId, WHAT))
        .map(attending -> {
          JsonObject data = new JsonObject().put("meetingId", meetingId).put("userId", who.userId())
              .put("emoji", emoji).put("at", clock.instant().toString());
          events.publish(attending, Events.MEETING_REACTION, data, exceptConnection);
          return data;
        });
  }
}
