package io.convene.presence;

/** {@link PresenceVisibilityIT} on three nodes. */
class PresenceVisibilityClusterIT extends PresenceVisibilityIT {
  @Override
  protected int nodes() {
    return 3;
  }
}
