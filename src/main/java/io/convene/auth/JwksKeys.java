package io.convene.auth;

import io.convene.config.AppConfig;
import io.convene.protocol.ApiException;
import io.convene.protocol.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public keys of the host app's JWKS document, fetched at start, refreshed periodically, and
 * refreshed early (at most every 30 s) when a token names a key id we do not know: key rotation works
 * without a restart.
 */
public final class JwksKeys {
  private static final Logger LOG = LoggerFactory.getLogger(JwksKeys.class);
  private static final Duration MIN_REFRESH_GAP = Duration.ofSeconds(30);

  private final Vertx vertx;
  private final AppConfig.Auth config;
  private final WebClient client;
  private volatile JWTAuth provider;
  private volatile Set<String> kids = Set.of();
  private final Clock clock;
  private volatile Instant lastFetch = Instant.EPOCH;
  private Future<Void> inFlight;
  private long timerId = -1;

  public JwksKeys(Vertx vertx, AppConfig.Auth config, Clock clock) {
    this.vertx = vertx;
    this.clock = clock;
    this.config = config;
    this.client = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(5000).setIdleTimeout(10));
  }

  /** Fetches the keys now and every refresh period. Never fails: readiness reports missing keys. */
  public Future<Void> start() {
    timerId = vertx.setPeriodic(config.jwksRefreshSeconds() * 1000L, id -> refresh());
    return refresh().recover(err -> Future.succeededFuture());
  }

  public void stop() {
    vertx.cancelTimer(timerId);
    client.close();
  }

  public boolean loaded() {
    return provider != null;
  }

  Future<JWTAuth> providerFor(String kid) {
    boolean unknownKid = kid != null && !kids.contains(kid);
    boolean mayRefresh = clock.instant().isAfter(lastFetch.plus(MIN_REFRESH_GAP));
    if ((provider == null || unknownKid) && mayRefresh) {
      return refresh().recover(err -> Future.succeededFuture()).compose(v -> current());
    }
    return current();
  }

  private Future<JWTAuth> current() {
    JWTAuth p = provider;
    return p != null
        ? Future.succeededFuture(p)
        : Future.failedFuture(new ApiException(ErrorCode.UNAVAILABLE, "token signing keys are not loaded yet"));
  }

  synchronized Future<Void> refresh() {
    if (inFlight != null) {
      return inFlight;
    }
    lastFetch = clock.instant();
    inFlight =
        client
            .getAbs(config.jwksUrl())
            .timeout(10_000)
            .send()
            .compose(
                resp -> {
                  if (resp.statusCode() != 200) {
                    return Future.failedFuture("JWKS endpoint answered " + resp.statusCode());
                  }
                  install(resp.bodyAsJsonObject());
                  return Future.<Void>succeededFuture();
                })
            .onFailure(err -> LOG.warn("fetching JWKS from {} failed: {}", config.jwksUrl(), err.getMessage()))
            .onComplete(ar -> clearInFlight());
    return inFlight;
  }

  private synchronized void clearInFlight() {
    inFlight = null;
  }

  private void install(JsonObject document) {
    JsonArray keys = document == null ? null : document.getJsonArray("keys");
    if (keys == null || keys.isEmpty()) {
      throw new IllegalArgumentException("JWKS document has no keys");
    }
    List<JsonObject> usable = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (Object k : keys) {
      if (k instanceof JsonObject jwk && withAlgorithm(jwk) != null) {
        usable.add(withAlgorithm(jwk));
        if (jwk.getString("kid") != null) {
          ids.add(jwk.getString("kid"));
        }
      }
    }
    if (usable.isEmpty()) {
      throw new IllegalArgumentException("JWKS document has no RSA or EC signing keys");
    }
    provider =
        JWTAuth.create(vertx, new JWTAuthOptions().setJwks(usable).setJWTOptions(TokenVerifier.jwtOptions(config)));
    kids = Set.copyOf(ids);
    LOG.info("loaded {} signing keys from {}", usable.size(), config.jwksUrl());
  }

  /** JWKS entries often omit {@code alg}; infer it from the key type so the provider accepts them. */
  private static JsonObject withAlgorithm(JsonObject jwk) {
    if ("enc".equals(jwk.getString("use"))) {
      return null;
    }
    if (jwk.getString("alg") != null) {
      return jwk;
    }
    return switch (jwk.getString("kty", "")) {
      case "RSA" -> jwk.copy().put("alg", "RS256");
      case "EC" -> switch (jwk.getString("crv", "")) {
        case "P-256" -> jwk.copy().put("alg", "ES256");
        case "P-384" -> jwk.copy().put("alg", "ES384");
        case "P-521" -> jwk.copy().put("alg", "ES512");
        default -> null;
      };
      default -> null;
    };
  }
}
