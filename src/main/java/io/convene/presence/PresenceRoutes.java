package io.convene.presence;

import io.convene.web.AuthHandler;
import io.convene.web.Bodies;
import io.convene.protocol.ApiException;
import io.convene.protocol.FieldError;
import io.convene.protocol.Input;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** {@code POST /api/presence/heartbeat} and {@code GET /api/presence/users?ids=}. */
public final class PresenceRoutes {
  public static final int MAX_IDS = 500;

  private final PresenceService presence;

  public PresenceRoutes(PresenceService presence) {
    this.presence = presence;
  }

  public void mount(Router api) {
    api.post("/presence/heartbeat").handler(this::heartbeat);
    api.get("/presence/users").handler(this::users);
  }

  private void heartbeat(RoutingContext rc) {
    presence.heartbeat(AuthHandler.identity(rc).userId())
        .onSuccess(validUntil -> Bodies.json(rc, 200, new JsonObject()
            .put("status", "online")
            .put("validUntil", validUntil.toString())
            .put("heartbeatSeconds", presence.config().heartbeatSeconds())))
        .onFailure(rc::fail);
  }

  private void users(RoutingContext rc) {
    Set<String> ids = new LinkedHashSet<>();
    for (String param : rc.queryParams().getAll("ids")) {
      for (String id : param.split(",")) {
        if (!id.isEmpty()) {
          ids.add(id);
        }
      }
    }
    if (ids.isEmpty()) {
      throw invalid("is required: a comma-separated list of user ids");
    }
    if (ids.size() > MAX_IDS) {
      throw invalid("must list at most " + MAX_IDS + " user ids");
    }
    for (String id : ids) {
      String problem = Input.idProblem(id);
      if (problem != null) {
        throw invalid("each id " + problem);
      }
    }
    presence.status(List.copyOf(ids))
        .onSuccess(states -> {
          JsonArray users = new JsonArray();
          states.forEach(s -> users.add(s.toJson()));
          Bodies.json(rc, 200, new JsonObject().put("users", users));
        })
        .onFailure(rc::fail);
  }

  private static ApiException invalid(String message) {
    return ApiException.validation(List.of(new FieldError("ids", "invalid", message)));
  }
}
