package io.convene.auth;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.util.List;

/** Mints HS256 tokens for any user id. Only reachable in dev mode. */
public final class DevTokens {
  private final JWTAuth signer;

  public DevTokens(Vertx vertx, String secret) {
    this.signer =
        JWTAuth.create(
            vertx,
            new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
  }

  public String mint(String userId, String name, List<String> roles, int ttlSeconds) {
    JsonObject claims = new JsonObject();
    if (name != null) {
      claims.put("name", name);
    }
    if (!roles.isEmpty()) {
      claims.put("roles", new JsonArray(roles));
    }
    return signer.generateToken(
        claims, new JWTOptions().setAlgorithm("HS256").setSubject(userId).setExpiresInSeconds(ttlSeconds));
  }
}
