package io.convene.auth;

import java.time.Instant;
import java.util.Set;

/** Who made a request: the host app's user ({@code sub}), the display name, roles and token expiry. */
public record Identity(String userId, String displayName, Set<String> roles, Instant expiresAt) {
  public static final String ADMIN_ROLE = "admin";

  public boolean admin() {
    return roles.contains(ADMIN_ROLE);
  }
}
