package io.convene.guest;

/**
 * Every invitation-link test, on a three-node cluster: links made on one node open and register on the
 * others.
 */
class GuestLinksClusterIT extends GuestLinksIT {
  @Override
  protected int nodes() {
    return 3;
  }
}
