package io.convene.console;

import io.convene.config.AppConfig;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The web console ({@code /console/}) and the guest join page ({@code /join/{token}}, the invitation
 * link URL): static files from {@code webroot/console} on the classpath, the JavaScript client under
 * {@code lib/}. Mounted before the {@code /api} router; mounts nothing when {@code console.enabled}
 * resolves to off.
 */
public final class ConsoleRoutes {
  static final String WEBROOT = "webroot/console";
  static final String JOIN_PAGE = WEBROOT + "/join.html";

  /** Pages talk only to this server: its REST routes and its socket. */
  static final String CONTENT_SECURITY_POLICY = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; "
      + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

  private final boolean enabled;
  private final boolean devMode;

  public ConsoleRoutes(AppConfig config) {
    this.enabled = config.console().enabled();
    this.devMode = config.devMode();
  }

  public void mount(Router router) {
    if (!enabled) {
      return;
    }
    StaticHandler files = StaticHandler.create(WEBROOT)
        .setIndexPage("index.html")
        .setAlwaysAsyncFS(true)
        // The files come with the jar: a browser revalidates them, so an upgrade is seen on the next load.
        .setMaxAgeSeconds(0);
    router.get("/console").handler(rc -> {
      // The route matches "/console/" as well; only the bare path needs the slash its pages are relative to.
      if (rc.request().path().equals("/console")) {
        rc.redirect("/console/");
      } else {
        rc.next();
      }
    });
    router.get("/console/settings.json").handler(rc -> rc.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .end(new JsonObject().put("devMode", devMode).encode()));
    router.route("/console/*").handler(rc -> {
      securityHeaders(rc);
      rc.next();
    }).handler(files);
    router.get("/join/:token").handler(rc -> {
      securityHeaders(rc);
      // The link is the guest's secret: keep it out of caches and out of Referer headers.
      rc.response()
          .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
          .putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8")
          .sendFile(JOIN_PAGE)
          .onFailure(rc::fail);
    });
  }

  private static void securityHeaders(RoutingContext rc) {
    rc.response()
        .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "no-referrer");
  }
}
