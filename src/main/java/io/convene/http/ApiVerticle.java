package io.convene.http;

import io.convene.Services;
import io.convene.call.CallRoutes;
import io.convene.console.ConsoleRoutes;
import io.convene.gateway.Gateway;
import io.convene.guest.GuestRoutes;
import io.convene.meeting.MeetingRoutes;
import io.convene.notify.NotificationRoutes;
import io.convene.presence.PresenceRoutes;
import io.convene.room.RoomRoutes;
import io.convene.room.WebhookIntake;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * REST and WebSocket on one event loop; deployed once per core, all instances sharing the port. Each
 * instance has its own {@link Gateway} for the sockets it accepts.
 */
public final class ApiVerticle extends VerticleBase {
  /** Local map key under which the bound port is published (useful when configured as 0). */
  public static final String NODE_MAP = "convene.node";
  public static final String HTTP_PORT_KEY = "http.port";

  /** Long enough for {@code GET /api/presence/users} with 500 ids of the longest allowed length. */
  static final int MAX_REQUEST_LINE = 96 * 1024;

  private final Services services;
  private Gateway gateway;

  public ApiVerticle(Services services) {
    this.services = services;
  }

  @Override
  public Future<?> start() {
    var config = services.config();
    Router router = Router.router(vertx);
    router.route().handler(BodyHandler.create(false).setBodyLimit(config.http().maxBodyBytes()));
    new HealthRoutes(services).mount(router);
    new MetricsRoutes(services.stats()).mount(router);
    if (services.devTokens() != null) {
      new DevRoutes(services.devTokens(), services.clock()).mount(router);
    }
    router.post(WebhookIntake.PATH).handler(services.webhooks()::handle);
    GuestRoutes guestRoutes = new GuestRoutes(services.guests(), services.tokens());
    guestRoutes.mountPublic(router);
    new ConsoleRoutes(config).mount(router);
    Router api = Router.router(vertx);
    api.route().handler(new AuthHandler(services.tokens(), services.users()));
    new MeetingRoutes(services.meetings()).mount(api);
    new PresenceRoutes(services.presence()).mount(api);
    new CallRoutes(services.calls()).mount(api);
    new NotificationRoutes(services.notifications()).mount(api);
    new RoomRoutes(services.room()).mount(api);
    guestRoutes.mount(api);
    api.route().failureHandler(Problems::handle);
    router.route("/api/*").subRouter(api);
    router.route().failureHandler(Problems::handle);
    router.errorHandler(404, Problems::handle);
    router.errorHandler(405, Problems::handle);

    gateway = new Gateway(vertx, services);
    return gateway.start().compose(v -> vertx.createHttpServer(new HttpServerOptions()
            .setHost(config.http().host())
            .setPort(config.http().port())
            .setCompressionSupported(true)
            // Every request is answered on its own event loop: no per-connection write queue (4 KiB each).
            .setStrictThreadMode(true)
            .setMaxInitialLineLength(MAX_REQUEST_LINE)
            .setMaxWebSocketFrameSize(Gateway.hardFrameLimit(config.gateway()))
            .setMaxWebSocketMessageSize(Gateway.hardFrameLimit(config.gateway())))
        .invalidRequestHandler(Problems::invalidRequest)
        .webSocketHandshakeHandler(gateway::handshake)
        .webSocketHandler(ws -> { })
        .requestHandler(router)
        .listen())
        .onSuccess(server -> vertx.sharedData().getLocalMap(NODE_MAP).put(HTTP_PORT_KEY, server.actualPort()));
  }

  @Override
  public Future<?> stop() {
    if (gateway != null) {
      gateway.stop();
    }
    return Future.succeededFuture();
  }
}
