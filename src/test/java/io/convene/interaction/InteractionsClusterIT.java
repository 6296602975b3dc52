package io.convene.interaction;

/** Every interaction test on a three-node cluster: the devices of one user and their peers spread over the nodes. */
class InteractionsClusterIT extends InteractionsIT {
  @Override
  protected int nodes() {
    return 3;
  }
}
