package io.convene.livekit;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.interfaces.DecodedJWT;
import io.convene.config.AppConfig;
import io.convene.protocol.ApiException;
import io.convene.protocol.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Base64;

/**
 * Checks a LiveKit webhook before its body is parsed: the {@code Authorization} header (with or without
 * {@code Bearer }) is a JWT signed with the API secret, issued by the API key, within a small clock
 * leeway, whose {@code sha256} claim is the Base64 SHA-256 of the raw body.
 */
public final class WebhookVerifier {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(WebhookVerifier.class);
  private final AppConfig.LiveKit config;
  private final Clock clock;

  public WebhookVerifier(AppConfig.LiveKit config, Clock clock) {
    this.config = config;
    this.clock = clock;
  }

  public void verify(byte[] body, String authorization) {
    if (authorization == null || authorization.isBlank()) {
      throw new ApiException(ErrorCode.UNAUTHORIZED, "missing webhook signature");
    }
    String token = authorization.regionMatches(true, 0, "Bearer ", 0, 7)
        ? authorization.substring(7).trim() : authorization.trim();
    JWTVerifier verifier = ((JWTVerifier.BaseVerification) JWT.require(Algorithm.HMAC256(config.apiSecret()))
        .withIssuer(config.apiKey())
        .acceptLeeway(config.webhookLeewaySeconds()))
        .build(clock);
    DecodedJWT jwt;
    try {
      jwt = verifier.verify(token);
    } catch (JWTVerificationException e) {
      LOG.debug("webhook signature rejected: {}", e.getMessage());
      throw new ApiException(ErrorCode.UNAUTHORIZED, "webhook signature rejected");
    }
    String claimed = jwt.getClaim("sha256").asString();
    if (claimed == null || !MessageDigest.isEqual(claimed.getBytes(StandardCharsets.UTF_8),
        sha256(body).getBytes(StandardCharsets.UTF_8))) {
      throw new ApiException(ErrorCode.UNAUTHORIZED, "webhook body does not match its signature");
    }
  }

  static String sha256(byte[] body) {
    try {
      return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(body));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
