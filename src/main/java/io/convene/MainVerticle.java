package io.convene;

import io.convene.attendance.Attendance;
import io.convene.attendance.AttendanceRoutes;
import io.convene.audit.AuditLog;
import io.convene.audit.AuditRoutes;
import io.convene.auth.DevTokens;
import io.convene.auth.JwksKeys;
import io.convene.auth.TokenVerifier;
import io.convene.bus.Addresses;
import io.convene.bus.UserEvents;
import io.convene.call.CallRequests;
import io.convene.call.CallRoutes;
import io.convene.call.CallService;
import io.convene.call.CallVerticle;
import io.convene.call.RingStore;
import io.convene.cluster.SweepLease;
import io.convene.config.AppConfig;
import io.convene.console.ConsoleRoutes;
import io.convene.db.Database;
import io.convene.db.MigrationVerticle;
import io.convene.db.PipelinedRedis;
import io.convene.gateway.Gateway;
import io.convene.gateway.GatewayStats;
import io.convene.gateway.SessionStore;
import io.convene.guest.GuestLinks;
import io.convene.guest.GuestRoutes;
import io.convene.guest.GuestSessions;
import io.convene.guest.GuestVerticle;
import io.convene.guest.LinkWindow;
import io.convene.http.ApiVerticle;
import io.convene.interaction.InteractionRoutes;
import io.convene.interaction.Interactions;
import io.convene.http.DevRoutes;
import io.convene.http.Drain;
import io.convene.http.HealthRoutes;
import io.convene.http.MetricsRoutes;
import io.convene.livekit.JoinTokens;
import io.convene.livekit.LiveKitEgress;
import io.convene.livekit.LiveKitRooms;
import io.convene.livekit.WebhookVerifier;
import io.convene.lobby.Lobby;
import io.convene.lobby.LobbyRoutes;
import io.convene.meeting.LiveRoster;
import io.convene.metrics.NodeMetrics;
import io.convene.meeting.MeetingRoutes;
import io.convene.meeting.Meetings;
import io.convene.meeting.Permission;
import io.convene.notify.NotificationRoutes;
import io.convene.outbox.Effect;
import io.convene.outbox.Outbox;
import io.convene.outbox.OutboxRoutes;
import io.convene.outbox.OutboxVerticle;
import io.convene.notify.NotificationService;
import io.convene.presence.PresenceRoutes;
import io.convene.presence.PresenceService;
import io.convene.presence.PresenceVerticle;
import io.convene.presence.PresenceVisibility;
import io.convene.presence.RedisPresenceStore;
import io.convene.protocol.SocketRequests;
import io.convene.recording.RecordingRoutes;
import io.convene.recording.RecordingVerticle;
import io.convene.recording.Recordings;
import io.convene.room.RoomRoutes;
import io.convene.room.RoomService;
import io.convene.room.RoomVerticle;
import io.convene.room.WebhookIntake;
import io.convene.schedule.ScheduleService;
import io.convene.schedule.ScheduleVerticle;
import io.convene.user.UserDirectory;
import io.convene.webhook.WebhookRoutes;
import io.convene.webhook.WebhookVerticle;
import io.convene.webhook.Webhooks;
import io.convene.web.AuthHandler;
import io.convene.web.Problems;
import io.convene.web.UriGuard;
import io.convene.web.RequestLimits;
import io.convene.limit.Limits;
import io.convene.gateway.SocketsPerUser;
import io.livekit.server.WebhookReceiver;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.TimeoutHandler;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One node, wired: the only place that builds the clients and services and hands each verticle exactly
 * the collaborators it uses. Deploys migrations on a worker, the upkeep verticles, then HTTP and
 * sockets on every event loop.
 */
public final class MainVerticle extends VerticleBase {
  /** How long a command from the outbox may take before it is tried again. */
  private static final long COMMAND_TIMEOUT_MS = 30_000;
  /** At most this many meeting mates per user are looked up for presence visibility. */
  private static final int MAX_VISIBLE_PER_USER = 50_000;
  private final Clock clock;
  private JwksKeys jwks;
  private java.util.function.Function<Vertx, Router> routes;

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
        // the LiveKit clients load the JVM's trust store: built on a worker, not on this event loop
        .compose(id -> vertx.executeBlocking(() -> new LiveKitClients(new LiveKitRooms(vertx, cfg.livekit(), clock),
            new LiveKitEgress(vertx, cfg.livekit(), cfg.recordings(), clock))))
        .compose(liveKit -> deploy(cfg, liveKit));
  }

  /**
   * A router with the HTTP routes of this node, as each HTTP verticle builds its own (once started): what
   * the server mounts, for the test that holds it against {@code docs/openapi.yaml}.
   */
  public Router router() {
    return routes.apply(vertx);
  }

  @Override
  public Future<?> stop() {
    if (jwks != null) {
      jwks.stop();
    }
    return Future.succeededFuture();
  }

  /** The clients of LiveKit's services this node uses. */
  private record LiveKitClients(LiveKitRooms rooms, LiveKitEgress egress) {}

  private Future<?> deploy(AppConfig cfg, LiveKitClients liveKit) {
    Pool pool = Database.pool(vertx, cfg.db());
    Redis redis = redis(cfg.redis());
    String nodeId = UUID.randomUUID().toString();
    vertx.sharedData().getLocalMap(ApiVerticle.NODE_MAP).put(ApiVerticle.NODE_ID_KEY, nodeId);
    String prefix = cfg.redis().keyPrefix();
    jwks = cfg.auth().jwksUrl() == null ? null : new JwksKeys(vertx, cfg.auth(), clock);
    // Dev mode signs its tokens with a key of its own (persisted by the launcher, else made for this run).
    AppConfig.Auth authConf = cfg.devMode() && cfg.auth().devSecret() == null
        ? cfg.auth().withDevSecret(DevTokens.randomSecret()) : cfg.auth();
    TokenVerifier tokens = new TokenVerifier(vertx, authConf, clock, jwks);
    UserEvents events = new UserEvents(vertx.eventBus(), clock);
    UserDirectory users = new UserDirectory(pool, clock);
    users.start(vertx);
    Outbox outbox = new Outbox(pool, clock, cfg.outbox());
    NotificationService notifications = new NotificationService(pool, redis, prefix, events, outbox, clock);
    outbox.handle(Effect.EVENT, message -> {
      events.deliver(message);
      return Future.succeededFuture();
    });
    outbox.handle(Effect.COMMAND, command -> vertx.eventBus().request(command.getString("address"),
        command.getJsonObject("body"), new DeliveryOptions().setSendTimeout(COMMAND_TIMEOUT_MS)).mapEmpty());

    Webhooks outbound = new Webhooks(vertx, pool, outbox, notifications, clock, cfg.webhooks(),
        authConf.jwtSecret() != null ? authConf.jwtSecret() : authConf.devSecret(),
        null);
    AuditLog audit = new AuditLog(pool, clock);
    LiveRoster roster = new LiveRoster(redis, prefix);
    Meetings meetings = Meetings.create(pool, outbox, roster, users, events, notifications, clock, cfg.meetings());
    PresenceService presence = new PresenceService(new RedisPresenceStore(redis, prefix,
            Duration.ofDays(cfg.presence().forgetOfflineDays())),
        userIds -> roster.of(userIds).map(live -> live.entrySet().stream()
            .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().others()))),
        vertx.eventBus(), clock, cfg.presence(), nodeId);
    PresenceVisibility visibility = new PresenceVisibility(
        PresenceVisibility.Policy.fromWire(cfg.presence().visibility()),
        userId -> meetings.participants().sharingAMeetingWith(userId, MAX_VISIBLE_PER_USER),
        Duration.ofSeconds(cfg.presence().visibilityCacheSeconds()), clock);
    Attendance attendance = new Attendance(pool, meetings.participants(), outbox, clock);
    Duration maxCall = Duration.ofHours(cfg.calls().maxCallHours());
    CallService calls = new CallService(meetings.meetings(), meetings.participants(), meetings.changes(), presence,
        new RingStore(redis, maxCall.plusMinutes(5), prefix), notifications, events, outbox, pool, clock, cfg.calls());
    Lobby lobby = new Lobby(pool, meetings.participants(), attendance, events, outbox, notifications, clock);
    LiveKitRooms rooms = liveKit.rooms();
    rooms.startProbing(vertx);
    LiveKitEgress egress = liveKit.egress();
    Recordings recordings = new Recordings(pool, outbox, events, meetings.meetings(), meetings.participants(),
        attendance, egress, rooms, cfg.recordings(), clock);
    RoomService room = new RoomService(meetings.meetings(), meetings.participants(), meetings.changes(), attendance,
        lobby, calls, new JoinTokens(cfg.livekit()), rooms, events, outbox, recordings, pool, clock);
    WebhookIntake webhooks = new WebhookIntake(new WebhookVerifier(cfg.livekit(), clock),
        new WebhookReceiver(cfg.livekit().apiKey(), cfg.livekit().apiSecret()), redis, prefix, room, recordings);
    GuestLinks links = new GuestLinks(pool, meetings.meetings(), meetings.participants(), attendance, users, events,
        clock, new LinkWindow(Duration.ofMinutes(cfg.guests().linkOpensMinutesBefore()),
            Duration.ofMinutes(cfg.guests().linkClosesMinutesAfter())), cfg.http().publicUrl());
    GuestSessions guests = new GuestSessions(pool, links, meetings.meetings(), meetings.participants(), attendance,
        lobby, room, events, outbox, clock, cfg.guests());
    ScheduleService schedule = new ScheduleService(meetings.sweeps(), attendance, notifications, room, presence,
        guests, recordings, events, cfg.schedule(), maxCall, clock, audit, Duration.ofDays(cfg.audit().retentionDays()),
        outbound, Duration.ofMinutes(cfg.livekit().precreateMinutes()));

    PrometheusMeterRegistry registry = NodeMetrics.registryOf(vertx);
    Function<String, Runnable> refusals = limit -> NodeMetrics.rateLimited(registry, limit)::increment;
    Interactions interactions = Interactions.create(vertx, pool, redis, prefix, outbox, roster, meetings.participants(),
        events, clock, cfg.interactions(), refusals);
    room.onLeft(interactions.hands()::left);
    room.onLastMemberLeft(interactions.hands()::closed);

    SocketRequests requests = new SocketRequests();
    CallRequests.register(requests, calls);
    LobbyRoutes lobbyRoutes = new LobbyRoutes(lobby);
    lobbyRoutes.register(requests);
    InteractionRoutes interactionRoutes = new InteractionRoutes(interactions);
    interactionRoutes.register(requests);

    Limits limits = new Limits(cfg.limits(), clock);
    SocketsPerUser socketsPerUser = new SocketsPerUser(limits.socketsPerUser());
    AuthHandler auth = new AuthHandler(tokens, users, limits);
    GuestRoutes guestRoutes = new GuestRoutes(links, guests, room, tokens, limits);
    guestRoutes.register(requests);
    GatewayStats stats = new GatewayStats(registry);
    MetricsRoutes metrics = new MetricsRoutes(registry, stats, outbox, presence, outbound.deliveries().stats());
    limits.countRefusals(refusals);
    SessionStore sessions = new SessionStore(redis, prefix, cfg.gateway().resumeFrames(), cfg.gateway().resumeBytes());
    DevTokens dev = cfg.devMode() ? DevTokens.forDevMode(vertx, authConf.devSecret()) : null;
    SweepLease leases = new SweepLease(redis, nodeId, prefix);
    Drain drain = new Drain(Duration.ofSeconds(cfg.gateway().drainSeconds()), leases);
    vertx.eventBus().<Void>localConsumer(Addresses.NODE_DRAIN, m -> drain.run(vertx).onComplete(ar -> m.reply(null)));
    HealthRoutes health = new HealthRoutes(pool, redis, rooms, egress, jwks, drain);
    MeetingRoutes meetingRoutes = new MeetingRoutes(meetings.meetings(), meetings.participants());
    PresenceRoutes presenceRoutes = new PresenceRoutes(presence, visibility);
    CallRoutes callRoutes = new CallRoutes(calls);
    NotificationRoutes notificationRoutes = new NotificationRoutes(notifications);
    RoomRoutes roomRoutes = new RoomRoutes(room);
    AttendanceRoutes attendanceRoutes = new AttendanceRoutes(attendance);
    RecordingRoutes recordingRoutes = new RecordingRoutes(recordings, tokens, guests);
    ConsoleRoutes console = new ConsoleRoutes(cfg);
    OutboxRoutes outboxRoutes = new OutboxRoutes(outbox);
    WebhookRoutes webhookRoutes = new WebhookRoutes(outbound);
    AuditRoutes auditRoutes = new AuditRoutes(audit, (who, meetingId) -> meetings.participants().membership(who, meetingId)
        .map(m -> m.require(Permission.VIEW_AUDIT)).mapEmpty());

    java.util.function.Function<Vertx, Router> routes = v -> {
      Router router = Router.router(v);
      router.route().handler(drain.counter());
      router.route().handler(TimeoutHandler.create(cfg.http().requestTimeoutMillis(), 503));
      router.route().handler(new UriGuard());
      router.route().handler(new RequestLimits(limits, WebhookIntake.PATH));
      router.route().handler(BodyHandler.create(false).setBodyLimit(cfg.http().maxBodyBytes()));
      health.mount(router);
      metrics.mount(router);
      if (dev != null) {
        new DevRoutes(dev, clock).mount(router);
      }
      router.post(WebhookIntake.PATH).handler(webhooks::handle);
      guestRoutes.mountPublic(router);
      recordingRoutes.mountPublic(router);
      console.mount(router);
      Router api = Router.router(v);
      api.route().handler(auth);
      meetingRoutes.mount(api);
      presenceRoutes.mount(api);
      callRoutes.mount(api);
      notificationRoutes.mount(api);
      roomRoutes.mount(api);
      attendanceRoutes.mount(api);
      lobbyRoutes.mount(api);
      guestRoutes.mount(api);
      outboxRoutes.mount(api);
      recordingRoutes.mount(api);
      webhookRoutes.mount(api);
      auditRoutes.mount(api);
      interactionRoutes.mount(api);
      api.route().failureHandler(Problems::handle);
      router.route("/api/*").subRouter(api);
      router.route().failureHandler(Problems::handle);
      router.errorHandler(404, Problems::handle);
      router.errorHandler(405, Problems::handle);
      return router;
    };

    this.routes = routes;
    return (jwks == null ? Future.<Void>succeededFuture() : jwks.start())
        .compose(v -> vertx.deployVerticle(new PresenceVerticle(presence, leases)))
        .compose(v -> vertx.deployVerticle(new CallVerticle(calls, leases)))
        .compose(v -> vertx.deployVerticle(new RoomVerticle(room, rooms, calls, recordings)))
        .compose(v -> vertx.deployVerticle(new RecordingVerticle(recordings)))
        .compose(v -> vertx.deployVerticle(new GuestVerticle(guests)))
        .compose(v -> vertx.deployVerticle(new OutboxVerticle(outbox, leases)))
        .compose(v -> vertx.deployVerticle(new WebhookVerticle(outbound, leases)))
        .compose(v -> vertx.deployVerticle(new ScheduleVerticle(schedule, leases),
            new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER)))
        .compose(v -> vertx.deployVerticle(() -> new ApiVerticle(cfg.http(), cfg.gateway(), routes,
                () -> new Gateway(vertx, cfg.gateway(), cfg.http().requestTimeoutMillis(), tokens, guests, users,
                    presence, visibility, notifications, requests, events, sessions, stats, limits, socketsPerUser,
                    clock), drain),
            new DeploymentOptions().setInstances(cfg.httpInstances())));
  }

  private Redis redis(AppConfig.RedisConf conf) {
    RedisOptions options = new RedisOptions()
        .setConnectionString(conf.url())
        .setMaxPoolSize(conf.poolSize())
        .setMaxPoolWaiting(conf.waitQueue())
        .setMaxWaitingHandlers(conf.waitQueue());
    if (conf.password() != null) {
      options.setPassword(conf.password());
    }
    return new PipelinedRedis(vertx, options, conf.timeoutMillis());
  }
}
