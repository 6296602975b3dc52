package io.convene.guest;

/**
 * Previews, guest removal and expiry on a three-node cluster: a guest removed through one node is
 * disconnected from another.
 */
class GuestSessionsClusterIT extends GuestSessionsIT {
  @Override
  protected int nodes() {
    return 3;
  }
}
