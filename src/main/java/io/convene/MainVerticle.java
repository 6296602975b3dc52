package io.convene;

import io.convene.auth.DevTokens;
import io.convene.auth.JwksKeys;
import io.convene.auth.TokenVerifier;
import io.convene.auth.UserDirectory;
import io.convene.bus.UserEvents;
import io.convene.call.CallService;
import io.convene.call.CallVerticle;
import io.convene.call.RingStore;
import io.convene.cluster.SweepLease;
import io.convene.config.AppConfig;
import io.convene.db.Database;
import io.convene.db.MigrationVerticle;
import io.convene.guest.GuestService;
import io.convene.http.ApiVerticle;
import io.convene.http.NodeStats;
import io.convene.livekit.JoinTokens;
import io.convene.livekit.LiveKitRooms;
import io.convene.livekit.WebhookVerifier;
import io.convene.meeting.MeetingService;
import io.convene.room.RoomService;
import io.convene.room.RoomVerticle;
import io.convene.room.WebhookIntake;
import io.convene.schedule.ScheduleService;
import io.convene.schedule.ScheduleVerticle;
import io.livekit.server.WebhookReceiver;
import io.convene.notify.NotificationService;
import io.convene.presence.PresenceService;
import io.convene.presence.PresenceVerticle;
import io.convene.presence.RedisPresenceStore;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.VerticleBase;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;

/** Deploys one node: migrations on a worker, presence upkeep, then HTTP and sockets on every event loop. */
public final class MainVerticle extends VerticleBase {
  private final Clock clock;
  private JwksKeys jwks;

  public MainVerticle() {
    this(Clock.systemUTC());
  }

  /** With an injected clock, for tests that control time. */
  public MainVerticle(Clock clock) {
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    AppConfig cfg = AppConfig.from(config());
    return vertx.deployVerticle(new MigrationVerticle(cfg.db()), new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER))
        .compose(id -> {
          Services services = services(cfg);
          return (jwks == null ? Future.<Void>succeededFuture() : jwks.start())
              .compose(v -> vertx.deployVerticle(new PresenceVerticle(services.presence(), lease(services))))
              .compose(v -> vertx.deployVerticle(new CallVerticle(services.calls(), lease(services))))
              .compose(v -> vertx.deployVerticle(new RoomVerticle(services.room(), services.rooms(), services.calls(),
                  cfg.livekit().retrySeconds() * 1000L)))
              .compose(v -> vertx.deployVerticle(new ScheduleVerticle(services.schedule(), lease(services)),
                  new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER)))
              .compose(v -> vertx.deployVerticle(() -> new ApiVerticle(services),
                  new DeploymentOptions().setInstances(cfg.httpInstances())));
        });
  }

  @Override
  public Future<?> stop() {
    if (jwks != null) {
      jwks.stop();
    }
    return Future.succeededFuture();
  }

  private static SweepLease lease(Services services) {
    return new SweepLease(services.redis(), services.presence().nodeId(), services.config().redis().keyPrefix());
  }

  private Services services(AppConfig cfg) {
    Pool pool = Database.pool(vertx, cfg.db());
    RedisOptions redisOptions = new RedisOptions()
        .setConnectionString(cfg.redis().url())
        .setMaxPoolSize(cfg.redis().poolSize())
        .setMaxPoolWaiting(200_000);
    if (cfg.redis().password() != null) {
      redisOptions.setPassword(cfg.redis().password());
    }
    Redis redis = Redis.createClient(vertx, redisOptions);
    jwks = cfg.auth().jwksUrl() == null ? null : new JwksKeys(vertx, cfg.auth(), clock);
    TokenVerifier tokens = new TokenVerifier(vertx, cfg.auth(), clock, jwks);
    UserEvents events = new UserEvents(vertx.eventBus(), clock);
    DevTokens dev = cfg.devMode() && cfg.auth().jwtSecret() != null ? new DevTokens(vertx, cfg.auth().jwtSecret()) : null;
    MeetingService meetings = new MeetingService(pool, events, clock, cfg.meetings());
    PresenceService presence = new PresenceService(new RedisPresenceStore(redis, cfg.redis().keyPrefix()), meetings, vertx.eventBus(), clock,
        cfg.presence(), UUID.randomUUID().toString());
    NotificationService notifications = new NotificationService(pool, clock);
    CallService calls = new CallService(meetings, presence,
        new RingStore(redis, Duration.ofHours(cfg.calls().maxCallHours()).plusMinutes(5), cfg.redis().keyPrefix()),
        notifications, events, clock,
        cfg.calls());
    LiveKitRooms rooms = new LiveKitRooms(vertx, cfg.livekit());
    RoomService room = new RoomService(pool, meetings, calls, new JoinTokens(cfg.livekit()), rooms, events, clock);
    WebhookIntake webhooks = new WebhookIntake(new WebhookVerifier(cfg.livekit(), clock),
        new WebhookReceiver(cfg.livekit().apiKey(), cfg.livekit().apiSecret()), redis, cfg.redis().keyPrefix(), room);
    GuestService guests = new GuestService(pool, meetings, room, events, clock, cfg.guests(), cfg.http().publicUrl());
    ScheduleService schedule = new ScheduleService(meetings, notifications, room, presence, guests, events,
        cfg.schedule(), Duration.ofHours(cfg.calls().maxCallHours()), clock);
    return new Services(cfg, clock, pool, redis, tokens, jwks, new UserDirectory(pool, clock), events, meetings,
        presence, notifications, calls, room, rooms, webhooks, schedule, guests, new NodeStats(), dev);
  }
}
