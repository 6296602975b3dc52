package io.convene.auth;

import io.convene.protocol.Identity;
import io.vertx.core.Future;

/** Turns a bearer token into the identity it proves, or fails with {@code unauthorized}/{@code token_expired}. */
@FunctionalInterface
public interface Authenticator {
  Future<Identity> verify(String token);
}
