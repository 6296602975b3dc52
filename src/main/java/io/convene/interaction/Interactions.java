package io.convene.interaction;

import io.convene.bus.UserEvents;
import io.convene.config.AppConfig;
import io.convene.meeting.LiveRoster;
import io.convene.meeting.ParticipantService;
import io.convene.outbox.Outbox;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Function;

/** In-meeting interactions as the rest of the server sees them, built once per node. */
public record Interactions(Chat chat, Reactions reactions, Hands hands, Polls polls) {

  /** {@code refusals} gives, by limit ({@code chat_per_user}, {@code reactions_per_user}), what to tell of a refusal. */
  public static Interactions create(Vertx vertx, Pool pool, Redis redis, String keyPrefix, Outbox outbox,
      LiveRoster roster, ParticipantService participants, UserEvents events, Clock clock, AppConfig.Interactions config,
      Function<String, Runnable> refusals) {
    Audience audience = new Audience(roster, participants);
    Duration window = Duration.ofSeconds(config.windowSeconds());
    RateLimiter chatLimit = new RateLimiter(redis, keyPrefix, "chat",
        new RateWindow("chat messages", "interactions.chatLimit", config.chatLimit(), window), clock,
        refusals.apply("chat_per_user"));
    RateLimiter reactionLimit = new RateLimiter(redis, keyPrefix, "reaction",
        new RateWindow("reactions", "interactions.reactionLimit", config.reactionLimit(), window), clock,
        refusals.apply("reactions_per_user"));
    return new Interactions(
        new Chat(pool, outbox, audience, chatLimit, events, clock),
        new Reactions(audience, reactionLimit, events, clock),
        new Hands(redis, keyPrefix, audience, events, clock),
        new Polls(vertx, pool, outbox, audience, events, Duration.ofMillis(config.pollResultsMillis()), clock));
  }
}
