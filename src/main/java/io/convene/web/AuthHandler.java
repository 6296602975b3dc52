package io.convene.web;

import io.convene.protocol.Identity;
import io.convene.auth.TokenVerifier;
import io.convene.limit.Limits;
import io.convene.user.UserDirectory;
import io.convene.protocol.Identity;
import io.convene.protocol.ApiException;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/** Authenticates {@code /api} requests with the host app's bearer token. */
public final class AuthHandler implements Handler<RoutingContext> {
  private static final String IDENTITY = "convene.identity";

  private final TokenVerifier verifier;
  private final UserDirectory users;
  private final Limits limits;

  public AuthHandler(TokenVerifier verifier, UserDirectory users, Limits limits) {
    this.verifier = verifier;
    this.users = users;
    this.limits = limits;
  }

  @Override
  public void handle(RoutingContext rc) {
    String token = bearer(rc.request().getHeader("Authorization"));
    if (token != null && token.startsWith(Identity.GUEST_TOKEN_PREFIX)) {
      rc.fail(ApiException.forbidden("guest tokens work on the guest routes and the socket only"));
      return;
    }
    // An address that failed too often is refused before its token is even looked at.
    String address = RequestLimits.clientAddress(rc);
    limits.authFailuresPerIp.check(address);
    verifier
        .verify(token)
        .onSuccess(identity -> {
          users.touch(identity);
          rc.put(IDENTITY, identity);
          rc.next();
        })
        .onFailure(err -> {
          limits.authFailuresPerIp.tryTake(address);
          rc.fail(err);
        });
  }

  public static Identity identity(RoutingContext rc) {
    return rc.get(IDENTITY);
  }

  /** The token of an {@code Authorization: Bearer <token>} header, or null. */
  public static String bearer(String header) {
    if (header == null || header.length() < 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    return header.substring(7).trim();
  }
}
