package io.convene.notify;

import io.convene.web.AuthHandler;
import io.convene.web.Bodies;
import io.convene.protocol.ApiException;
import io.convene.protocol.FieldError;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * {@code GET /api/notifications}, {@code POST /api/notifications/{id}/read} and {@code POST
 * /api/meetings/{id}/notifications/{type}/dismiss}.
 */
public final class NotificationRoutes {
  private final NotificationService notifications;

  public NotificationRoutes(NotificationService notifications) {
    this.notifications = notifications;
  }

  public void mount(Router api) {
    api.get("/notifications").handler(this::list);
    api.post("/meetings/:id/notifications/:type/dismiss").handler(rc -> {
      String type = rc.pathParam("type");
      if (!NotificationService.TYPES.contains(type)) {
        throw invalid("type", "must be one of " + String.join(", ", new java.util.TreeSet<>(NotificationService.TYPES)));
      }
      notifications.dismiss(AuthHandler.identity(rc).userId(), rc.pathParam("id"), type)
          .onSuccess(n -> rc.response().setStatusCode(204).end())
          .onFailure(rc::fail);
    });
    api.post("/notifications/:id/read").handler(rc -> notifications
        .markRead(AuthHandler.identity(rc).userId(), rc.pathParam("id"))
        .onSuccess(v -> rc.response().setStatusCode(204).end())
        .onFailure(rc::fail));
  }

  private void list(RoutingContext rc) {
    String unread = rc.queryParams().get("unread");
    if (unread != null && !unread.equals("true") && !unread.equals("false")) {
      throw invalid("unread", "must be true or false");
    }
    int limit = 20;
    String rawLimit = rc.queryParams().get("limit");
    if (rawLimit != null) {
      try {
        limit = Integer.parseInt(rawLimit);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > 100) {
        throw invalid("limit", "must be a whole number between 1 and 100");
      }
    }
    notifications.list(AuthHandler.identity(rc).userId(), "true".equals(unread), rc.queryParams().get("cursor"), limit)
        .onSuccess(page -> {
          JsonObject body = new JsonObject().put("items", new JsonArray(page.items()));
          if (page.nextCursor() != null) {
            body.put("nextCursor", page.nextCursor());
          }
          Bodies.json(rc, 200, body);
        })
        .onFailure(rc::fail);
  }

  private static ApiException invalid(String field, String message) {
    return ApiException.validation(List.of(new FieldError(field, "invalid", message)));
  }
}
