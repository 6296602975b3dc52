package io.convene.protocol;

import java.time.Instant;
import java.util.Set;

/**
 * Who made a request: the host app's user ({@code sub}), the display name, roles and token expiry. A
 * guest registered through an invitation link is {@code guest:<sessionId>} with the {@code guest} role.
 */
public record Identity(String userId, String displayName, Set<String> roles, Instant expiresAt, Set<String> contacts) {
  /** An identity without contacts. */
  public Identity(String userId, String displayName, Set<String> roles, Instant expiresAt) {
    this(userId, displayName, roles, expiresAt, Set.of());
  }

  public static final String ADMIN_ROLE = "admin";
  public static final String GUEST_ROLE = "guest";
  /** Guest identities in rooms and events: {@code guest:<sessionId>}. */
  public static final String GUEST_PREFIX = "guest:";
  /** Guest tokens (REST and socket) start with this; host-app tokens are JWTs. */
  public static final String GUEST_TOKEN_PREFIX = "gt_";

  public boolean admin() {
    return roles.contains(ADMIN_ROLE);
  }

  public boolean guest() {
    return roles.contains(GUEST_ROLE);
  }

  /** Whether an identity in a room or an event is a guest's. */
  public static boolean isGuest(String identity) {
    return identity.startsWith(GUEST_PREFIX);
  }

  public static String ofGuestSession(String sessionId) {
    return GUEST_PREFIX + sessionId;
  }
}
