package io.convene.gateway;

/** Every gateway and presence test, on a three-node cluster with clients spread over the nodes. */
class GatewayClusterIT extends GatewayIT {
  @Override
  protected int nodes() {
    return 3;
  }
}
