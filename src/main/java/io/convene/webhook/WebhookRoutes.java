package io.convene.webhook;

import io.convene.outbox.WebhookEvent;
import io.convene.protocol.ApiException;
import io.convene.protocol.FieldError;
import io.convene.protocol.Input;
import io.convene.web.AuthHandler;
import io.convene.web.Bodies;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code POST|GET /api/webhooks}, {@code GET|PATCH|DELETE /api/webhooks/{id}}, {@code POST
 * /api/webhooks/{id}/test}, {@code GET /api/webhooks/{id}/deliveries} and {@code POST
 * /api/webhooks/{id}/deliveries/{deliveryId}/retry}: for users with the {@code admin} role.
 */
public final class WebhookRoutes {
  private static final int MAX_PAGE = 200;
  private static final int DEFAULT_PAGE = 50;
  private static final int MAX_DESCRIPTION = 500;

  private final Webhooks webhooks;

  public WebhookRoutes(Webhooks webhooks) {
    this.webhooks = webhooks;
  }

  public void mount(Router api) {
    api.post("/webhooks").handler(this::create);
    api.get("/webhooks").handler(rc -> Bodies.answer(rc, 200,
        webhooks.list(AuthHandler.identity(rc), rc.queryParams().get("cursor"),
            Bodies.pageLimit(rc, DEFAULT_PAGE, MAX_PAGE))));
    api.get("/webhooks/:id").handler(rc -> Bodies.answer(rc, 200, webhooks.get(AuthHandler.identity(rc), rc.pathParam("id"))));
    api.patch("/webhooks/:id").handler(this::update);
    api.delete("/webhooks/:id").handler(rc -> Bodies.answer(rc, 204, webhooks.delete(AuthHandler.identity(rc), rc.pathParam("id"))));
    api.post("/webhooks/:id/test").handler(rc -> Bodies.answer(rc, 202, webhooks.test(AuthHandler.identity(rc), rc.pathParam("id"))));
    api.get("/webhooks/:id/deliveries").handler(rc -> Bodies.answer(rc, 200, webhooks.attempts(AuthHandler.identity(rc),
        rc.pathParam("id"), rc.queryParams().get("cursor"), Bodies.pageLimit(rc, DEFAULT_PAGE, MAX_PAGE))));
    api.post("/webhooks/:id/deliveries/:deliveryId/retry").handler(rc -> Bodies.answer(rc, 202,
        webhooks.retry(AuthHandler.identity(rc), rc.pathParam("id"), deliveryId(rc))));
  }

  private void create(RoutingContext rc) {
    requireAdmin(rc);
    Input in = Input.of(Bodies.object(rc)).allowOnly("url", "events", "description");
    String url = url(in, true);
    List<String> events = events(in, true);
    String description = in.string("description", false, 0, MAX_DESCRIPTION);
    in.check();
    Bodies.answer(rc, 201, webhooks.create(AuthHandler.identity(rc), url, events,
        description == null || description.isEmpty() ? null : description));
  }

  private void update(RoutingContext rc) {
    requireAdmin(rc);
    Input in = Input.of(Bodies.object(rc)).allowOnly("url", "events", "description", "enabled");
    String url = url(in, false);
    List<String> events = events(in, false);
    boolean clearDescription = in.has("description") && in.raw().getValue("description") == null;
    String description = clearDescription ? null : in.string("description", false, 0, MAX_DESCRIPTION);
    Boolean enabled = in.bool("enabled");
    in.check();
    Bodies.answer(rc, 200, webhooks.update(AuthHandler.identity(rc), rc.pathParam("id"), new Webhooks.Changes(url, events,
        description, clearDescription || (description != null && description.isEmpty()), enabled)));
  }

  private static String url(Input in, boolean required) {
    Object raw = in.raw().getValue("url");
    if (raw instanceof String s && s.length() > Targets.MAX_URL_LENGTH) {
      in.error("url", "too_long", "must have at most " + Targets.MAX_URL_LENGTH + " characters");
      return null;
    }
    String url = in.string("url", required, 1, Targets.MAX_URL_LENGTH);
    if (url == null) {
      return null;
    }
    String problem = Targets.formProblem(url);
    if (problem != null) {
      in.error("url", "invalid", problem);
      return null;
    }
    return url;
  }

  /** The event types: known ones or {@code "*"}, at least one; unknown types are named. */
  private static List<String> events(Input in, boolean required) {
    Object raw = in.raw().getValue("events");
    if (raw == null) {
      if (required) {
        in.error("events", "required", "is required: a list of event types, or [\"*\"] for all");
      }
      return null;
    }
    if (!(raw instanceof JsonArray list) || list.isEmpty()) {
      in.error("events", "invalid", "must be a non-empty list of event types, or [\"*\"] for all");
      return null;
    }
    if (list.size() > WebhookEvent.TYPES.size() + 1) {
      in.error("events", "too_long", "must have at most " + (WebhookEvent.TYPES.size() + 1) + " entries");
      return null;
    }
    Set<String> out = new LinkedHashSet<>();
    List<String> unknown = new ArrayList<>();
    for (Object o : list) {
      if (!(o instanceof String s)) {
        in.error("events", "type", "must hold strings only");
        return null;
      }
      if (s.equals(WebhookEvent.ALL) || WebhookEvent.TYPES.contains(s)) {
        out.add(s);
      } else {
        unknown.add(s.length() > 64 ? s.substring(0, 64) + "…" : s);
      }
    }
    if (!unknown.isEmpty()) {
      in.error("events", "unknown", "unknown event types: " + String.join(", ", unknown) + " (known: "
          + String.join(", ", WebhookEvent.TYPES) + ", or *)");
      return null;
    }
    return List.copyOf(out);
  }

  private static String deliveryId(RoutingContext rc) {
    String id = rc.pathParam("deliveryId");
    if (id == null || !id.matches("dlv_[0-9a-f]{32}")) {
      throw ApiException.notFound("delivery");
    }
    return id;
  }

  private static void requireAdmin(RoutingContext rc) {
    if (!AuthHandler.identity(rc).admin()) {
      throw ApiException.forbidden("webhooks are managed by administrators: the admin role is required");
    }
  }
}
