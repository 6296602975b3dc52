package io.convene.outbox;

import io.convene.protocol.ApiException;
import io.convene.protocol.FieldError;
import io.convene.protocol.Identity;
import io.convene.web.AuthHandler;
import io.convene.web.Bodies;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * For operators (users with the {@code admin} role): {@code GET /api/admin/outbox/dead?after=&limit=}
 * lists the effects that failed too often, {@code POST /api/admin/outbox/{id}/retry} gives one a new
 * series of attempts.
 */
public final class OutboxRoutes {
  private static final int MAX_PAGE = 200;

  private final Outbox outbox;

  public OutboxRoutes(Outbox outbox) {
    this.outbox = outbox;
  }

  public void mount(Router api) {
    api.get("/admin/outbox/dead").handler(this::dead);
    api.post("/admin/outbox/:id/retry").handler(this::retry);
  }

  private void dead(RoutingContext rc) {
    requireAdmin(rc);
    long after = number(rc.queryParams().get("after"), "after", 0, Long.MAX_VALUE, 0);
    int limit = (int) number(rc.queryParams().get("limit"), "limit", 1, MAX_PAGE, 50);
    Bodies.answer(rc, 200, outbox.dead(after, limit).map(items -> {
      JsonObject page = new JsonObject().put("items", new JsonArray(items));
      if (items.size() == limit) {
        page.put("nextAfter", items.get(items.size() - 1).getLong("id"));
      }
      return page;
    }));
  }

  private void retry(RoutingContext rc) {
    requireAdmin(rc);
    long id = number(rc.pathParam("id"), "id", 1, Long.MAX_VALUE, 0);
    Bodies.answer(rc, 200, outbox.retry(id).map(found -> {
      if (!found) {
        throw ApiException.notFound("dead outbox entry");
      }
      return new JsonObject().put("id", id).put("state", "pending");
    }));
  }

  private static void requireAdmin(RoutingContext rc) {
    Identity who = AuthHandler.identity(rc);
    if (!who.admin()) {
      throw ApiException.forbidden("the outbox is for operators: the admin role is required");
    }
  }

  private static long number(String raw, String field, long min, long max, long otherwise) {
    if (raw == null) {
      return otherwise;
    }
    try {
      long v = Long.parseLong(raw);
      if (v >= min && v <= max) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw ApiException.validation(List.of(new FieldError(field, "range", "must be a whole number from " + min + " to " + max)));
  }
}
