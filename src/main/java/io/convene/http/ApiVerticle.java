package io.convene.http;

import io.convene.config.AppConfig;
import io.convene.gateway.Gateway;
import io.convene.web.Problems;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * REST and WebSocket on one event loop; deployed once per core, all instances sharing the port. Each
 * instance has its own router and its own {@link Gateway} for the sockets it accepts.
 */
public final class ApiVerticle extends VerticleBase {
  /** Local map key under which the bound port is published (useful when configured as 0). */
  public static final String NODE_MAP = "convene.node";
  public static final String HTTP_PORT_KEY = "http.port";
  /** Local map key of the node's id (the holder named in sweep leases and presence records). */
  public static final String NODE_ID_KEY = "node.id";

  /** Long enough for {@code GET /api/presence/users} with 500 ids of the longest allowed length. */
  static final int MAX_REQUEST_LINE = 96 * 1024;

  private final AppConfig.Http http;
  private final AppConfig.Gateway sockets;
  private final Function<Vertx, Router> routes;
  private final Supplier<Gateway> gateways;
  private final Drain drain;
  private Gateway gateway;

  /**
   * @param routes builds the router of one instance (REST, health, webhooks)
   * @param gateways makes the socket gateway of one instance
   * @param drain the node's drain, which this instance's requests and sockets take part in
   */
  public ApiVerticle(AppConfig.Http http, AppConfig.Gateway sockets, Function<Vertx, Router> routes,
      Supplier<Gateway> gateways, Drain drain) {
    this.drain = drain;
    this.http = http;
    this.sockets = sockets;
    this.routes = routes;
    this.gateways = gateways;
  }

  @Override
  public Future<?> start() {
    Router router = routes.apply(vertx);
    gateway = gateways.get();
    drain.register(context, gateway);
    return gateway.start().compose(v -> vertx.createHttpServer(new HttpServerOptions()
            .setHost(http.host())
            .setPort(http.port())
            .setCompressionSupported(true)
            // Every request is answered on its own event loop: no per-connection write queue (4 KiB each).
            .setStrictThreadMode(true)
            .setMaxInitialLineLength(MAX_REQUEST_LINE)
            // permessage-deflate only when asked for: a compressor per socket costs more than it saves here
            .setPerFrameWebSocketCompressionSupported(false)
            .setPerMessageWebSocketCompressionSupported(sockets.compression())
            .setWebSocketCompressionLevel(sockets.compressionLevel())
            .setWebSocketAllowServerNoContext(true)
            .setWebSocketPreferredClientNoContext(true)
            .setMaxWebSocketFrameSize(Gateway.hardFrameLimit(sockets))
            .setMaxWebSocketMessageSize(Gateway.hardFrameLimit(sockets)))
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
      drain.unregister(gateway);
      gateway.stop();
    }
    return Future.succeededFuture();
  }
}
