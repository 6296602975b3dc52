package io.convene.guest;

/**
 * The whole lobby on a three-node cluster: guests, members and owners on different nodes, admissions
 * racing across nodes.
 */
class GuestLobbyClusterIT extends GuestLobbyIT {
  @Override
  protected int nodes() {
    return 3;
  }
}
