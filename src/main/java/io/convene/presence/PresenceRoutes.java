package io.convene.presence;

import io.convene.web.AuthHandler;
import io.convene.web.Bodies;
import io.convene.protocol.ApiException;
import io.convene.protocol.FieldError;
import io.convene.protocol.Input;
import io.convene.protocol.Identity;
import io.vertx.core.Future;
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
  private final PresenceVisibility visibility;

  public PresenceRoutes(PresenceService presence, PresenceVisibility visibility) {
    this.presence = presence;
    this.visibility = visibility;
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
    seenBy(presence, visibility, AuthHandler.identity(rc), List.copyOf(ids))
        .onSuccess(states -> {
          JsonArray users = new JsonArray();
          states.forEach(s -> users.add(s.toJson()));
          Bodies.json(rc, 200, new JsonObject().put("users", users));
        })
        .onFailure(rc::fail);
  }

  /**
   * The presence of {@code ids} as {@code viewer} may see it, in order: someone not visible reads as
   * offline, never seen.
   */
  public static Future<List<PresenceState>> seenBy(PresenceService presence, PresenceVisibility visibility,
      Identity viewer, List<String> ids) {
    return visibility.visible(viewer, ids).compose(visible -> seenBy(presence, ids, visible));
  }

  /** The presence of {@code ids}, in order, those outside {@code visible} as offline, never seen. */
  public static Future<List<PresenceState>> seenBy(PresenceService presence, List<String> ids, Set<String> visible) {
    return presence.status(ids.stream().filter(visible::contains).toList()).map(states -> {
      java.util.Map<String, PresenceState> byId = new java.util.HashMap<>();
      states.forEach(s -> byId.put(s.userId(), s));
      return ids.stream().map(id -> byId.getOrDefault(id, PresenceState.hidden(id))).toList();
    });
  }

  private static ApiException invalid(String message) {
    return ApiException.validation(List.of(new FieldError("ids", "invalid", message)));
  }
}
