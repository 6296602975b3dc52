package io.convene.http;

import io.convene.web.Bodies;
import io.convene.auth.DevTokens;
import io.convene.protocol.Input;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.time.Clock;
import java.util.List;

/** {@code POST /dev/token}: a token for any user id. Dev mode only. */
public final class DevRoutes {
  private final DevTokens tokens;
  private final Clock clock;

  public DevRoutes(DevTokens tokens, Clock clock) {
    this.tokens = tokens;
    this.clock = clock;
  }

  public void mount(Router router) {
    router.post("/dev/token").handler(rc -> {
      Input in = Input.of(Bodies.object(rc)).allowOnly("userId", "name", "roles", "ttlSeconds");
      String userId = in.string("userId", true, 1, Input.MAX_ID_LENGTH);
      String name = in.string("name", false, 1, 128);
      List<String> roles = in.ids("roles", false, 10);
      Integer ttl = in.integer("ttlSeconds", false, 1, 30 * 24 * 3600);
      in.check();
      int seconds = ttl == null ? 24 * 3600 : ttl;
      Bodies.json(rc, 200, new JsonObject()
          .put("userId", userId)
          .put("token", tokens.mint(userId, name, roles, seconds))
          .put("expiresAt", clock.instant().plusSeconds(seconds).toString()));
    });
  }
}
