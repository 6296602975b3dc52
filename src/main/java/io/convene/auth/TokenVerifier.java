package io.convene.auth;

import io.convene.config.AppConfig;
import io.convene.protocol.Identity;
import io.convene.protocol.ApiException;
import io.convene.protocol.ErrorCode;
import io.convene.protocol.Input;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Verifies the host app's JWTs: HS256 with the shared secret, and RS256/ES256 with the keys of a JWKS
 * document when one is configured. Shared by every verticle of the node.
 *
 * <p>The JWT provider checks a token's signature, issuer and audience; its times ({@code exp} and
 * {@code nbf}) are checked here, on the server's clock, with the configured leeway ({@code iat} is
 * information, not a condition: a host app's clock a little ahead of ours refuses nobody). A token
 * whose signature was checked is trusted for {@link #TRUSTED_FOR} (its times are still checked on each
 * use): a client that reconnects or makes request after request with the same token costs no signature
 * check, and a key taken out of the JWKS stops being accepted at most that long after it is gone.
 */
public final class TokenVerifier implements Authenticator {
  /** The claim in which a host app lists the user ids whose presence the user may see besides meeting mates. */
  public static final String CONTACTS_CLAIM = "contacts";
  private static final int MAX_CONTACTS = 5000;
  /** Where Vert.x's JWT provider keeps the claims of the token it verified, among the user's attributes. */
  private static final String VERIFIED_CLAIMS = "accessToken";
  /** How long a token whose signature was checked is taken without checking it again. */
  static final Duration TRUSTED_FOR = Duration.ofSeconds(60);
  /**
   * The text of the tokens trusted at once, at most (about 16,000 tokens of a usual size); past it, trust
   * starts afresh: a flood of tokens costs signature checks, not memory.
   */
  private static final long MAX_TRUSTED_CHARS = 8L << 20;

  /** A token whose signature was checked at {@code checkedAt}: the identity it proves, its {@code nbf} (or null). */
  private record Trusted(Identity identity, Long notBefore, Instant checkedAt) {}

  private final AppConfig.Auth config;
  private final Clock clock;
  private final JWTAuth hmac;
  private final JWTAuth dev;
  private final JwksKeys jwks;
  private final Map<String, Trusted> trusted = new ConcurrentHashMap<>();
  private final AtomicLong trustedChars = new AtomicLong();

  public TokenVerifier(Vertx vertx, AppConfig.Auth config, Clock clock, JwksKeys jwks) {
    this.config = config;
    this.clock = clock;
    this.jwks = jwks;
    this.hmac =
        config.jwtSecret() == null
            ? null
            : JWTAuth.create(
                vertx,
                new JWTAuthOptions()
                    .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(config.jwtSecret()))
                    .setJWTOptions(jwtOptions(config)));
    // Dev-mode tokens carry no issuer or audience: they are good on this dev server only, by their key.
    this.dev =
        config.devSecret() == null
            ? null
            : JWTAuth.create(
                vertx,
                new JWTAuthOptions()
                    .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(config.devSecret()))
                    .setJWTOptions(timesUnchecked()));
  }

  /** The provider's checks: signature, issuer, audience; not times, which it would read off the wall clock. */
  static JWTOptions jwtOptions(AppConfig.Auth config) {
    JWTOptions options = timesUnchecked();
    if (config.issuer() != null) {
      options.setIssuer(config.issuer());
    }
    if (config.audience() != null) {
      options.addAudience(config.audience());
    }
    return options;
  }

  /** Options under which the provider checks no times: {@link #timely} checks them on the server's clock. */
  private static JWTOptions timesUnchecked() {
    return new JWTOptions().setIgnoreExpiration(true);
  }

  /** The identity the token proves, or a failure with {@code unauthorized} / {@code token_expired}. */
  @Override
  public Future<Identity> verify(String token) {
    if (token == null || token.isBlank()) {
      return Future.failedFuture(new ApiException(ErrorCode.UNAUTHORIZED, "missing bearer token"));
    }
    Instant now = clock.instant();
    Trusted known = trusted.get(token);
    if (known != null && now.isBefore(known.checkedAt().plus(TRUSTED_FOR))) {
      return timely(known.identity().expiresAt().getEpochSecond(), known.notBefore(), now).map(known.identity());
    }
    JsonObject header = header(token);
    if (header == null) {
      return Future.failedFuture(new ApiException(ErrorCode.UNAUTHORIZED, "malformed token"));
    }
    String alg = header.getValue("alg") instanceof String a ? a : "";
    String kid = header.getValue("kid") instanceof String k ? k : null;
    Future<JWTAuth> provider;
    if (alg.equals("HS256") && DevTokens.KEY_ID.equals(kid)) {
      if (dev == null) {
        return Future.failedFuture(new ApiException(ErrorCode.UNAUTHORIZED, "dev-mode tokens are not accepted here"));
      }
      provider = Future.succeededFuture(dev);
    } else if (alg.equals("HS256") && hmac != null) {
      provider = Future.succeededFuture(hmac);
    } else if ((alg.startsWith("RS") || alg.startsWith("ES") || alg.startsWith("PS")) && jwks != null) {
      provider = jwks.providerFor(kid);
    } else {
      return Future.failedFuture(new ApiException(ErrorCode.UNAUTHORIZED, "token algorithm " + alg + " is not accepted"));
    }
    // The provider decodes the claims it verified; they are read from the user it makes, not decoded again.
    return provider
        .compose(p -> p.authenticate(new TokenCredentials(token)))
        .recover(err -> Future.failedFuture(err instanceof ApiException ? err
            : new ApiException(ErrorCode.UNAUTHORIZED, "invalid token")))
        .compose(user -> verified(user.attributes().getJsonObject(VERIFIED_CLAIMS), now))
        .map(checked -> {
          trust(token, checked);
          return checked.identity();
        });
  }

  /** Trusts a token checked now; a token checked again replaces its entry and costs no more room. */
  private void trust(String token, Trusted checked) {
    if (trusted.put(token, checked) == null && trustedChars.addAndGet(token.length()) > MAX_TRUSTED_CHARS) {
      trusted.clear();
      trusted.put(token, checked);
      trustedChars.set(token.length());
    }
  }

  /**
   * Whether a token is in its time at {@code now}, give or take the leeway: not expired ({@code exp}) and
   * not before its time ({@code nbf}, when it has one).
   */
  private Future<Void> timely(long exp, Long nbf, Instant now) {
    long leeway = config.leewaySeconds();
    long seconds = now.getEpochSecond();
    if (exp + leeway < seconds) {
      return Future.failedFuture(new ApiException(ErrorCode.TOKEN_EXPIRED, "token expired"));
    }
    if (nbf != null && nbf - leeway > seconds) {
      return Future.failedFuture(new ApiException(ErrorCode.UNAUTHORIZED, "token not valid yet (nbf)"));
    }
    return Future.succeededFuture();
  }

  /** What the verified claims prove, checked at {@code now}. */
  private Future<Trusted> verified(JsonObject claims, Instant now) {
    if (claims == null) {
      return Future.failedFuture(new ApiException(ErrorCode.UNAUTHORIZED, "invalid token"));
    }
    Object sub = claims.getValue("sub");
    String problem = Input.idProblem(sub);
    if (problem != null) {
      return Future.failedFuture(new ApiException(ErrorCode.UNAUTHORIZED, "token subject (sub) " + problem));
    }
    if (Identity.isGuest((String) sub)) {
      return Future.failedFuture(new ApiException(ErrorCode.UNAUTHORIZED,
          "token subject (sub) must not start with '" + Identity.GUEST_PREFIX + "': reserved for guests"));
    }
    Object exp = claims.getValue("exp");
    if (!(exp instanceof Number expSeconds)) {
      return Future.failedFuture(new ApiException(ErrorCode.UNAUTHORIZED, "token has no expiry (exp)"));
    }
    String name = claims.getValue("name") instanceof String s && !s.isBlank() ? truncate(s.strip(), 128) : null;
    Set<String> roles = new LinkedHashSet<>();
    if (claims.getValue("roles") instanceof JsonArray arr) {
      arr.forEach(r -> {
        if (r instanceof String role) {
          roles.add(role);
        }
      });
    }
    Set<String> contacts = new LinkedHashSet<>();
    if (claims.getValue(CONTACTS_CLAIM) instanceof JsonArray arr) {
      for (Object c : arr) {
        if (contacts.size() < MAX_CONTACTS && c instanceof String id && Input.idProblem(id) == null) {
          contacts.add(id);
        }
      }
    }
    Identity identity = new Identity((String) sub, name, Set.copyOf(roles),
        Instant.ofEpochSecond(expSeconds.longValue()), Set.copyOf(contacts));
    Long notBefore = claims.getValue("nbf") instanceof Number n ? n.longValue() : null;
    return timely(expSeconds.longValue(), notBefore, now).map(new Trusted(identity, notBefore, now));
  }

  private static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }

  /** The token's header, or null when the token is not three dot-separated parts with a JSON header. */
  private static JsonObject header(String token) {
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      return null;
    }
    try {
      return new JsonObject(new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      return null;
    }
  }
}
