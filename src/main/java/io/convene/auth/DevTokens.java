package io.convene.auth;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.util.List;

/**
 * Mints HS256 tokens for any user id. In dev mode ({@link #forDevMode}) they are signed with the dev-mode
 * key and marked with its key id {@link #KEY_ID}, never with the host app's secret: a dev token is good on
 * the dev server that minted it and nowhere else.
 */
public final class DevTokens {
  /** The {@code kid} of tokens dev mode mints; {@link TokenVerifier} checks them with the dev key alone. */
  public static final String KEY_ID = "convene-dev";

  private final JWTAuth signer;
  private final String keyId;

  /** A signer of host-app-like tokens with {@code secret} (no key id): what a host app's backend does. */
  public DevTokens(Vertx vertx, String secret) {
    this(vertx, secret, null);
  }

  private DevTokens(Vertx vertx, String secret, String keyId) {
    this.keyId = keyId;
    this.signer =
        JWTAuth.create(
            vertx,
            new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
  }

  /** The signer of dev mode: tokens carry {@link #KEY_ID} and the dev-mode key's signature. */
  public static DevTokens forDevMode(Vertx vertx, String devSecret) {
    return new DevTokens(vertx, devSecret, KEY_ID);
  }

  /** A fresh random key for dev-mode tokens (64 hex digits). */
  public static String randomSecret() {
    byte[] bytes = new byte[32];
    new java.security.SecureRandom().nextBytes(bytes);
    return java.util.HexFormat.of().formatHex(bytes);
  }

  public String mint(String userId, String name, List<String> roles, int ttlSeconds) {
    JsonObject claims = new JsonObject();
    if (name != null) {
      claims.put("name", name);
    }
    if (!roles.isEmpty()) {
      claims.put("roles", new JsonArray(roles));
    }
    JWTOptions options = new JWTOptions().setAlgorithm("HS256").setSubject(userId).setExpiresInSeconds(ttlSeconds);
    if (keyId != null) {
      options.setHeader(new JsonObject().put("kid", keyId));
    }
    return signer.generateToken(claims, options);
  }
}
